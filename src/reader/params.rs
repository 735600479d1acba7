//! The protocol-specific options of the reader (identifiers, DL/T 698.45
//! connection, DLMS association and profile range, IEC 62056-21 mode,
//! M-Bus scan, Q/GDW 1376 targets): a component over the page's one
//! `ReaderOptions` signal, and the quantity picker.

use leptos::prelude::*;
use meterscope_core::Lang;
use meterscope_core::quantity;

use meterscope_ui::reader_options::ReaderOptions;

use super::strings::t;
use super::{Proto, options};

/// A text field of the options: how to read it and where to write it.
type Field = (fn(&ReaderOptions) -> &String, fn(&mut ReaderOptions) -> &mut String);

/// A text field of `ReaderOptions` by its path (`dlms.client`).
macro_rules! field {
    ($($f:ident).+) => {
        ((|o: &ReaderOptions| &o.$($f).+) as fn(&ReaderOptions) -> &String, (|o: &mut ReaderOptions| &mut o.$($f).+) as fn(&mut ReaderOptions) -> &mut String)
    };
}

/// The options of the protocol chosen: each field edits the page's one
/// [`ReaderOptions`] (typed per family, checked in `meterscope_ui`).
#[component]
pub fn ParamsPanel(
    proto: RwSignal<Proto>,
    selection: RwSignal<String>,
    opts: RwSignal<ReaderOptions>,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    let text_input = move |(get, set): Field, testid: &'static str, class: &'static str| {
        view! { <input data-testid=testid class=class spellcheck="false" prop:value=move || opts.with(|o| get(o).clone())
        on:input=move |ev| opts.update(|o| *set(o) = event_target_value(&ev))/> }
    };
    let select = move |(get, set): Field, testid: &'static str, choices: AnyView| {
        view! { <select data-testid=testid prop:value=move || opts.with(|o| get(o).clone())
        on:change=move |ev| opts.update(|o| *set(o) = event_target_value(&ev))>{choices}</select> }
    };
    let check = move |get: fn(&ReaderOptions) -> bool, set: fn(&mut ReaderOptions, bool), testid: &'static str| {
        view! { <input type="checkbox" data-testid=testid prop:checked=move || opts.with(get)
        on:change=move |ev| opts.update(|o| set(o, event_target_checked(&ev)))/> }
    };
    let label = move |key: &'static str| move || t(lang.get(), key);
    view! {
            <div class="params">
                <label class="dis" hidden=move || proto.get().selection().1.is_empty()>{move || t(lang.get(), proto.get().selection().1)}
                    <input data-testid="dis" spellcheck="false" prop:value=move || selection.get()
                        on:input=move |ev| selection.set(event_target_value(&ev))/>
                </label>
                <div class="line" hidden=move || proto.get() != Proto::Dlt698>
                    <label>{label("reader.records_n")}" "{text_input(field!(dlt698.records), "records-n", "num")}</label>
                    <label>{label("reader.client_address")}" "{text_input(field!(dlt698.client_address), "client-address", "")}</label>
                    <label>{label("reader.connect_mode")}" "
                        {select(field!(dlt698.connect), "connect-mode", view! {
                            <option value="auto">{label("reader.connect_auto")}</option>
                            <option value="always">{label("reader.connect_always")}</option>
                            <option value="never">{label("reader.connect_never")}</option>
                        }.into_any())}
                    </label>
                    <label>{label("reader.connect_password")}" "{text_input(field!(dlt698.password), "connect-password", "")}</label>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Dlms>
                    <label>{label("reader.client")}" "{text_input(field!(dlms.client), "dlms-client", "num")}</label>
                    <label>{label("reader.server")}" "{text_input(field!(dlms.server), "dlms-server", "num")}</label>
                    <label>{label("reader.physical")}" "{text_input(field!(dlms.physical), "dlms-physical", "num")}</label>
                    <label>{label("reader.link")}" "
                        {select(field!(dlms.link), "dlms-link", view! {
                            <option value="hdlc">{label("reader.link_hdlc")}</option>
                            <option value="wrapper">{label("reader.link_wrapper")}</option>
                        }.into_any())}
                    </label>
                    <label>{label("reader.auth")}" "
                        <select data-testid="dlms-auth" prop:value=move || opts.with(|o| o.dlms.auth.clone())
                            on:change=move |ev| opts.update(|o| o.dlms.set_auth(&event_target_value(&ev)))>
                            <option value="none">{label("reader.auth_none")}</option>
                            <option value="low">{label("reader.auth_low")}</option>
                            <option value="high">{label("reader.auth_high")}</option>
                        </select>
                    </label>
                    <label hidden=move || opts.with(|o| o.dlms.auth != "low")>{label("reader.password")}" "{text_input(field!(dlms.password), "dlms-password", "")}</label>
                    <label>{check(|o| o.dlms.cipher, |o, v| o.dlms.cipher = v, "dlms-cipher")}{label("reader.cipher")}</label>
                    <span class="hint">{label("reader.keys_hint")}</span>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Dlms>
                    <label>{label("reader.from")}" "{text_input(field!(dlms.from), "profile-from", "")}</label>
                    <label>{label("reader.to")}" "{text_input(field!(dlms.to), "profile-to", "")}</label>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Qgdw13762>
                    <label>{check(|o| o.qgdw1376.add_nodes, |o, v| o.qgdw1376.add_nodes = v, "add-nodes")}{label("reader.add_nodes")}</label>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Mbus>
                    <label>{label("reader.mbus_scan")}" "{text_input(field!(mbus.scan), "mbus-scan", "")}</label>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Wmbus>
                    <span class="hint" data-testid="wmbus-hint">{label("reader.wmbus_hint")}</span>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Qgdw13761>
                    <label>{label("reader.terminal")}" "{text_input(field!(qgdw1376.terminal), "terminal-address", "")}</label>
                </div>
                <div class="line" hidden=move || proto.get() != Proto::Iec>
                    <label>{label("reader.mode")}" "
                        {select(field!(iec.mode), "iec-mode", options(&[("A", "A"), ("B", "B"), ("C", "C"), ("E", "E (→ DLMS)")]).into_any())}
                    </label>
                    <label>{label("reader.iec_address")}" "{text_input(field!(iec.address), "iec-address", "")}</label>
                    <label>{label("reader.password")}" "{text_input(field!(iec.password), "iec-password", "")}</label>
                    <label>{label("reader.settle")}" "{text_input(field!(iec.settle), "iec-settle", "num")}</label>
                    <label>{label("reader.max_baud")}" "{text_input(field!(iec.max_baud), "iec-max-baud", "num")}</label>
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
