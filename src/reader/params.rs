//! The protocol-specific options of the reader (identifiers, DL/T 698.45
//! connection, DLMS association and profile range, IEC 62056-21 mode,
//! M-Bus scan, Q/GDW 1376 targets): a component over the page's signals.

use leptos::prelude::*;
use meterscope_core::Lang;
use meterscope_core::quantity;

use super::strings::t;
use super::{Proto, options};

/// The page's signals the options edit (all `Copy`).
#[derive(Clone, Copy)]
pub struct ParamSigs {
    pub proto: RwSignal<Proto>,
    pub selection: RwSignal<String>,
    pub records_n: RwSignal<String>,
    pub client_address: RwSignal<String>,
    pub connect_mode: RwSignal<String>,
    pub connect_password: RwSignal<String>,
    pub dlms_client: RwSignal<String>,
    pub dlms_server: RwSignal<String>,
    pub dlms_physical: RwSignal<String>,
    pub dlms_link: RwSignal<String>,
    pub dlms_auth: RwSignal<String>,
    pub dlms_password: RwSignal<String>,
    pub dlms_cipher: RwSignal<bool>,
    pub from: RwSignal<String>,
    pub to: RwSignal<String>,
    pub add_nodes: RwSignal<bool>,
    pub mbus_scan: RwSignal<String>,
    pub terminal_address: RwSignal<String>,
    pub iec_mode: RwSignal<String>,
    pub iec_address: RwSignal<String>,
    pub password: RwSignal<String>,
    pub settle: RwSignal<String>,
    pub max_baud: RwSignal<String>,
}

/// The options of the protocol chosen.
#[component]
pub fn ParamsPanel(p: ParamSigs, lang: RwSignal<Lang>) -> impl IntoView {
    let ParamSigs {
        proto,
        selection,
        records_n,
        client_address,
        connect_mode,
        connect_password,
        dlms_client,
        dlms_server,
        dlms_physical,
        dlms_link,
        dlms_auth,
        dlms_password,
        dlms_cipher,
        from,
        to,
        add_nodes,
        mbus_scan,
        terminal_address,
        iec_mode,
        iec_address,
        password,
        settle,
        max_baud,
    } = p;
    let text_input = |sig: RwSignal<String>, testid: &'static str, class: &'static str| {
        view! { <input data-testid=testid class=class spellcheck="false" prop:value=move || sig.get()
        on:input=move |ev| sig.set(event_target_value(&ev))/> }
    };
    view! {
            <div class="params">
                <label class="dis" hidden=move || proto.get().selection().1.is_empty()>{move || t(lang.get(), proto.get().selection().1)}
                    {text_input(selection, "dis", "")}
                </label>
                <div class="line" hidden=move || proto.get() != Proto::Dlt698>
                    <label>{move || t(lang.get(), "reader.records_n")}" "{text_input(records_n, "records-n", "num")}</label>
                    <label>{move || t(lang.get(), "reader.client_address")}" "{text_input(client_address, "client-address", "")}</label>
                    <label>{move || t(lang.get(), "reader.connect_mode")}" "
                        <select data-testid="connect-mode" prop:value=move || connect_mode.get() on:change=move |ev| connect_mode.set(event_target_value(&ev))>
                            <option value="auto">{move || t(lang.get(), "reader.connect_auto")}</option>
                            <option value="always">{move || t(lang.get(), "reader.connect_always")}</option>
                            <option value="never">{move || t(lang.get(), "reader.connect_never")}</option>
                        </select>
                    </label>
                    <label>{move || t(lang.get(), "reader.connect_password")}" "{text_input(connect_password, "connect-password", "")}</label>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Dlms>
                    <label>{move || t(lang.get(), "reader.client")}" "{text_input(dlms_client, "dlms-client", "num")}</label>
                    <label>{move || t(lang.get(), "reader.server")}" "{text_input(dlms_server, "dlms-server", "num")}</label>
                    <label>{move || t(lang.get(), "reader.physical")}" "{text_input(dlms_physical, "dlms-physical", "num")}</label>
                    <label>{move || t(lang.get(), "reader.link")}" "
                        <select data-testid="dlms-link" prop:value=move || dlms_link.get() on:change=move |ev| dlms_link.set(event_target_value(&ev))>
                            <option value="hdlc">{move || t(lang.get(), "reader.link_hdlc")}</option>
                            <option value="wrapper">{move || t(lang.get(), "reader.link_wrapper")}</option>
                        </select>
                    </label>
                    <label>{move || t(lang.get(), "reader.auth")}" "
                        <select data-testid="dlms-auth" prop:value=move || dlms_auth.get() on:change=move |ev| {
                            let v = event_target_value(&ev);
                            // The demo meter's clients: 16 public (none), 1 with a password or HLS.
                            dlms_client.set(if v == "none" { "16".into() } else { "1".into() });
                            dlms_auth.set(v);
                        }>
                            <option value="none">{move || t(lang.get(), "reader.auth_none")}</option>
                            <option value="low">{move || t(lang.get(), "reader.auth_low")}</option>
                            <option value="high">{move || t(lang.get(), "reader.auth_high")}</option>
                        </select>
                    </label>
                    <label hidden=move || dlms_auth.get() != "low">{move || t(lang.get(), "reader.password")}" "{text_input(dlms_password, "dlms-password", "")}</label>
                    <label><input type="checkbox" data-testid="dlms-cipher" prop:checked=move || dlms_cipher.get()
                        on:change=move |ev| dlms_cipher.set(event_target_checked(&ev))/>{move || t(lang.get(), "reader.cipher")}</label>
                    <span class="hint">{move || t(lang.get(), "reader.keys_hint")}</span>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Dlms>
                    <label>{move || t(lang.get(), "reader.from")}" "{text_input(from, "profile-from", "")}</label>
                    <label>{move || t(lang.get(), "reader.to")}" "{text_input(to, "profile-to", "")}</label>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Qgdw13762>
                    <label><input type="checkbox" data-testid="add-nodes" prop:checked=move || add_nodes.get()
                        on:change=move |ev| add_nodes.set(event_target_checked(&ev))/>{move || t(lang.get(), "reader.add_nodes")}</label>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Mbus>
                    <label>{move || t(lang.get(), "reader.mbus_scan")}" "{text_input(mbus_scan, "mbus-scan", "")}</label>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Wmbus>
                    <span class="hint" data-testid="wmbus-hint">{move || t(lang.get(), "reader.wmbus_hint")}</span>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Qgdw13761>
                    <label>{move || t(lang.get(), "reader.terminal")}" "{text_input(terminal_address, "terminal-address", "")}</label>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Iec>
                    <label>{move || t(lang.get(), "reader.mode")}" "
                        <select data-testid="iec-mode" prop:value=move || iec_mode.get() on:change=move |ev| iec_mode.set(event_target_value(&ev))>
                            {options(&[("A", "A"), ("B", "B"), ("C", "C"), ("E", "E (→ DLMS)")])}
                        </select>
                    </label>
                    <label>{move || t(lang.get(), "reader.iec_address")}" "{text_input(iec_address, "iec-address", "")}</label>
                    <label>{move || t(lang.get(), "reader.password")}" "{text_input(password, "iec-password", "")}</label>
                    <label>{move || t(lang.get(), "reader.settle")}" "{text_input(settle, "iec-settle", "num")}</label>
                    <label>{move || t(lang.get(), "reader.max_baud")}" "{text_input(max_baud, "iec-max-baud", "num")}</label>
                </div>
            </div>
    }
}

/// The named quantities a "Read quantities" flow reads, those of the protocol's family.
#[component]
pub fn QuantityPicker(
    lang: RwSignal<Lang>,
    proto: RwSignal<Proto>,
    picked: RwSignal<Vec<&'static str>>,
) -> impl IntoView {
    let picked_names = picked;
    view! {
            <fieldset class="quantities" data-testid="quantities" hidden=move || proto.get().family().is_none()>
                <legend>{move || t(lang.get(), "reader.quantities_pick")}</legend>
                {quantity::all().iter().map(|q| {
                    let name = q.name;
                    view! {
                        <label title=name hidden=move || !proto.get().family().is_some_and(|f| q.in_family(f))>
                            <input type="checkbox" data-testid=format!("quantity-{name}")
                                prop:checked=move || picked_names.with(|l| l.contains(&name))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    picked_names.update(|l| {
                                        l.retain(|n| *n != name);
                                        if on {
                                            l.push(name);
                                        }
                                    });
                                }/>
                            {move || q.title(lang.get())}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
    }
}
