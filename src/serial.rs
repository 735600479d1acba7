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
