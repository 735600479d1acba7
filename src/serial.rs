//! Web Serial transport: feature detection, port choice, open with line
//! settings, a read loop that survives line errors, writes, clean close.
//!
//! web-sys imports are structural, so this code also drives a page-injected
//! fake `navigator.serial` in tests. No `dyn_into::<SerialPort>()`: that is an
//! `instanceof` check the fake would fail.

use js_sys::{Reflect, Uint8Array};
use meterscope_core::session::{LineSettings, Parity};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ParityType, ReadableStreamDefaultReader, SerialOptions, SerialPort, WritableStreamDefaultWriter};

/// Whether the page can use Web Serial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Availability {
    Supported,
    /// The API exists only in secure contexts (https, localhost).
    InsecureContext,
    /// The browser has no Web Serial (Firefox, Safari, mobile).
    Missing,
}

pub fn availability() -> Availability {
    let Some(window) = web_sys::window() else {
        return Availability::Missing;
    };
    if !window.is_secure_context() {
        return Availability::InsecureContext;
    }
    match Reflect::has(&window.navigator(), &JsValue::from_str("serial")) {
        Ok(true) => Availability::Supported,
        _ => Availability::Missing,
    }
}

/// Web Serial options for core line settings.
fn serial_options(line: &LineSettings) -> SerialOptions {
    let opts = SerialOptions::new(line.baud);
    opts.set_data_bits(line.data_bits);
    opts.set_stop_bits(line.stop_bits);
    opts.set_parity(match line.parity {
        Parity::None => ParityType::None,
        Parity::Even => ParityType::Even,
        Parity::Odd => ParityType::Odd,
    });
    opts
}

fn js_err(e: JsValue) -> String {
    e.as_string()
        .or_else(|| Reflect::get(&e, &JsValue::from_str("message")).ok().and_then(|m| m.as_string()))
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Ask the user for a port (needs a user gesture).
pub async fn request_port() -> Result<SerialPort, String> {
    let window = web_sys::window().ok_or("no window")?;
    let promise: js_sys::Promise = window.navigator().serial().request_port().unchecked_into();
    JsFuture::from(promise).await.map(|p| p.unchecked_into()).map_err(js_err)
}

/// An open port with its reader and writer.
pub struct Connection {
    port: SerialPort,
    reader: std::cell::RefCell<Option<ReadableStreamDefaultReader>>,
    writer: WritableStreamDefaultWriter,
}

impl Connection {
    pub async fn open(port: SerialPort, line: LineSettings) -> Result<Connection, String> {
        let promise: js_sys::Promise = port.open(&serial_options(&line)).unchecked_into();
        JsFuture::from(promise).await.map_err(js_err)?;
        let writer = port.writable().get_writer().map_err(js_err)?;
        let reader: ReadableStreamDefaultReader = port.readable().get_reader().unchecked_into();
        Ok(Connection { port, reader: std::cell::RefCell::new(Some(reader)), writer })
    }

    /// The next chunk of received bytes; `Ok(None)` when the stream ended.
    /// A line error (parity, framing, break, overrun) is returned as `Err`, and
    /// the next call reads from the port's fresh stream.
    pub async fn read(&self) -> Result<Option<Vec<u8>>, String> {
        let reader = {
            let mut slot = self.reader.borrow_mut();
            if slot.is_none() {
                let readable = self.port.readable();
                if readable.is_null() || readable.is_undefined() {
                    return Ok(None);
                }
                *slot = Some(readable.get_reader().unchecked_into());
            }
            slot.clone().ok_or("no reader")?
        };
        match JsFuture::from(reader.read()).await {
            Ok(result) => {
                let done =
                    Reflect::get(&result, &JsValue::from_str("done")).ok().and_then(|d| d.as_bool()).unwrap_or(true);
                if done {
                    return Ok(None);
                }
                let value = Reflect::get(&result, &JsValue::from_str("value")).map_err(js_err)?;
                Ok(Some(value.unchecked_into::<Uint8Array>().to_vec()))
            }
            Err(e) => {
                reader.release_lock();
                self.reader.borrow_mut().take();
                Err(js_err(e))
            }
        }
    }

    pub async fn write(&self, bytes: &[u8]) -> Result<(), String> {
        let chunk = Uint8Array::from(bytes);
        let promise: js_sys::Promise = self.writer.write_with_chunk(&chunk).unchecked_into();
        JsFuture::from(promise).await.map(|_| ()).map_err(js_err)
    }

    /// The port, to reopen it at other line settings after [`Connection::close`].
    pub fn port(&self) -> SerialPort {
        self.port.clone()
    }

    /// Cancel the read, release the locks and close the port.
    pub async fn close(&self) -> Result<(), String> {
        let reader = self.reader.borrow_mut().take();
        if let Some(reader) = reader {
            let _ = JsFuture::from(reader.cancel()).await;
            reader.release_lock();
        }
        self.writer.release_lock();
        let promise: js_sys::Promise = self.port.close().unchecked_into();
        JsFuture::from(promise).await.map(|_| ()).map_err(js_err)
    }
}

fn has(obj: &JsValue, name: &str) -> bool {
    Reflect::get(obj, &JsValue::from_str(name)).is_ok_and(|f| f.is_function())
}

/// The ports this origin was granted before (no chooser needed); empty when
/// the browser (or a test's fake) has no `getPorts`.
pub async fn granted_ports() -> Vec<SerialPort> {
    let Some(window) = web_sys::window() else { return Vec::new() };
    let serial = window.navigator().serial();
    if !has(&serial, "getPorts") {
        return Vec::new();
    }
    let promise: js_sys::Promise = serial.get_ports().unchecked_into();
    match JsFuture::from(promise).await {
        Ok(list) => js_sys::Array::from(&list).iter().map(|p| p.unchecked_into()).collect(),
        Err(_) => Vec::new(),
    }
}

/// USB vendor and product id of a port, when it is a USB device.
pub fn usb_ids(port: &SerialPort) -> Option<(u16, u16)> {
    if !has(port, "getInfo") {
        return None;
    }
    let info = port.get_info();
    Some((info.get_usb_vendor_id()?, info.get_usb_product_id().unwrap_or(0)))
}

/// The usual USB-serial chips by vendor id.
pub fn adapter_name(vendor: u16) -> Option<&'static str> {
    match vendor {
        0x0403 => Some("FTDI"),
        0x10C4 => Some("CP210x"),
        0x1A86 => Some("CH34x"),
        0x067B => Some("Prolific"),
        _ => None,
    }
}

/// A port as a user recognises it: `CH34x 1A86:7523`, or `USB 2341:0043`.
pub fn port_label(ids: Option<(u16, u16)>) -> String {
    match ids {
        Some((v, p)) => format!("{} {v:04X}:{p:04X}", adapter_name(v).unwrap_or("USB")),
        None => "serial port".to_string(),
    }
}

/// Whether two handles are the same port: the same object, or (after a
/// re-plug, which makes a new object) the same USB vendor and product.
pub fn same_port(a: &SerialPort, b: &SerialPort) -> bool {
    js_sys::Object::is(a, b) || usb_ids(a).is_some_and(|ids| Some(ids) == usb_ids(b))
}

/// Revoke the page's access to a port; `Ok(false)` where `forget` is missing.
pub async fn forget(port: &SerialPort) -> Result<bool, String> {
    if !has(port, "forget") {
        return Ok(false);
    }
    let promise: js_sys::Promise = port.forget().unchecked_into();
    JsFuture::from(promise).await.map(|_| true).map_err(js_err)
}

/// Call `f` with the port of every `connect` (`true`) or `disconnect`
/// (`false`) event on `navigator.serial` while the page lives.
pub fn on_plug(f: impl Fn(bool, SerialPort) + 'static) {
    use wasm_bindgen::closure::Closure;
    let Some(window) = web_sys::window() else { return };
    let serial = window.navigator().serial();
    let f = std::rc::Rc::new(f);
    for (kind, plugged) in [("connect", true), ("disconnect", false)] {
        let f = f.clone();
        let cb = Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
            // The event is fired at the port and bubbles to navigator.serial.
            if let Ok(port) = Reflect::get(&ev, &JsValue::from_str("target"))
                && has(&port, "open")
            {
                f(plugged, port.unchecked_into());
            }
        });
        let _ = serial.add_event_listener_with_callback(kind, cb.as_ref().unchecked_ref());
        cb.forget();
    }
}

impl Connection {
    /// Set DTR and RTS; `Ok(false)` where `setSignals` is missing.
    pub async fn set_signals(&self, dtr: bool, rts: bool) -> Result<bool, String> {
        if !has(&self.port, "setSignals") {
            return Ok(false);
        }
        let signals = web_sys::SerialOutputSignals::new();
        signals.set_data_terminal_ready(dtr);
        signals.set_request_to_send(rts);
        let promise: js_sys::Promise = self.port.set_signals_with_signals(&signals).unchecked_into();
        JsFuture::from(promise).await.map(|_| true).map_err(js_err)
    }
}
