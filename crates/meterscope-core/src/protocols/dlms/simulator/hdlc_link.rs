//! The HDLC link: SNRM/UA, I frames in windows, RR, segments, DISC.

use super::*;

impl DlmsMeter {
    pub(super) fn send_frame(&mut self, frame: Vec<u8>) {
        self.last_frame = frame.clone();
        self.out.push_back(frame);
    }

    pub(super) fn hdlc(&self, control: Control, info: Vec<u8>, segmented: bool) -> Vec<u8> {
        let dst = self.client_addr.unwrap_or(HdlcAddress::client(16));
        HdlcFrame { segmented, dst, src: self.server_addr, control, info }.emit()
    }

    pub(super) fn rr(&mut self) {
        let rr = self.hdlc(Control::Rr { nr: self.nr, pf: true }, Vec::new(), false);
        self.send_frame(rr);
    }

    /// Reply APDUs cut into information fields behind those still pending.
    pub(super) fn queue_reply(&mut self, apdus: Vec<Vec<u8>>) {
        for apdu in apdus {
            let mut info = LLC_RESPONSE.to_vec();
            info.extend_from_slice(&apdu);
            let n = info.len().div_ceil(self.max_tx);
            for (i, c) in info.chunks(self.max_tx).enumerate() {
                self.pending.push_back((c.to_vec(), i + 1 < n));
            }
        }
    }

    /// Send I frames: the unacknowledged ones again when `resend` (go back),
    /// then pending ones up to the window; the final bit on the last.
    pub(super) fn send_window(&mut self, resend: bool) {
        let mut burst: Vec<(u8, Vec<u8>, bool)> =
            if resend { self.unacked.iter().cloned().collect() } else { Vec::new() };
        while self.unacked.len() < self.window_tx.max(1) {
            let Some((info, more)) = self.pending.pop_front() else { break };
            let ns = self.ns;
            self.ns = (self.ns + 1) % 8;
            self.unacked.push_back((ns, info.clone(), more));
            burst.push((ns, info, more));
        }
        let n = burst.len();
        for (i, (ns, info, more)) in burst.into_iter().enumerate() {
            let f = self.hdlc(Control::I { ns, nr: self.nr, pf: i + 1 == n }, info, more);
            self.send_frame(f);
        }
    }

    /// N(R) from the client acknowledges our frames before it; false when it
    /// names none of ours.
    pub(super) fn ack(&mut self, nr: u8) -> bool {
        if nr != self.ns && !self.unacked.iter().any(|u| u.0 == nr) {
            return false;
        }
        while self.unacked.front().is_some_and(|u| u.0 != nr) {
            self.unacked.pop_front();
        }
        true
    }

    pub(super) fn on_hdlc(&mut self, bytes: &[u8]) {
        let Ok(f) = HdlcFrame::parse(bytes) else { return };
        // Only frames from a client to this server; replies of other meters and echoes are not ours.
        if f.src.size != 1 || f.dst.upper != self.cfg.logical {
            return;
        }
        let client = f.src.upper;
        match f.control {
            Control::Snrm { .. } => {
                let p = LinkParams::parse(&f.info).unwrap_or_default();
                self.client_addr = Some(f.src);
                self.server_addr = f.dst;
                self.connected = true;
                self.ns = 0;
                self.nr = 0;
                self.pending.clear();
                self.unacked.clear();
                self.rx_apdu.clear();
                self.assoc = None;
                self.gbt = None;
                self.max_tx = usize::from(p.max_info_rx.min(self.cfg.max_info)).max(16);
                let window = self.cfg.window.clamp(1, 7);
                self.window_tx = usize::from(p.window_rx.min(window));
                let ours = LinkParams {
                    max_info_tx: self.max_tx as u16,
                    max_info_rx: p.max_info_tx.min(self.cfg.max_info),
                    window_tx: self.window_tx as u8,
                    window_rx: p.window_tx.min(window),
                };
                let ua = self.hdlc(Control::Ua { pf: true }, ours.emit(), false);
                self.send_frame(ua);
            }
            Control::Disc { .. } => {
                self.client_addr = Some(f.src);
                let was = self.connected;
                self.connected = false;
                self.assoc = None;
                let reply = if was { Control::Ua { pf: true } } else { Control::Dm { pf: true } };
                let frame = self.hdlc(reply, Vec::new(), false);
                self.send_frame(frame);
            }
            _ if !self.connected || self.client_addr.map(|a| a.upper) != Some(client) => {
                self.client_addr = Some(f.src);
                let dm = self.hdlc(Control::Dm { pf: true }, Vec::new(), false);
                self.send_frame(dm);
            }
            Control::Rr { nr, .. } => {
                if !self.ack(nr) {
                    return;
                }
                if !self.unacked.is_empty() {
                    // The client missed frames from N(R) on: go back.
                    self.send_window(true);
                } else if !self.pending.is_empty() {
                    self.send_window(false);
                } else {
                    self.rr();
                }
            }
            Control::I { ns, nr, pf } => {
                self.ack(nr);
                if ns != self.nr {
                    // A frame again (our reply or acknowledgement was lost) or out of sequence.
                    if pf {
                        if self.unacked.is_empty() {
                            self.rr();
                        } else {
                            self.send_window(true);
                        }
                    }
                    return;
                }
                self.nr = (self.nr + 1) % 8;
                let info = match f.info.as_slice() {
                    [0xE6, 0xE6, rest @ ..] if self.rx_apdu.is_empty() => rest.get(1..).unwrap_or_default(),
                    all => all,
                };
                self.rx_apdu.extend_from_slice(info);
                if self.rx_apdu.len() > 70_000 {
                    self.rx_apdu.clear();
                }
                if f.segmented {
                    if pf {
                        self.rr();
                    }
                    return;
                }
                let apdu = std::mem::take(&mut self.rx_apdu);
                let replies = self.on_apdu(client, &apdu);
                if replies.is_empty() {
                    if pf {
                        self.rr();
                    }
                    return;
                }
                self.queue_reply(replies);
                self.send_window(false);
            }
            _ => {
                let frmr = self.hdlc(Control::Frmr { pf: true }, vec![control_of(bytes)], false);
                self.send_frame(frmr);
            }
        }
    }
}

fn control_of(frame: &[u8]) -> u8 {
    HdlcFrame::parse(frame).map(|f| link::control_byte(f.control)).unwrap_or(0)
}
