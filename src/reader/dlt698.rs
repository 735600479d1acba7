//! DL/T 698.45 flows: find the meter (4001), read OADs with units, read the
//! clock, read the last N day-freeze records, and an event monitor that
//! lists the active reports the session answers.

use std::time::Duration;

use meterscope_core::protocols::dlt698::codec::{Data, Ms, Rsd};
use meterscope_core::protocols::dlt698::data::tag::DATE_TIME_S;
use meterscope_core::protocols::dlt698::session::{
    Config, Dlt698Event, Dlt698Session, Notice, Reading as R698, Record,
};
use meterscope_core::session::Millis;

use leptos::prelude::*;

use std::cell::RefCell;
use std::rc::Rc;

use meterscope_core::quantity::{Family, Reads};

use super::{Ctx, Flow, Params, Reading, Table, now_iso, picked, show_quantities};
use crate::reader::strings::t;
use crate::transport::now_ms;
use meterscope_core::client::targets::{self, Dlt698Target};

/// OADs read by default: energies, voltages, currents, power, power factor, frequency.
pub const DEFAULT_OADS: &str = "00100200 00200200 20000200 20010200 20040200 200A0200 200F0200";
/// The day freeze.
const DAY_FREEZE: u32 = 0x5004_0200;
/// Interval between the demo meter's active reports while the monitor runs, ms.
const DEMO_REPORT_EVERY: u64 = 1500;

/// The rows of one OAD's value.
fn readings(r: &R698) -> Vec<Reading> {
    meterscope_core::client::item_rows(&r.canonical, &r.name, &r.items, false)
}

/// A record as a table: headers from the items of the first row (with units).
fn table(r: &Record) -> Table {
    let columns = match r.rows.first() {
        Some(row) => row
            .iter()
            .map(|i| if i.unit.is_empty() { i.label.clone() } else { format!("{} ({})", i.label, i.unit) })
            .collect(),
        None => r.columns.clone(),
    };
    Table {
        title: format!("{} {}", r.canonical, r.name),
        columns,
        rows: r.rows.iter().map(|row| row.iter().map(|i| i.value.to_string()).collect()).collect(),
    }
}

fn report_text(values: &[R698], records: &[Record]) -> String {
    let mut parts: Vec<String> = values
        .iter()
        .map(|v| {
            let items: Vec<String> = v.items.iter().map(|i| i.with_unit()).collect();
            format!("{} {}: {}", v.canonical, v.name, items.join(", "))
        })
        .collect();
    parts.extend(records.iter().map(|r| format!("{} {}: {} row(s)", r.canonical, r.name, r.rows.len())));
    parts.join("; ")
}

pub(super) async fn run(flow: Flow, p: &Params, cx: &Ctx) -> Result<(), String> {
    let lang = cx.lang;
    // OADs, and OAD@N for a record object's N-th last record, as the CLI takes them.
    let targets = if flow == Flow::Read { targets::dlt698_targets(&p.selection, lang)? } else { Vec::new() };
    // Named quantities: their OADs each read once, record objects' latest records by their columns.
    let reads = match flow {
        Flow::Quantities => Some(Rc::new(RefCell::new(picked(p, Family::Dlt698)?))),
        _ => None,
    };
    let known = p.address.as_deref().and_then(|a| targets::dlt698_address(a, lang).ok());
    let o = &p.opts.dlt698;
    let (client_address, connect, password) = (o.client_address(lang)?, o.connect(lang)?, o.password());
    let cfg = Config { line: p.line, lang, client_address, connect, password, ..Config::default() };
    let mut session = Dlt698Session::new(cfg, known.as_deref());
    cx.sigs.expect(targets.len());
    if let Some(r) = &reads {
        let (oads, records) = r.borrow().dlt698_targets();
        cx.sigs.expect(oads.len() + records.len());
    }
    let now = Millis(0);
    let mut keep_alive = false;
    match flow {
        Flow::Find => session.find_meter(now),
        Flow::Read | Flow::Quantities | Flow::Clock | Flow::Sync | Flow::Records if known.is_none() => {
            session.find_meter(now)
        }
        _ => {}
    }
    match flow {
        Flow::Read => {
            // Runs of OADs go in one GET-Request-NormalList; records on their own.
            let mut run = Vec::new();
            for t in &targets {
                match *t {
                    Dlt698Target::Oad(o) => run.push(o),
                    Dlt698Target::Record(o, n) => {
                        if !run.is_empty() {
                            session.get(now, &std::mem::take(&mut run));
                        }
                        session.get_record(now, o, Rsd::S9(n), &[]);
                    }
                }
            }
            if !run.is_empty() {
                session.get(now, &run);
            }
        }
        Flow::Quantities => {
            let (oads, records) = reads.as_ref().map(|r| r.borrow().dlt698_targets()).unwrap_or_default();
            for oad in oads {
                session.get(now, &[oad]);
            }
            for (record, columns) in records {
                session.get_record(now, record, Rsd::S9(1), &columns);
            }
        }
        Flow::Clock => session.get(now, &[0x4000_0200]),
        // Set the clock (4000 attribute 2) to the computer's time, then read it back.
        Flow::Sync => {
            let tm = super::local_now();
            let mut bytes = tm.year.to_be_bytes().to_vec();
            bytes.extend_from_slice(&[tm.month, tm.day, tm.hour, tm.minute, tm.second]);
            session.set(now, 0x4000_0200, Data::Fixed { tag: DATE_TIME_S, bytes });
            session.get(now, &[0x4000_0200]);
        }
        Flow::Records => session.get_record(now, DAY_FREEZE, Rsd::S10(o.records(lang)?, Ms::All), &[]),
        Flow::Monitor => keep_alive = true,
        _ => {}
    }
    // The demo meter raises an active report now and then while the monitor runs.
    if keep_alive && let Some(demo) = cx.demo.clone() {
        let cancel = cx.cancel.clone();
        leptos::task::spawn_local(async move {
            let mut n = 0u32;
            loop {
                gloo_timers::future::sleep(Duration::from_millis(DEMO_REPORT_EVERY)).await;
                if cancel.get() {
                    break;
                }
                if let Err(e) = demo.borrow().report(!n.is_multiple_of(2)) {
                    web_sys::console::warn_1(&e.into());
                    break;
                }
                n += 1;
            }
        });
    }
    let s = cx.sigs;
    let taken = reads.clone();
    let take = move |f: &dyn Fn(&mut Reads) -> bool| taken.as_ref().is_some_and(|r| f(&mut r.borrow_mut()));
    let counted = flow == Flow::Read;
    cx.drive(&mut session, keep_alive, move |e| match e {
        Dlt698Event::Value(r) if take(&|q| q.take_dlt698(&r, &now_iso())) => s.step(),
        Dlt698Event::Record(r) if take(&|q| q.take_dlt698_record(&r, &now_iso())) => s.step(),
        Dlt698Event::Error { oad, failure } if take(&|_| true) => {
            s.step();
            take(&|q| {
                q.fail_dlt698(oad, &failure.text(lang));
                true
            });
        }
        Dlt698Event::MeterFound(a) => {
            s.address.set(Some(a.clone()));
            s.push(Reading::new("4001", t(lang, "reader.meter"), a, ""));
        }
        Dlt698Event::Value(r) => {
            s.step();
            if r.oad == 0x4000_0200 {
                let v = r.items.first().map(|i| i.value.clone()).unwrap_or_default();
                s.clock(&r.canonical, lang, v.to_string());
            } else {
                readings(&r).into_iter().for_each(|x| s.push(x));
            }
        }
        Dlt698Event::Record(r) => {
            // A record asked for by OAD@N counts as one of the read's items.
            if counted {
                s.step();
            }
            s.status.set(format!("{} {}: {} {}", r.canonical, r.name, r.rows.len(), t(lang, "reader.rows")));
            s.table.set(Some(table(&r)));
        }
        Dlt698Event::Written { oad, dar } => s.note(format!("{oad:08X} written, DAR {dar}")),
        Dlt698Event::Report { values, records } => {
            s.reports.update(|l| l.push((now_ms(), report_text(&values, &records))));
            values.iter().flat_map(readings).for_each(|x| s.push(x));
        }
        Dlt698Event::FollowReport { values, records } => {
            s.reports.update(|l| l.push((now_ms(), format!("FollowReport: {}", report_text(&values, &records)))));
        }
        Dlt698Event::Error { oad, failure } => {
            s.step();
            s.push_error(&oad.map(|o| format!("{o:08X}")).unwrap_or_default(), failure.text(lang))
        }
        Dlt698Event::Notice(n) => {
            if matches!(n, Notice::Echo) {
                s.echo();
                s.note(n.text(lang))
            } else {
                s.warn(n.text(lang))
            }
        }
        Dlt698Event::Done => {}
    })
    .await;
    if let Some(r) = reads {
        show_quantities(&r.borrow(), cx, "dlt698");
    }
    Ok(())
}
