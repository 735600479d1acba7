//! The reader page: the line (demo meter, serial port, Bluetooth probe,
//! replay), the protocol's options, the flows with their status and
//! progress, the readings, polls, chart, records table and the raw trace.

use super::*;

#[component]
pub fn ReaderPage() -> impl IntoView {
    let st = expect_context::<ReaderHost>();
    let lang = st.lang;
    let avail = serial::availability();
    let source = RwSignal::new(String::from(if avail == Availability::Supported { "serial" } else { "demo" }));
    let proto = RwSignal::new(Proto::Dlt645);
    let first = Proto::Dlt645.presets()[0];
    let baud = RwSignal::new(first.baud.to_string());
    let data_bits = RwSignal::new(first.data_bits.to_string());
    let parity = RwSignal::new(first.parity.letter().to_string());
    let stop_bits = RwSignal::new(first.stop_bits.to_string());
    let sigs = Sigs {
        results: RwSignal::new(Vec::new()),
        trace: RwSignal::new(Vec::new()),
        status: RwSignal::new(String::new()),
        progress: RwSignal::new(String::new()),
        steps: RwSignal::new((0, 0)),
        polls: RwSignal::new(Vec::new()),
        table: RwSignal::new(None),
        address: RwSignal::new(None),
        reports: RwSignal::new(Vec::new()),
        history: RwSignal::new(Vec::new()),
        telegram: RwSignal::new(String::new()),
        dlms_ic: RwSignal::new(1),
        echoes: RwSignal::new((0, 0)),
        dtu: RwSignal::new(None),
    };
    let Sigs { results, trace, status, progress, table, address, reports, history, telegram, .. } = sigs;
    let connected = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let polling = RwSignal::new(false);
    let poll_secs = RwSignal::new(String::from("5"));
    let selection = RwSignal::new(String::from(DEFAULT_DIS));
    // The quantities picked for "Read quantities".
    let picked_names = RwSignal::new(DEFAULT_QUANTITIES.to_vec());
    // Every family's options, typed per family (`meterscope_ui::reader_options`).
    let opts = RwSignal::new(meterscope_ui::reader_options::ReaderOptions::default());
    let tx_text = RwSignal::new(String::from("68 AA AA AA AA AA AA 68 13 00 DF 16"));
    // Appended to what is sent: nothing, CR, LF or CR LF (text protocols end lines so).
    let tx_ending = RwSignal::new(String::new());
    let replay_info = RwSignal::new(String::new());
    // Trace filters: direction (all, tx, rx, note) and hex or text to look for.
    let trace_dir = RwSignal::new(String::from("all"));
    let trace_find = RwSignal::new(String::new());
    // The trace's bytes as text (`<STX>`… for control characters) instead of hex.
    let trace_as_text = RwSignal::new(false);
    // Each entry's summary line, by (time, length, language): entries are named once.
    let summaries: StoredValue<std::collections::BTreeMap<(u64, usize, bool), String>, LocalStorage> =
        StoredValue::new_local(std::collections::BTreeMap::new());
    let summary_of = move |e: &TraceEntry, l: Lang| -> String {
        if e.bytes.is_empty() {
            return String::new();
        }
        let key = (e.at_ms.to_bits(), e.bytes.len(), l == Lang::Zh);
        if let Some(s) = summaries.with_value(|m| m.get(&key).cloned()) {
            return s;
        }
        let s = st.summarize.with_value(|f| f(&to_hex(&e.bytes), l));
        summaries.update_value(|m| {
            if m.len() > 4 * TRACE_LIMIT {
                m.clear();
            }
            m.insert(key, s.clone());
        });
        s
    };
    let cancel = Rc::new(Cell::new(false));
    let conn: Rc<RefCell<Option<Rc<Connection>>>> = Rc::new(RefCell::new(None));
    // A Bluetooth (BLE UART) probe, beside the serial port.
    let ble_avail = crate::ble::available();
    let ble: crate::ble::BleSlot = Rc::new(RefCell::new(None));
    let ble_connected = RwSignal::new(false);
    let ble_label = RwSignal::new(String::new());
    let rx: RxQueue = Rc::new(RefCell::new(Default::default()));
    let demos: Rc<RefCell<Vec<DemoSlot>>> = Rc::new(RefCell::new(Vec::new()));
    let replay = Rc::new(RefCell::new(Replay::new(Vec::new())));

    let line_settings = move || LineSettings {
        baud: baud.get_untracked().trim().parse().unwrap_or(2400),
        data_bits: data_bits.get_untracked().trim().parse().unwrap_or(8),
        parity: Parity::parse(&parity.get_untracked()).unwrap_or(Parity::Even),
        stop_bits: stop_bits.get_untracked().trim().parse().unwrap_or(1),
    };
    let apply_line = move |l: LineSettings| {
        baud.set(l.baud.to_string());
        data_bits.set(l.data_bits.to_string());
        parity.set(l.parity.letter().to_string());
        stop_bits.set(l.stop_bits.to_string());
    };
    let preset_value = move || {
        let cur = format!("{} {}{}{}", baud.get(), data_bits.get(), parity.get(), stop_bits.get());
        if proto.get().presets().iter().any(|l| l.to_string() == cur) { cur } else { "custom".to_string() }
    };
    let set_proto = move |p: Proto| {
        proto.set(p);
        apply_line(p.presets()[0]);
        selection.set(p.selection().0.to_string());
        address.set(None);
        table.set(None);
        telegram.set(String::new());
    };
    // Opened from a reader URL: its protocol and identifiers; each change goes back to the URL.
    let (init_p, init_q) = st.initial.get_value();
    if let Some(p) = Proto::ALL.into_iter().find(|p| p.id() == init_p) {
        set_proto(p);
    }
    if !init_q.is_empty() {
        selection.set(init_q);
    }
    Effect::new(move |_| {
        if let Some((p, q)) = st.goto.get() {
            if let Some(p) = Proto::ALL.into_iter().find(|x| x.id() == p).filter(|&x| x != proto.get_untracked()) {
                set_proto(p);
            }
            if !q.is_empty() && q != selection.get_untracked() {
                selection.set(q);
            }
        }
    });
    let on_change = st.on_change.get_value();
    Effect::new(move |_| on_change(proto.get().id(), &selection.get()));

    // Serial port handling: granted ports, open with DTR/RTS, lost on unplug, back on re-plug.
    let dtr = RwSignal::new(true);
    let rts = RwSignal::new(true);
    let lost = RwSignal::new(false);
    let help = RwSignal::new(false);
    let help_button = NodeRef::<leptos::html::Button>::new();
    let help_dialog = NodeRef::<leptos::html::Div>::new();
    // Closing the help gives focus back to its button.
    let close_help = move || {
        help.set(false);
        if let Some(b) = help_button.get_untracked() {
            let _ = b.focus();
        }
    };
    let port_labels = RwSignal::new(Vec::<String>::new());
    let granted: StoredValue<Vec<SerialPort>, LocalStorage> = StoredValue::new_local(Vec::new());
    let last_port: StoredValue<Option<(SerialPort, LineSettings)>, LocalStorage> = StoredValue::new_local(None);
    let refresh = move || {
        spawn_local(async move {
            let list = serial::granted_ports().await;
            if port_labels.is_disposed() {
                return;
            }
            port_labels.set(list.iter().map(|p| serial::port_label(serial::usb_ids(p))).collect());
            granted.set_value(list);
        })
    };
    let open_port: Rc<dyn Fn(SerialPort, LineSettings, bool)> = {
        let (conn, rx) = (conn.clone(), rx.clone());
        Rc::new(move |port: SerialPort, line: LineSettings, again: bool| {
            let (conn, rx) = (conn.clone(), rx.clone());
            spawn_local(async move {
                match Connection::open(port.clone(), line).await {
                    Ok(c) => {
                        let c = Rc::new(c);
                        let (d, r) = (dtr.get_untracked(), rts.get_untracked());
                        match c.set_signals(d, r).await {
                            Ok(true) => sigs.note(format!("DTR {d} RTS {r}")),
                            Ok(false) => {}
                            Err(e) => sigs.note(format!("DTR/RTS: {e}")),
                        }
                        rx.borrow_mut().clear();
                        *conn.borrow_mut() = Some(c.clone());
                        last_port.set_value(Some((port, line)));
                        spawn_reader(c, rx);
                        connected.set(true);
                        lost.set(false);
                        let l = lang.get_untracked();
                        status.set(if again {
                            format!("{} {line}", t(l, "reader.reconnected"))
                        } else {
                            line.to_string()
                        });
                    }
                    Err(e) => status.set(e),
                }
                refresh();
            });
        })
    };
    let opener = StoredValue::new_local(open_port.clone());
    let connect = move |_| {
        let line = line_settings();
        let open_port = opener.get_value();
        spawn_local(async move {
            match serial::request_port().await {
                Ok(p) => open_port(p, line, false),
                Err(e) => status.set(e),
            }
        });
    };
    let use_port = move |i: usize| {
        if let Some(p) = granted.with_value(|g| g.get(i).cloned()) {
            opener.with_value(|f| f(p, line_settings(), false));
        }
    };
    let forget_port = move |i: usize| {
        let Some(p) = granted.with_value(|g| g.get(i).cloned()) else { return };
        spawn_local(async move {
            match serial::forget(&p).await {
                Ok(true) => {}
                Ok(false) => status.set(t(lang.get_untracked(), "reader.no_forget").to_string()),
                Err(e) => status.set(e),
            }
            refresh();
        });
    };
    let reconnect = move |_| {
        if let Some((p, line)) = last_port.get_value() {
            opener.with_value(|f| f(p, line, true));
        }
    };
    let apply_signals = {
        let conn = conn.clone();
        move || {
            let Some(c) = conn.borrow().clone() else { return };
            let (d, r) = (dtr.get_untracked(), rts.get_untracked());
            spawn_local(async move {
                match c.set_signals(d, r).await {
                    Ok(true) => sigs.note(format!("DTR {d} RTS {r}")),
                    Ok(false) => status.set(t(lang.get_untracked(), "reader.no_signals").to_string()),
                    Err(e) => status.set(e),
                }
            });
        }
    };
    let (apply_dtr, apply_rts) = (apply_signals.clone(), apply_signals);
    if avail == Availability::Supported {
        refresh();
        let (conn, cancel) = (conn.clone(), cancel.clone());
        serial::on_plug(move |plugged, port| {
            if connected.is_disposed() {
                return;
            }
            if !plugged {
                let ours = conn.borrow().as_ref().is_some_and(|c| js_sys::Object::is(&c.port(), &port));
                if ours {
                    cancel.set(true);
                    lost.set(true);
                    connected.set(false);
                    polling.set(false);
                    let text = t(lang.get_untracked(), "reader.lost").to_string();
                    sigs.note(text.clone());
                    status.set(text);
                    if let Some(c) = conn.borrow_mut().take() {
                        spawn_local(async move {
                            let _ = c.close().await;
                        });
                    }
                }
            } else if lost.get_untracked()
                && let Some((old, line)) = last_port.get_value()
                && serial::same_port(&old, &port)
            {
                open_port(port, line, true);
            }
            refresh();
        });
    }

    let ble_connect = {
        let (ble, rx) = (ble.clone(), rx.clone());
        move |_| {
            let (ble, rx) = (ble.clone(), rx.clone());
            spawn_local(async move {
                let gone = move || {
                    if ble_connected.is_disposed() {
                        return;
                    }
                    if ble_connected.get_untracked() {
                        ble_connected.set(false);
                        let text = t(lang.get_untracked(), "reader.ble_lost").to_string();
                        sigs.note(text.clone());
                        status.set(text);
                    }
                };
                rx.borrow_mut().clear();
                // A probe that went away is let go first (its listeners removed,
                // its link closed), before the same device connects again.
                drop(ble.borrow_mut().take());
                match crate::ble::connect(rx, lang, gone).await {
                    Ok(p) => {
                        ble_label.set(p.label.clone());
                        status.set(p.label.clone());
                        *ble.borrow_mut() = Some(Rc::new(p));
                        ble_connected.set(true);
                    }
                    Err(e) => status.set(e),
                }
            });
        }
    };
    let ble_disconnect = {
        let ble = ble.clone();
        move |_| {
            if let Some(p) = ble.borrow_mut().take() {
                ble_connected.set(false);
                p.close();
            }
        }
    };

    let disconnect = {
        let conn = conn.clone();
        move |_| {
            let Some(c) = conn.borrow_mut().take() else { return };
            connected.set(false);
            lost.set(false);
            spawn_local(async move {
                if let Err(e) = c.close().await {
                    status.set(e);
                }
            });
        }
    };

    // Raw bytes typed by the user, over the serial port; replies land in the trace.
    let send = {
        let (conn, rx) = (conn.clone(), rx.clone());
        move |_| {
            let link = Link::Serial(conn.clone());
            let rx = rx.clone();
            let mut bytes = match parse_input(&tx_text.get_untracked()) {
                Ok(i) => i.bytes,
                Err(e) => return status.set(e.to_string()),
            };
            bytes.extend_from_slice(match tx_ending.get_untracked().as_str() {
                "cr" => b"\r",
                "lf" => b"\n",
                "crlf" => b"\r\n",
                _ => b"",
            });
            spawn_local(async move {
                match link.write(&bytes, &rx).await {
                    Ok(()) => trace.update(|t| t.push(TraceEntry::new(true, now_ms(), bytes, None, false))),
                    Err(e) => status.set(e),
                }
                // Collect whatever arrives in the next second.
                let until = now_ms() + 1000.0;
                while now_ms() < until {
                    let chunks: Vec<(f64, Vec<u8>)> = rx.borrow_mut().drain(..).collect();
                    for (at, b) in chunks {
                        trace.update(|t| push_rx(t, at, &b));
                    }
                    gloo_timers::future::sleep(Duration::from_millis(10)).await;
                }
            });
        }
    };

    let start = {
        let (conn, rx, cancel, demos, replay) =
            (conn.clone(), rx.clone(), cancel.clone(), demos.clone(), replay.clone());
        move |flow: Flow, poll: bool| {
            let lang_now = lang.get_untracked();
            let p = proto.get_untracked();
            // Setting a meter's clock writes to the meter: only after the user says so.
            if flow == Flow::Sync
                && p != Proto::Dlt645
                && !web_sys::window()
                    .and_then(|w| w.confirm_with_message(t(lang_now, "reader.set_clock_confirm")).ok())
                    .unwrap_or(false)
            {
                return;
            }
            let src = source.get_untracked();
            let o = opts.get_untracked();
            let params = Params {
                line: line_settings(),
                demo: src == "demo",
                selection: selection.get_untracked(),
                address: match p {
                    Proto::Iec => o.iec.address(),
                    Proto::Qgdw13761 => Some(o.qgdw1376.terminal.clone()),
                    _ => address.get_untracked(),
                },
                opts: o,
                keys: st.keys.get_untracked(),
                quantities: picked_names.get_untracked(),
            };
            // A demo meter is loaded in the flow's task (its module may not be loaded yet).
            let link = match src.as_str() {
                "demo" => None,
                "replay" => Some(Link::Replay(replay.clone())),
                "ble" => {
                    if ble.borrow().is_none() {
                        return status.set(t(lang_now, "reader.ble_first").to_string());
                    }
                    Some(Link::Ble(ble.clone()))
                }
                _ => {
                    if conn.borrow().is_none() {
                        return status.set(t(lang_now, "reader.connect.first").to_string());
                    }
                    Some(Link::Serial(conn.clone()))
                }
            };
            let (rx, cancel_flag, demos) = (rx.clone(), cancel.clone(), demos.clone());
            cancel.set(false);
            busy.set(true);
            polling.set(poll);
            status.set(String::new());
            progress.set(String::new());
            sigs.steps.set((0, 0));
            sigs.echoes.set((0, 0));
            if flow == Flow::Quantities {
                sigs.dtu.set(None);
            }
            let every = poll_secs.get_untracked().trim().parse::<f64>().unwrap_or(5.0).clamp(1.0, 3600.0) * 1000.0;
            let mut params = params;
            spawn_local(async move {
                let (link, demo) = match link {
                    Some(link) => (link, None),
                    None => match demo_for(&demos, p, &params).await {
                        Ok(d) => (Link::Demo(d.clone()), Some(d)),
                        Err(e) => {
                            status.set(e);
                            busy.set(false);
                            polling.set(false);
                            return;
                        }
                    },
                };
                let cx = Ctx { lang: lang_now, sigs, link, rx, cancel: cancel_flag, demo };
                let failures = || results.with_untracked(|r| r.iter().filter(|x| x.error).count());
                let say = move |st: Status| status.set(status_text(&st, lang_now));
                let mut runs = Runs::new(poll);
                loop {
                    let began = now_ms();
                    let failed_before = if poll { 0 } else { failures() };
                    if poll {
                        results.set(Vec::new());
                        if !matches!(p, Proto::Iec | Proto::Qgdw13761) {
                            params.address = address.get_untracked();
                        }
                    }
                    let outcome = run_flow(p, flow, &params, &cx).await;
                    let ms = now_ms() - began;
                    let ended = match outcome {
                        // Unplugged: the flow was stopped; the readings taken stay.
                        _ if lost.get_untracked() => Ended::Lost,
                        Err(e) => Ended::Failed(e),
                        Ok(()) if cx.cancel.get() => Ended::Cancelled,
                        Ok(()) => Ended::Ran,
                    };
                    if poll && ended == Ended::Ran {
                        let rows = results.get_untracked();
                        sigs.polls.update(|l| keep_polls(l, js_sys::Date::now(), rows, POLL_ROWS));
                    }
                    let failed = failures().saturating_sub(failed_before);
                    let (shown, again) = runs.after(ended, ms, failed, !status.get_untracked().is_empty());
                    if let Some(st) = shown {
                        say(st);
                    }
                    // Stopping the poll lets the cycle under way finish; cancel stops at once.
                    let stopped = || cx.cancel.get() || !polling.get_untracked();
                    if !again || stopped() {
                        break;
                    }
                    let until = began + every;
                    while now_ms() < until && !stopped() {
                        gloo_timers::future::sleep(Duration::from_millis(50)).await;
                    }
                    if stopped() {
                        break;
                    }
                }
                if let Some(st) = runs.finish(cx.cancel.get()) {
                    say(st);
                }
                busy.set(false);
                polling.set(false);
            });
        }
    };
    let start = Rc::new(start);
    let stop = {
        let cancel = cancel.clone();
        move |_| cancel.set(true)
    };
    let poll_toggle = {
        let start = start.clone();
        move |_| {
            if polling.get_untracked() {
                polling.set(false);
            } else if !busy.get_untracked() {
                start(Flow::Read, true);
            }
        }
    };
    let load_replay = {
        let replay = replay.clone();
        move |_| {
            let steps: Vec<(bool, Vec<u8>)> =
                trace.get_untracked().into_iter().filter(|e| e.note.is_none()).map(|e| (e.tx, e.bytes)).collect();
            let r = Replay::new(steps);
            replay_info.set(format!("{} {}", r.remaining(), t(lang.get_untracked(), "reader.replay_loaded")));
            *replay.borrow_mut() = r;
            source.set("replay".into());
        }
    };
    // A trace saved as JSON (from this page, another run or another machine) becomes the replay.
    let import_replay = {
        let replay = replay.clone();
        move |ev: leptos::ev::Event| {
            let input: web_sys::HtmlInputElement = event_target(&ev);
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            let replay = replay.clone();
            spawn_local(async move {
                let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    Ok(v) => v.as_string().unwrap_or_default(),
                    Err(_) => return replay_info.set(format!("{}: cannot read the file", file.name())),
                };
                match trace::from_json(&text) {
                    Ok(entries) => {
                        let steps =
                            entries.iter().filter(|e| e.note.is_none()).map(|e| (e.tx, e.bytes.clone())).collect();
                        let r = Replay::new(steps);
                        replay_info.set(format!(
                            "{} {} ({})",
                            r.remaining(),
                            t(lang.get_untracked(), "reader.replay_loaded"),
                            file.name()
                        ));
                        *replay.borrow_mut() = r;
                    }
                    Err(e) => replay_info.set(format!("{}: {e}", file.name())),
                }
            });
        }
    };

    let serial_note = match avail {
        Availability::Supported => None,
        Availability::InsecureContext => Some("reader.insecure"),
        Availability::Missing => Some("reader.unsupported"),
    };
    // One button per flow; a protocol shows its own (Send-free: built once).
    let flow_buttons = [
        Flow::Find,
        Flow::Read,
        Flow::Clock,
        Flow::Sync,
        Flow::Records,
        Flow::Monitor,
        Flow::Browse,
        Flow::Profile,
        Flow::Program,
        Flow::Live,
        Flow::Quantities,
    ]
    .map(|flow| {
        let start = start.clone();
        view! {
            <button data-testid=flow.testid() hidden=move || !proto.get().flows().contains(&flow)
                prop:disabled=move || busy.get() || (source.get() == "serial" && !connected.get())
                    || (source.get() == "ble" && !ble_connected.get())
                on:click=move |_| start(flow, false)>{move || t(lang.get(), flow.label(proto.get()))}</button>
        }
    })
    .into_iter()
    .collect_view();

    view! {
        <section class="reader">
            {serial_note.map(|key| view! { <p class="unsupported" data-testid="serial-unsupported">{move || t(lang.get(), key)}</p> })}
            <div class="line">
                <label>{move || t(lang.get(), "reader.protocol")}" "
                    <select data-testid="reader-protocol" prop:value=move || proto.get().id()
                        on:change=move |ev| set_proto(Proto::from_id(&event_target_value(&ev)))>
                        {Proto::ALL.map(|p| view! { <option value=p.id()>{move || p.label(lang.get())}</option> }).collect_view()}
                    </select>
                </label>
                <label><input type="radio" name="source" value="demo" data-testid="source-demo" prop:checked=move || source.get() == "demo"
                    on:change=move |_| source.set("demo".into())/>{move || t(lang.get(), "reader.demo")}</label>
                {(avail == Availability::Supported).then(|| view! {
                    <label><input type="radio" name="source" value="serial" data-testid="source-serial" prop:checked=move || source.get() == "serial"
                        on:change=move |_| source.set("serial".into())/>{move || t(lang.get(), "reader.serial")}</label>
                })}
                {ble_avail.then(|| view! {
                    <label><input type="radio" name="source" value="ble" data-testid="source-ble" prop:checked=move || source.get() == "ble"
                        on:change=move |_| source.set("ble".into())/>{move || t(lang.get(), "reader.ble")}</label>
                })}
                <label><input type="radio" name="source" value="replay" data-testid="source-replay" prop:checked=move || source.get() == "replay"
                    on:change=move |_| source.set("replay".into())/>{move || t(lang.get(), "reader.replay")}</label>
                <button class="small" data-testid="port-help" node_ref=help_button aria-expanded=move || help.get().to_string()
                    aria-controls="port-help-dialog" on:click=move |_| {
                        help.update(|h| *h = !*h);
                        // The dialog takes focus once shown.
                        if help.get_untracked() {
                            request_animation_frame(move || if let Some(d) = help_dialog.get_untracked() { let _ = d.focus(); });
                        }
                    }>{move || t(lang.get(), "help.button")}</button>
            </div>
            <div class="help-dialog" role="dialog" id="port-help-dialog" aria-labelledby="port-help-title" tabindex="-1"
                data-testid="port-help-dialog" node_ref=help_dialog hidden=move || !help.get()
                on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Escape" {
                    ev.stop_propagation();
                    close_help();
                }>
                <h3 id="port-help-title">{move || t(lang.get(), "help.title")}</h3>
                <ul>
                    {["help.drivers", "help.dialout", "help.busy", "help.browser", "help.secure", "help.replug"]
                        .map(|k| view! { <li>{move || t(lang.get(), k)}</li> })}
                </ul>
                <button class="small" data-testid="port-help-close" on:click=move |_| close_help()>{move || t(lang.get(), "help.close")}</button>
            </div>
            <div class="line">
                <label>{move || t(lang.get(), "reader.preset")}" "
                    <select data-testid="preset" prop:value=preset_value
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some(l) = proto.get_untracked().presets().iter().find(|l| l.to_string() == v) { apply_line(*l) }
                        }>
                        {move || proto.get().presets().iter().map(|l| { let s = l.to_string(); view! { <option value=s.clone()>{s.clone()}</option> } }).collect_view()}
                        <option value="custom">{move || t(lang.get(), "reader.custom")}</option>
                    </select>
                </label>
                <label>{move || t(lang.get(), "reader.baud")}" "
                    <select data-testid="baud" prop:value=move || baud.get() on:change=move |ev| baud.set(event_target_value(&ev))>
                        {options(&[("300", "300"), ("600", "600"), ("1200", "1200"), ("2400", "2400"), ("4800", "4800"), ("9600", "9600"), ("19200", "19200"), ("38400", "38400"), ("57600", "57600"), ("115200", "115200")])}
                    </select>
                </label>
                <label>{move || t(lang.get(), "reader.data_bits")}" "
                    <select data-testid="data-bits" prop:value=move || data_bits.get() on:change=move |ev| data_bits.set(event_target_value(&ev))>
                        {options(&[("7", "7"), ("8", "8")])}
                    </select>
                </label>
                <label>{move || t(lang.get(), "reader.parity")}" "
                    <select data-testid="parity" prop:value=move || parity.get() on:change=move |ev| parity.set(event_target_value(&ev))>
                        {options(&[("E", "E"), ("N", "N"), ("O", "O")])}
                    </select>
                </label>
                <label>{move || t(lang.get(), "reader.stop_bits")}" "
                    <select data-testid="stop-bits" prop:value=move || stop_bits.get() on:change=move |ev| stop_bits.set(event_target_value(&ev))>
                        {options(&[("1", "1"), ("2", "2")])}
                    </select>
                </label>
            </div>
            {ble_avail.then(|| view! {
                <div class="line" hidden=move || source.get() != "ble">
                    <button data-testid="ble-connect" prop:disabled=move || ble_connected.get() on:click=ble_connect>{move || t(lang.get(), "reader.ble_connect")}</button>
                    <button data-testid="ble-disconnect" prop:disabled=move || !ble_connected.get() on:click=ble_disconnect>{move || t(lang.get(), "reader.disconnect")}</button>
                    <span class="status" data-testid="ble-status">{move || if ble_connected.get() { ble_label.get() } else { t(lang.get(), "reader.disconnected").to_string() }}</span>
                    <span class="hint">{move || t(lang.get(), "reader.ble_hint")}</span>
                </div>
            })}
            {(avail == Availability::Supported).then(|| view! {
                <p class="hint first-run" data-testid="first-run" hidden=move || source.get() != "serial" || connected.get()>
                    {move || t(lang.get(), "reader.first_run")}" "
                    <button class="small" data-testid="try-demo" on:click=move |_| source.set("demo".into())>{move || t(lang.get(), "reader.try_demo")}</button>
                </p>
                <div class="line" hidden=move || source.get() != "serial">
                    <button data-testid="connect" prop:disabled=move || connected.get() on:click=connect>{move || t(lang.get(), "reader.connect")}</button>
                    <button data-testid="disconnect" prop:disabled=move || !connected.get() on:click=disconnect>{move || t(lang.get(), "reader.disconnect")}</button>
                    <button data-testid="reconnect" hidden=move || !lost.get() || connected.get() on:click=reconnect>{move || t(lang.get(), "reader.reconnect")}</button>
                    <label><input type="checkbox" data-testid="dtr" prop:checked=move || dtr.get()
                        on:change=move |ev| { dtr.set(event_target_checked(&ev)); apply_dtr() }/>"DTR"</label>
                    <label><input type="checkbox" data-testid="rts" prop:checked=move || rts.get()
                        on:change=move |ev| { rts.set(event_target_checked(&ev)); apply_rts() }/>"RTS"</label>
                    <span class="status" data-testid="serial-status">
                        {move || if connected.get() { t(lang.get(), "reader.connected") } else if lost.get() { t(lang.get(), "reader.lost_short") } else { t(lang.get(), "reader.disconnected") }}
                    </span>
                </div>
                <div class="line ports" hidden=move || source.get() != "serial" || port_labels.get().is_empty()>
                    <span>{move || t(lang.get(), "reader.granted")}</span>
                    <ul data-testid="granted-ports">
                        {move || port_labels.get().into_iter().enumerate().map(|(i, label)| view! {
                            <li><span class="port">{label}</span>" "
                                <button class="small" data-testid="port-use" prop:disabled=move || connected.get() on:click=move |_| use_port(i)>{move || t(lang.get(), "reader.use_port")}</button>" "
                                <button class="small" data-testid="port-forget" prop:disabled=move || connected.get() on:click=move |_| forget_port(i)>{move || t(lang.get(), "reader.forget")}</button>
                            </li>
                        }).collect_view()}
                    </ul>
                </div>
                <div class="send" hidden=move || source.get() != "serial">
                    <input data-testid="tx-input" spellcheck="false" aria-label=move || t(lang.get(), "reader.tx_input") prop:value=move || tx_text.get() on:input=move |ev| tx_text.set(event_target_value(&ev))/>
                    <select data-testid="tx-ending" aria-label=move || t(lang.get(), "reader.tx_ending") prop:value=move || tx_ending.get()
                        on:change=move |ev| tx_ending.set(event_target_value(&ev))>
                        {options(&[("", "—"), ("cr", "+ CR"), ("lf", "+ LF"), ("crlf", "+ CR LF")])}
                    </select>
                    <button data-testid="send" prop:disabled=move || !connected.get() || busy.get() on:click=send>{move || t(lang.get(), "reader.send")}</button>
                </div>
            })}
            <div class="line" hidden=move || source.get() != "replay">
                <button data-testid="replay-load" on:click=load_replay>{move || t(lang.get(), "reader.replay_load")}</button>
                <label class="file-open">{move || t(lang.get(), "reader.replay_import")}
                    <input type="file" accept=".json,application/json" data-testid="replay-file" on:change=import_replay/>
                </label>
                <span class="status" data-testid="replay-info">{move || replay_info.get()}</span>
            </div>
            <params::ParamsPanel lang=lang proto=proto selection=selection opts=opts/>
            <params::QuantityPicker lang=lang proto=proto picked=picked_names/>
            <div class="flows">
                {flow_buttons}
                <button data-testid="flow-cancel" prop:disabled=move || !busy.get() on:click=stop>{move || t(lang.get(), "reader.cancel")}</button>
                <span class="status" data-testid="flow-status">{move || busy.get().then_some("… ")}{move || status.get()}" "{move || progress.get()}
                    {move || {
                        let (done, total) = sigs.steps.get();
                        (total > 1).then(|| view! {
                            " "<progress data-testid="flow-progress" max=total value=done></progress>
                            <span data-testid="flow-count">{format!(" {done} / {total}")}</span>
                        })
                    }}
                    {move || {
                        let (n, b) = sigs.echoes.get();
                        (n > 0).then(|| format!(" · {}: {n} ({b} {})", t(lang.get(), "reader.echoes"), t(lang.get(), "bytes")))
                    }}
                </span>
            </div>
            <div class="flows poll" hidden=move || !proto.get().flows().contains(&Flow::Read)>
                <button data-testid="poll" class:active=move || polling.get() prop:disabled=move || busy.get() && !polling.get() on:click=poll_toggle>
                    {move || t(lang.get(), if polling.get() { "reader.poll_stop" } else { "reader.poll" })}
                </button>
                <label>{move || t(lang.get(), "reader.every")}" "
                    <input type="number" min="1" max="3600" step="1" data-testid="poll-seconds" class="num" prop:value=move || poll_secs.get()
                        on:input=move |ev| poll_secs.set(event_target_value(&ev))
                        on:change=move |ev| {
                            // 1 s to an hour: a faster poll only queues requests behind the meter's replies.
                            let v = event_target_value(&ev).trim().parse::<f64>().unwrap_or(5.0);
                            poll_secs.set(format!("{}", v.clamp(1.0, 3600.0).round()));
                        }/>" s"</label>
            </div>
            <p class="meter" data-testid="meter-address">{move || address.get().map(|a| format!("{}: {a}", t(lang.get(), "reader.meter")))}</p>
            <p class="telegram" data-testid="telegram" hidden=move || telegram.get().is_empty()>{move || telegram.get()}</p>
            <h2>{move || t(lang.get(), "reader.results")}
                " "<button class="small" data-testid="results-csv" on:click=move |_| crate::export::download("meterscope-readings.csv", "text/csv", &results_csv(&results.get_untracked()))>"CSV"</button>
                " "<button class="small" data-testid="results-json" on:click=move |_| crate::export::download("meterscope-readings.json", "application/json", &results_json(&results.get_untracked(), table.get_untracked().as_ref()))>"JSON"</button>
                " "<button class="small" data-testid="quantities-json" hidden=move || sigs.dtu.with(Option::is_none)
                    on:click=move |_| crate::export::download("meterscope-quantities.json", "application/json", &sigs.dtu.get_untracked().unwrap_or_default())>
                    {move || t(lang.get(), "reader.quantities_json")}</button>
                " "<button class="small" on:click=move |_| { results.set(Vec::new()); table.set(None); reports.set(Vec::new()); history.set(Vec::new()); sigs.polls.set(Vec::new()); sigs.dtu.set(None); }>{move || t(lang.get(), "reader.clear")}</button>
            </h2>
            <p class="polls" data-testid="polls" hidden=move || sigs.polls.with(Vec::is_empty)>
                {move || {
                    let (rows, times) = sigs.polls.with(|l| {
                        let mut times: Vec<u64> = l.iter().map(|(at, _)| *at as u64).collect();
                        times.dedup();
                        (l.len(), times.len())
                    });
                    format!("{}: {times} · {rows} {}", t(lang.get(), "reader.polls_kept"), t(lang.get(), "reader.readings"))
                }}
                " "<button class="small" data-testid="polls-csv" on:click=move |_| crate::export::download("meterscope-polls.csv", "text/csv", &sigs.polls.with_untracked(|l| polls_csv(l)))>"CSV"</button>
                " "<button class="small" data-testid="polls-json" on:click=move |_| crate::export::download("meterscope-polls.json", "application/json", &sigs.polls.with_untracked(|l| polls_json(l)))>"JSON"</button>
            </p>
            <table class="results" data-testid="results">
                {move || results.get().into_iter().map(|r| view! {
                    <tr class:error=r.error><td class="id">{r.id}</td><td>{r.name}</td><td class="value">{r.value.to_string()}</td><td>{r.unit}</td></tr>
                }).collect_view()}
            </table>
            <chart::Chart history=history lang=lang/>
            {move || table.get().map(|tb| {
                let csv = table_csv(&tb);
                view! {
                    <h2>{tb.title.clone()}" "<button class="small" data-testid="table-csv" on:click=move |_| crate::export::download("meterscope-table.csv", "text/csv", &csv)>"CSV"</button></h2>
                    <table class="results records" data-testid="records">
                        <thead><tr>{tb.columns.iter().map(|c| view! { <th>{c.clone()}</th> }).collect_view()}</tr></thead>
                        <tbody>{tb.rows.iter().map(|row| view! { <tr>{row.iter().map(|c| view! { <td>{c.clone()}</td> }).collect_view()}</tr> }).collect_view()}</tbody>
                    </table>
                }
            })}
            <div hidden=move || reports.get().is_empty()>
                <h2>{move || t(lang.get(), "reader.reports")}</h2>
                <ol class="reports" data-testid="reports">
                    {move || reports.get().into_iter().map(|(at, text)| view! { <li><span class="ts">{format!("{at:.0} ms")}</span>" "{text}</li> }).collect_view()}
                </ol>
            </div>
            <h2>{move || t(lang.get(), "reader.trace")}" "<button class="small" on:click=move |_| trace.set(Vec::new())>{move || t(lang.get(), "reader.clear")}</button>
                " "<button class="small" data-testid="trace-text" on:click=move |_| crate::export::download("meterscope-trace.txt", "text/plain", &trace::text(&trace.get_untracked()))>{move || t(lang.get(), "reader.text")}</button>
                " "<button class="small" data-testid="trace-json" on:click=move |_| {
                    let json = trace::json(&trace.get_untracked(), proto.get_untracked().id(), &line_settings().to_string());
                    crate::export::download("meterscope-trace.json", "application/json", &json)
                }>"JSON"</button>
                <super::stream::StreamControls lang=lang status=status trace=trace/></h2>
            <div class="line trace-filter">
                <select data-testid="trace-dir" aria-label=move || t(lang.get(), "reader.trace_dir") prop:value=move || trace_dir.get() on:change=move |ev| trace_dir.set(event_target_value(&ev))>
                    <option value="all">{move || t(lang.get(), "reader.trace_all")}</option>
                    <option value="tx">{move || t(lang.get(), "reader.tx")}</option>
                    <option value="rx">{move || t(lang.get(), "reader.rx")}</option>
                    <option value="note">{move || t(lang.get(), "reader.trace_notes")}</option>
                </select>
                <input data-testid="trace-find" spellcheck="false" placeholder=move || t(lang.get(), "reader.trace_find")
                    prop:value=move || trace_find.get() on:input=move |ev| trace_find.set(event_target_value(&ev))/>
                <label><input type="checkbox" data-testid="trace-as-text" prop:checked=move || trace_as_text.get()
                    on:change=move |ev| trace_as_text.set(event_target_checked(&ev))/>{move || t(lang.get(), "reader.trace_as_text")}</label>
            </div>
            <ol class="trace" data-testid="trace">
                // Keyed by entry (its number; its length, which grows while a reply
                // arrives) and by how it is shown: a new entry adds its row, the others stay.
                <For each=move || {
                    let want = trace_dir.get();
                    let l = lang.get();
                    let as_text = trace_as_text.get();
                    // Hex looked for without separators and case; the bytes as text, notes
                    // and summaries by their words (case ignored).
                    let raw = trace_find.get();
                    let find: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
                    let words = raw.trim().to_ascii_lowercase();
                    trace.get().into_iter().filter(|e| {
                        let dir = if e.note.is_some() { "note" } else if e.tx { "tx" } else { "rx" };
                        (want == "all" || want == dir)
                            && (find.is_empty()
                                || to_hex(&e.bytes).replace(' ', "").contains(&find)
                                || e.bytes.to_ascii_lowercase().windows(words.len().max(1)).any(|w| w == words.as_bytes())
                                || e.note.as_deref().is_some_and(|n| n.to_ascii_lowercase().contains(&words))
                                || summary_of(e, l).to_ascii_lowercase().contains(&words))
                    }).map(|e| (e, as_text, l)).collect::<Vec<_>>()
                }
                key=|(e, as_text, l)| (e.seq, e.bytes.len(), *as_text, *l == Lang::Zh)
                children=move |(e, as_text, l)| {
                    let dir = if e.note.is_some() { "note" } else if e.tx { "tx" } else { "rx" };
                    let hex = to_hex(&e.bytes);
                    let hex2 = hex.clone();
                    let shown = if as_text { meterscope_core::to_text(&e.bytes) } else { hex };
                    let summary = summary_of(&e, l);
                    view! {
                        <li class=format!("t {dir}{}", if e.warn { " warn" } else { "" })>
                            <span class="ts">{format!("{:.0} ms", e.at_ms)}</span>
                            <span class="dir">{move || t(lang.get(), if e.tx { "reader.tx" } else { "reader.rx" })}</span>
                            {(!summary.is_empty()).then(|| view! { <span class="sum" data-testid="trace-summary">{summary}</span> })}
                            <code class="bytes">{shown}</code>
                            {e.note.clone().map(|n| view! { <span class="note">{n}</span> })}
                            {(!e.bytes.is_empty()).then(|| view! { <super::inline::Dissected hex=to_hex(&e.bytes) lang=lang/> })}
                            {(!e.bytes.is_empty()).then(|| view! {
                                <button class="to-decoder" on:click=move |_| st.to_decoder.with_value(|f| f(hex2.clone()))>
                                    {move || t(lang.get(), "reader.decode")}
                                </button>
                            })}
                        </li>
                    }
                }/>
            </ol>
        </section>
    }
}
