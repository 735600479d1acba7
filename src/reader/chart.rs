//! The reader's chart of numeric readings over time: one value, and another
//! to compare with on its own axis; axes with the values' units and the
//! wall-clock times of the samples; a window (the last minute, ten minutes,
//! an hour, or all); the samples shown as CSV or the chart as a PNG image.
//!
//! The geometry ([`Axis`], [`plot`]) is plain functions of the samples, so
//! what the chart draws is tested without a browser.

use leptos::prelude::*;
use meterscope_core::Lang;
use wasm_bindgen::prelude::*;

use super::Sample;
use super::strings::t;
use crate::transport::now_ms;

/// Plot area inside the chart's view box (left, top, right, bottom).
const VIEW: (f64, f64) = (640.0, 220.0);
const PLOT: (f64, f64, f64, f64) = (70.0, 12.0, 570.0, 186.0);

/// A value axis: its range and three tick values.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub lo: f64,
    pub hi: f64,
}

impl Axis {
    /// The range of some values, widened a little so a flat line sits in the middle.
    pub fn of(values: impl Iterator<Item = f64>) -> Option<Axis> {
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        if !lo.is_finite() {
            return None;
        }
        let pad = if hi > lo { (hi - lo) * 0.05 } else { lo.abs().max(1.0) * 0.01 };
        Some(Axis { lo: lo - pad, hi: hi + pad })
    }

    /// Low, middle and high ticks.
    pub fn ticks(&self) -> [f64; 3] {
        [self.lo, (self.lo + self.hi) / 2.0, self.hi]
    }

    /// The y of a value in the plot area.
    pub fn y(&self, v: f64) -> f64 {
        let (_, top, _, bottom) = PLOT;
        bottom - (v - self.lo) / (self.hi - self.lo).max(1e-12) * (bottom - top)
    }
}

/// A tick's text: as many decimals as the range needs.
pub fn tick_text(v: f64, axis: &Axis) -> String {
    let span = (axis.hi - axis.lo).abs();
    let decimals = if span >= 100.0 {
        0
    } else if span >= 1.0 {
        2
    } else {
        ((-span.log10()).ceil() as usize + 2).min(8)
    };
    format!("{v:.decimals$}")
}

/// The polyline of samples `(time ms, value)` in the plot area, times from `t0` to `t1`.
pub fn plot(samples: &[(f64, f64)], t0: f64, t1: f64, axis: &Axis) -> String {
    let (left, _, right, _) = PLOT;
    let span = (t1 - t0).max(1e-9);
    samples
        .iter()
        .map(|&(t, v)| {
            // Placed by its time; in the middle when the chart spans no time at all.
            let x = if t1 > t0 { left + (t - t0) / span * (right - left) } else { (left + right) / 2.0 };
            format!("{x:.1},{:.1}", axis.y(v))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `HH:MM:SS` of a wall-clock time (ms since 1970), in the browser's time zone.
fn clock(ms: f64) -> String {
    let d = js_sys::Date::new(&JsValue::from_f64(ms));
    format!("{:02}:{:02}:{:02}", d.get_hours(), d.get_minutes(), d.get_seconds())
}

/// Page time (ms since load) to wall-clock time (ms since 1970).
fn wall(page_ms: f64) -> f64 {
    js_sys::Date::now() - now_ms() + page_ms
}

#[wasm_bindgen(inline_js = "export function svg_png(svg, name) {
    const text = new XMLSerializer().serializeToString(svg);
    const img = new Image();
    const box = svg.viewBox.baseVal;
    img.onload = () => {
        const c = document.createElement('canvas');
        c.width = box.width * 2; c.height = box.height * 2;
        const g = c.getContext('2d');
        g.fillStyle = getComputedStyle(svg).backgroundColor || '#fff';
        if (g.fillStyle === 'rgba(0, 0, 0, 0)') g.fillStyle = '#fff';
        g.fillRect(0, 0, c.width, c.height);
        g.drawImage(img, 0, 0, c.width, c.height);
        c.toBlob((b) => { const a = document.createElement('a'); a.href = URL.createObjectURL(b); a.download = name; a.click(); setTimeout(() => URL.revokeObjectURL(a.href), 1000); });
    };
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(text);
}")]
extern "C" {
    fn svg_png(svg: &web_sys::Element, name: &str);
}

/// The samples of the keys shown, as CSV: time (ISO 8601, UTC), value name, value, unit.
pub fn samples_csv(rows: &[(f64, &str, f64, &str)]) -> String {
    let mut out = String::from("time,value,number,unit\n");
    for (ms, key, v, unit) in rows {
        let iso = js_sys::Date::new(&JsValue::from_f64(*ms)).to_iso_string().as_string().unwrap_or_default();
        out.push_str(&format!("{iso},\"{}\",{v},{unit}\n", key.replace('"', "\"\"")));
    }
    out
}

/// The chart under the readings.
#[component]
pub fn Chart(history: RwSignal<Vec<Sample>>, lang: RwSignal<Lang>) -> impl IntoView {
    let first = RwSignal::new(String::new());
    let second = RwSignal::new(String::new());
    // The window shown, in seconds before the last sample (0: all).
    let window = RwSignal::new(0u32);
    let svg = NodeRef::<leptos::svg::Svg>::new();
    let keys = Memo::new(move |_| {
        let mut keys: Vec<(String, String)> = Vec::new();
        for s in history.get().iter() {
            if !keys.iter().any(|k| k.0 == s.key) {
                keys.push((s.key.clone(), s.unit.clone()));
            }
        }
        keys
    });
    let current = move |sig: RwSignal<String>, fallback: bool| {
        let keys = keys.get();
        let k = sig.get();
        if keys.iter().any(|x| x.0 == k) {
            Some(k)
        } else if fallback {
            keys.first().map(|x| x.0.clone())
        } else {
            None
        }
    };
    // The samples of one key inside the window: (page ms, value).
    let series = move |key: Option<String>| -> Vec<(f64, f64)> {
        let Some(k) = key else { return Vec::new() };
        let h = history.get();
        let last = h.iter().map(|s| s.at_ms).fold(f64::NEG_INFINITY, f64::max);
        let from = match window.get() {
            0 => f64::NEG_INFINITY,
            w => last - f64::from(w) * 1000.0,
        };
        h.iter().filter(|s| s.key == k && s.at_ms >= from).map(|s| (s.at_ms, s.value)).collect()
    };
    let unit_of = move |key: &Option<String>| {
        key.as_ref().and_then(|k| keys.get().into_iter().find(|x| &x.0 == k).map(|x| x.1)).unwrap_or_default()
    };
    let drawing = move || {
        let (k1, k2) =
            (current(first, true), current(second, false).filter(|k| Some(k) != current(first, true).as_ref()));
        let (s1, s2) = (series(k1.clone()), series(k2.clone()));
        let times = s1.iter().chain(s2.iter()).map(|s| s.0);
        let (t0, t1) = times.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), t| (a.min(t), b.max(t)));
        (k1, s1, k2, s2, t0, t1)
    };
    let (left, top, right, bottom) = PLOT;
    let view_box = format!("0 0 {} {}", VIEW.0, VIEW.1);
    let png = move |_| {
        if let Some(el) = svg.get_untracked() {
            svg_png(&el, "meterscope-chart.png");
        }
    };
    let csv = move |_| {
        let (k1, s1, k2, s2, _, _) = drawing();
        let mut rows: Vec<(f64, String, f64, String)> = Vec::new();
        for (k, s) in [(k1, s1), (k2, s2)] {
            if let Some(k) = k {
                let unit = unit_of(&Some(k.clone()));
                rows.extend(s.into_iter().map(|(t, v)| (wall(t), k.clone(), v, unit.clone())));
            }
        }
        rows.sort_by(|a, b| a.0.total_cmp(&b.0));
        let rows: Vec<(f64, &str, f64, &str)> = rows.iter().map(|r| (r.0, r.1.as_str(), r.2, r.3.as_str())).collect();
        crate::export::download("meterscope-chart.csv", "text/csv", &samples_csv(&rows));
    };
    let zoom = move |secs: u32, id: &'static str, key: &'static str| {
        view! { <button class="small" data-testid=id class:active=move || window.get() == secs on:click=move |_| window.set(secs)>
        {move || t(lang.get(), key)}</button> }
    };
    view! {
        <div class="chart-box" hidden=move || keys.get().is_empty()>
            <div class="chart-controls">
                <label>{move || t(lang.get(), "reader.chart")}" "
                    <select data-testid="chart-value" prop:value=move || current(first, true).unwrap_or_default() on:change=move |ev| first.set(event_target_value(&ev))>
                        {move || keys.get().into_iter().map(|(k, _)| view! { <option value=k.clone()>{k.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>{move || t(lang.get(), "reader.chart_compare")}" "
                    <select data-testid="chart-value-2" prop:value=move || current(second, false).unwrap_or_default() on:change=move |ev| second.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {move || keys.get().into_iter().map(|(k, _)| view! { <option value=k.clone()>{k.clone()}</option> }).collect_view()}
                    </select>
                </label>
                {zoom(60, "chart-zoom-1m", "reader.chart_1m")}
                {zoom(600, "chart-zoom-10m", "reader.chart_10m")}
                {zoom(3600, "chart-zoom-1h", "reader.chart_1h")}
                {zoom(0, "chart-zoom-all", "reader.chart_all")}
                <button class="small" data-testid="chart-csv" on:click=csv>"CSV"</button>
                <button class="small" data-testid="chart-png" on:click=png>"PNG"</button>
            </div>
            <svg class="chart" data-testid="chart" node_ref=svg viewBox=view_box width="640" height="220" role="img"
                aria-label=move || t(lang.get(), "reader.chart")>
                {move || {
                    let (k1, s1, k2, s2, t0, t1) = drawing();
                    let (u1, u2) = (unit_of(&k1), unit_of(&k2));
                    let a1 = Axis::of(s1.iter().map(|s| s.1));
                    let a2 = Axis::of(s2.iter().map(|s| s.1));
                    let mut parts = Vec::new();
                    // Frame and grid.
                    parts.push(view! { <rect class="plot" fill="none" stroke="#8888" x=left y=top width=right - left height=bottom - top/> }.into_any());
                    if let Some(a) = &a1 {
                        for v in a.ticks() {
                            let y = a.y(v);
                            parts.push(view! {
                                <line class="grid" stroke="#8886" stroke-dasharray="2 3" x1=left x2=right y1=y y2=y/>
                                <text class="tick axis-y" fill="#888" font-size="11" font-family="monospace" x=left - 4.0 y=y + 4.0 text-anchor="end">{tick_text(v, a)}</text>
                            }.into_any());
                        }
                        parts.push(view! { <text class="unit axis-y" data-testid="chart-unit" fill="#888" font-size="11" font-family="monospace" x=4.0 y=top + 4.0>{u1.clone()}</text> }.into_any());
                        parts.push(view! { <polyline class="series s1" fill="none" stroke="#2f6fd6" stroke-width="1.5" points=plot(&s1, t0, t1, a)/> }.into_any());
                    }
                    if let Some(a) = &a2 {
                        for v in a.ticks() {
                            parts.push(view! {
                                <text class="tick axis-y2" fill="#888" font-size="11" font-family="monospace" x=right + 4.0 y=a.y(v) + 4.0>{tick_text(v, a)}</text>
                            }.into_any());
                        }
                        parts.push(view! { <text class="unit axis-y2" data-testid="chart-unit-2" fill="#888" font-size="11" font-family="monospace" x=VIEW.0 - 4.0 y=top + 4.0 text-anchor="end">{u2.clone()}</text> }.into_any());
                        parts.push(view! { <polyline class="series s2" fill="none" stroke="#d9822b" stroke-width="1.5" points=plot(&s2, t0, t1, a)/> }.into_any());
                    }
                    if t0.is_finite() {
                        let mid = (t0 + t1) / 2.0;
                        for (x, tm, anchor) in [(left, t0, "start"), ((left + right) / 2.0, mid, "middle"), (right, t1, "end")] {
                            parts.push(view! { <text class="tick axis-x" fill="#888" font-size="11" font-family="monospace" x=x y=bottom + 16.0 text-anchor=anchor>{clock(wall(tm))}</text> }.into_any());
                        }
                    }
                    parts
                }}
            </svg>
            <span class="chart-last" data-testid="chart-last">{move || {
                let (_, s1, _, _, _, _) = drawing();
                match (s1.first(), s1.last()) {
                    (Some(a), Some(b)) => format!("{} … {} ({} {})", a.1, b.1, s1.len(), t(lang.get(), "reader.points")),
                    _ => String::new(),
                }
            }}</span>
        </div>
    }
}
