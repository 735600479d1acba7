//! DL/T 645-2007 flows: find the meter, read a selection, read and sync the clock.

use meterscope_core::client::item_rows;
use meterscope_core::client::targets::dlt645_di_text;
use meterscope_core::protocols::dlt645::session::{Config, Dlt645Event, Dlt645Session, Notice};
use meterscope_core::protocols::dlt645::{Address, Variant};
use meterscope_core::session::Millis;

use leptos::prelude::*;

use std::cell::RefCell;
use std::rc::Rc;

use meterscope_core::quantity::Family;

use super::{Ctx, Flow, Params, Reading, local_now, now_iso, parse_dis, picked, show_quantities};
use crate::reader::strings::t;

/// Identifiers read by default: energy, voltages, currents, power, frequency, address.
pub const DEFAULT_DIS: &str = "00010000 00020000 0201FF00 0202FF00 02030000 02060000 02800002 04000401";

pub(super) async fn run(flow: Flow, p: &Params, cx: &Ctx) -> Result<(), String> {
    let lang = cx.lang;
    let dis = if flow == Flow::Read { parse_dis(&p.selection, lang)? } else { Vec::new() };
    // Named quantities: their identifiers, each read once; the answers go to the read.
    let reads = match flow {
        Flow::Quantities => Some(Rc::new(RefCell::new(picked(p, Family::Dlt645)?))),
        _ => None,
    };
    let dis = reads.as_ref().map_or(dis, |r| r.borrow().dlt645_dis());
    let known = p.address.as_deref().and_then(Address::parse);
    let cfg = Config { variant: Variant::V2007, line: p.line, lang, ..Config::default() };
    let mut session = Dlt645Session::new(cfg, known);
    cx.sigs.expect(dis.len());
    let start = Millis(0);
    match flow {
        Flow::Find => session.find_meter(start),
        Flow::Read | Flow::Quantities => session.read(start, &dis),
        Flow::Clock => session.read_clock(start),
        Flow::Sync => session.sync_clock(start, local_now()),
        _ => return Ok(()),
    }
    let s = cx.sigs;
    let taken = reads.clone();
    cx.drive(&mut session, false, move |e| match e {
        Dlt645Event::Value { di, items, .. }
            if taken.as_ref().is_some_and(|r| r.borrow_mut().take_dlt645(di, &items, &now_iso())) =>
        {
            s.step()
        }
        Dlt645Event::Error { di, failure } if taken.is_some() => {
            s.step();
            if let Some(r) = &taken {
                r.borrow_mut().fail_dlt645(di, &failure.text(lang));
            }
        }
        Dlt645Event::MeterFound(a) => {
            s.address.set(Some(a.digits()));
            s.push(Reading::new("address", t(lang, "reader.meter"), a.digits(), ""));
        }
        Dlt645Event::Value { canonical, name, items, complete, .. } => {
            s.step();
            for mut r in item_rows(&canonical, &name, &items, true) {
                if !complete {
                    r.value = format!("{} (incomplete)", r.value).into();
                }
                s.push(r);
            }
        }
        Dlt645Event::Clock(c) => s.clock("clock", lang, c.to_string()),
        Dlt645Event::TimeBroadcast(c) => s.status.set(format!("{} {c}", t(lang, "reader.synced"))),
        Dlt645Event::Error { di, failure } => {
            s.step();
            s.push_error(&di.map(|d| dlt645_di_text(d, Variant::V2007)).unwrap_or_default(), failure.text(lang))
        }
        Dlt645Event::Notice(n) => {
            if matches!(n, Notice::Echo) {
                s.echo();
                s.note(n.text(lang))
            } else {
                s.warn(n.text(lang))
            }
        }
        Dlt645Event::Done => {}
    })
    .await;
    if let Some(r) = reads {
        show_quantities(&r.borrow(), cx, "dlt645");
    }
    Ok(())
}
