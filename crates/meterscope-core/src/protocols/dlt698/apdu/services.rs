//! The body of every service by its tag and choice: LINK, CONNECT, RELEASE,
//! GET, SET, ACTION, REPORT, PROXY, SECURITY and ERROR.

use super::*;

/// The body of GET, SET, ACTION, REPORT and PROXY by choice.
pub(super) fn service_body(d: &mut Dec, root: NodeRef, t: u8, k: u8) {
    match (t, k) {
        // GET-Request
        (0x05, 1) | (0x05, 6) => {
            piid(d, root, &GET, false);
            d.oad(root, GET.oad);
        }
        (0x05, 2) => {
            piid(d, root, &GET, false);
            seq(d, root, |d, p| {
                d.oad(p, GET.oad);
            });
        }
        (0x05, 3) => {
            piid(d, root, &GET, false);
            get_record(d, root);
        }
        (0x05, 4) => {
            piid(d, root, &GET, false);
            seq(d, root, |d, p| {
                let (n, s) = d.open(p, "dlt698.apdu.get.record");
                get_record(d, n);
                d.close(n, s);
            });
        }
        (0x05, 5) => {
            piid(d, root, &GET, false);
            uint(d, root, "dlt698.apdu.get.last-block", 2);
        }
        // GET-Response
        (0x85, 1) => {
            piid(d, root, &GET, true);
            result_normal(d, root);
        }
        (0x85, 2) => {
            piid(d, root, &GET, true);
            seq(d, root, |d, p| {
                result_normal(d, p);
            });
        }
        (0x85, 3) => {
            piid(d, root, &GET, true);
            result_record(d, root);
        }
        (0x85, 4) => {
            piid(d, root, &GET, true);
            seq(d, root, |d, p| {
                result_record(d, p);
            });
        }
        (0x85, 5) => {
            piid(d, root, &GET, true);
            let (last, v) = d.byte(root, "dlt698.apdu.get.last-frame", NodeKind::Data);
            if let Some(v) = v {
                let text = if v != 0 {
                    crate::msg!("last block", "末帧")
                } else {
                    crate::msg!("more blocks follow", "还有后续帧")
                };
                d.set_text(last, text);
            }
            uint(d, root, "dlt698.apdu.get.block", 2);
            let (_, k) = d.byte(root, "dlt698.apdu.get.answer", NodeKind::Control);
            match k {
                Some(0) => {
                    dar(d, root);
                }
                Some(1) => seq(d, root, |d, p| {
                    result_normal(d, p);
                }),
                Some(2) => seq(d, root, |d, p| {
                    result_record(d, p);
                }),
                Some(_) => bad_choice(d, msg!("unknown answer choice", "未知的响应数据选择")),
                None => {}
            }
        }
        (0x85, 6) => {
            piid(d, root, &GET, true);
            d.oad(root, GET.oad);
            let (_, k) = d.byte(root, "dlt698.apdu.result.choice", NodeKind::Control);
            match k {
                Some(0) => {
                    dar(d, root);
                }
                Some(1) => {
                    d.octets(root, "dlt698.apdu.get.md5");
                }
                Some(_) => bad_choice(d, msg!("unknown result choice", "未知的结果选择")),
                None => {}
            }
        }
        // SET-Request
        (0x06, 1) => {
            piid(d, root, &SET, false);
            let (_, v) = d.oad(root, SET.oad);
            attribute_data(d, root, v);
        }
        (0x06, 2) => {
            piid(d, root, &SET, false);
            seq(d, root, |d, p| {
                oad_data(d, p, "dlt698.apdu.set.item");
            });
        }
        (0x06, 3) => {
            piid(d, root, &SET, false);
            seq(d, root, |d, p| {
                let s = d.pos();
                let n = oad_data(d, p, "dlt698.apdu.set.item");
                d.oad(n, "dlt698.apdu.set.get-oad");
                let (delay, _) = d.byte(n, "dlt698.apdu.set.delay", NodeKind::Data);
                d.set_unit(delay, Msg::Str("s"));
                d.close(n, s);
            });
        }
        // SET-Response
        (0x86, 1) => {
            piid(d, root, &SET, true);
            d.oad(root, SET.oad);
            dar(d, root);
        }
        (0x86, 2) => {
            piid(d, root, &SET, true);
            seq(d, root, |d, p| {
                oad_dar(d, p, "dlt698.apdu.set.item");
            });
        }
        (0x86, 3) => {
            piid(d, root, &SET, true);
            seq(d, root, |d, p| {
                let s = d.pos();
                let n = oad_dar(d, p, "dlt698.apdu.set.item");
                result_normal(d, n);
                d.close(n, s);
            });
        }
        // ACTION-Request
        (0x07, 1) => {
            piid(d, root, &ACTION, false);
            d.omd(root, "dlt698.apdu.action.omd");
            d.data(root, None);
        }
        (0x07, 2) | (0x07, 3) => {
            piid(d, root, &ACTION, false);
            let then_get = k == 3;
            seq(d, root, |d, p| {
                let (n, s) = d.open(p, "dlt698.apdu.action.item");
                d.omd(n, "dlt698.apdu.action.omd");
                d.data(n, None);
                if then_get {
                    d.oad(n, ACTION.oad);
                    let (delay, _) = d.byte(n, "dlt698.apdu.action.delay", NodeKind::Data);
                    d.set_unit(delay, Msg::Str("s"));
                }
                d.close(n, s);
            });
        }
        // ACTION-Response
        (0x87, 1) => {
            piid(d, root, &ACTION, true);
            action_result(d, root);
        }
        (0x87, 2) | (0x87, 3) => {
            piid(d, root, &ACTION, true);
            let then_get = k == 3;
            seq(d, root, |d, p| {
                let (n, s) = d.open(p, "dlt698.apdu.action.item");
                action_result(d, n);
                if then_get {
                    result_normal(d, n);
                }
                d.close(n, s);
            });
        }
        // REPORT-Response
        (0x08, 1) | (0x08, 2) => {
            piid(d, root, &REPORT, false);
            seq(d, root, |d, p| {
                d.oad(p, REPORT.oad);
            });
        }
        (0x08, 3) => piid(d, root, &REPORT, false),
        // REPORT-Notification
        (0x88, 1) => {
            piid(d, root, &REPORT, true);
            seq(d, root, |d, p| {
                result_normal(d, p);
            });
        }
        (0x88, 2) => {
            piid(d, root, &REPORT, true);
            seq(d, root, |d, p| {
                result_record(d, p);
            });
        }
        (0x88, 3) => {
            piid(d, root, &REPORT, true);
            d.oad(root, REPORT.oad);
            seq(d, root, |d, p| {
                d.octets(p, "dlt698.apdu.report.trans-data");
            });
        }
        // PROXY-Request
        (0x09, 1) | (0x09, 3) | (0x09, 4) | (0x09, 5) | (0x09, 6) => {
            piid(d, root, &PROXY, false);
            let (n, _) = uint(d, root, "dlt698.apdu.proxy.timeout", 2);
            d.set_unit(n, Msg::Str("s"));
            seq(d, root, |d, p| {
                let (n, s) = d.open(p, "dlt698.apdu.proxy.server");
                d.tsa(n, "dlt698.data.tsa");
                let (timeout, _) = uint(d, n, "dlt698.apdu.proxy.timeout", 2);
                d.set_unit(timeout, Msg::Str("s"));
                seq(d, n, |d, p| match k {
                    1 => {
                        d.oad(p, PROXY.oad);
                    }
                    3 => {
                        oad_data(d, p, "dlt698.apdu.proxy.item");
                    }
                    4 => {
                        let s = d.pos();
                        let n = oad_data(d, p, "dlt698.apdu.proxy.item");
                        d.oad(n, PROXY.oad);
                        let (delay, _) = d.byte(n, "dlt698.apdu.proxy.delay", NodeKind::Data);
                        d.set_unit(delay, Msg::Str("s"));
                        d.close(n, s);
                    }
                    _ => {
                        let (n, s) = d.open(p, "dlt698.apdu.proxy.item");
                        d.omd(n, "dlt698.apdu.action.omd");
                        d.data(n, None);
                        if k == 6 {
                            d.oad(n, PROXY.oad);
                            let (delay, _) = d.byte(n, "dlt698.apdu.proxy.delay", NodeKind::Data);
                            d.set_unit(delay, Msg::Str("s"));
                        }
                        d.close(n, s);
                    }
                });
                d.close(n, s);
            });
        }
        (0x09, 2) => {
            piid(d, root, &PROXY, false);
            let (n, _) = uint(d, root, "dlt698.apdu.proxy.timeout", 2);
            d.set_unit(n, Msg::Str("s"));
            d.tsa(root, "dlt698.data.tsa");
            get_record(d, root);
        }
        (0x09, 7) => {
            piid(d, root, &PROXY, false);
            d.oad(root, "dlt698.apdu.proxy.port");
            d.comdcb(root, "dlt698.data.comdcb");
            let (n, _) = uint(d, root, "dlt698.apdu.proxy.frame-timeout", 2);
            d.set_unit(n, Msg::Str("s"));
            let (n, _) = uint(d, root, "dlt698.apdu.proxy.byte-timeout", 2);
            d.set_unit(n, Msg::Str("ms"));
            d.octets(root, "dlt698.apdu.proxy.command");
        }
        // PROXY-Response
        (0x89, 2) => {
            piid(d, root, &PROXY, true);
            d.tsa(root, "dlt698.data.tsa");
            result_record(d, root);
        }
        (0x89, 7) => {
            piid(d, root, &PROXY, true);
            d.oad(root, "dlt698.apdu.proxy.port");
            let (_, k) = d.byte(root, "dlt698.apdu.result.choice", NodeKind::Control);
            match k {
                Some(0) => {
                    dar(d, root);
                }
                Some(1) => {
                    d.octets(root, "dlt698.apdu.proxy.response");
                }
                Some(_) => bad_choice(d, msg!("unknown result choice", "未知的结果选择")),
                None => {}
            }
        }
        (0x89, _) => {
            piid(d, root, &PROXY, true);
            seq(d, root, |d, p| {
                let (n, s) = d.open(p, "dlt698.apdu.proxy.server");
                d.tsa(n, "dlt698.data.tsa");
                seq(d, n, |d, p| match k {
                    1 => {
                        result_normal(d, p);
                    }
                    3 => {
                        oad_dar(d, p, "dlt698.apdu.proxy.item");
                    }
                    4 => {
                        let s = d.pos();
                        let n = oad_dar(d, p, "dlt698.apdu.proxy.item");
                        result_normal(d, n);
                        d.close(n, s);
                    }
                    _ => {
                        let (n, s) = d.open(p, "dlt698.apdu.proxy.item");
                        action_result(d, n);
                        if k == 6 {
                            result_normal(d, n);
                        }
                        d.close(n, s);
                    }
                });
                d.close(n, s);
            });
        }
        _ => {}
    }
}
