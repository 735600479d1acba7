//! Web Bluetooth transport for BLE UART optical probes: the probe's serial
//! service is found among the common ones (the Nordic UART service, the
//! HM-10/CC254x `FFE0` module, Microchip's transparent UART), bytes are
//! written to its receive characteristic in chunks that fit a default
//! ATT payload (20 bytes) and read from its notifications, which arrive in
//! pieces of any size and are queued as they come (the sessions frame them,
//! as they do serial reads). A probe's optical side keeps the line settings
//! configured in the probe: a session's baud switch cannot be followed.
//!
//! The calls are structural (`Reflect`), like the serial code's, so the
//! end-to-end tests' fake `navigator.bluetooth` drives the same code.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::transport::{RxQueue, now_ms};

/// A BLE serial service: its UUID, the characteristic written to, the one
/// that notifies, and a name for the status line.
struct Uart {
    service: &'static str,
    write: &'static str,
    notify: &'static str,
    name: &'static str,
}

/// The serial services BLE optical probes use.
const UARTS: [Uart; 3] = [
    Uart {
        service: "6e400001-b5a3-f393-e0a9-e50e24dcca9e",
        write: "6e400002-b5a3-f393-e0a9-e50e24dcca9e",
        notify: "6e400003-b5a3-f393-e0a9-e50e24dcca9e",
        name: "Nordic UART",
    },
    Uart {
        service: "0000ffe0-0000-1000-8000-00805f9b34fb",
        write: "0000ffe1-0000-1000-8000-00805f9b34fb",
        notify: "0000ffe1-0000-1000-8000-00805f9b34fb",
        name: "FFE0 serial module",
    },
    Uart {
        service: "49535343-fe7d-4ae5-8fa9-9fafd205e455",
        write: "49535343-8841-43f4-a8d4-ecbe34729bb3",
        notify: "49535343-1e4d-4bd9-ba61-23c647249616",
        name: "Microchip transparent UART",
    },
];

/// Bytes per write: the ATT payload of the default MTU (23 − 3).
pub const CHUNK: usize = 20;

fn js_err(e: JsValue) -> String {
    e.as_string()
        .or_else(|| Reflect::get(&e, &JsValue::from_str("message")).ok().and_then(|m| m.as_string()))
        .unwrap_or_else(|| format!("{e:?}"))
}

fn get(obj: &JsValue, name: &str) -> Result<JsValue, String> {
    Reflect::get(obj, &JsValue::from_str(name)).map_err(js_err)
}

/// Call `obj.name(args…)` and await the promise it returns.
async fn call(obj: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, String> {
    let f: Function = get(obj, name)?.dyn_into().map_err(|_| format!("{name} is not a function"))?;
    let result = f.apply(obj, &args.iter().collect::<Array>()).map_err(js_err)?;
    match result.dyn_into::<js_sys::Promise>() {
        Ok(p) => JsFuture::from(p).await.map_err(js_err),
        Err(v) => Ok(v),
    }
}

/// Whether the page can use Web Bluetooth (Chrome on desktop and Android, secure context).
pub fn available() -> bool {
    web_sys::window().is_some_and(|w| {
        w.is_secure_context() && Reflect::has(&w.navigator(), &JsValue::from_str("bluetooth")).unwrap_or(false)
    })
}

/// A connected probe.
pub struct BleUart {
    /// The page's language, for what the probe cannot do.
    pub lang: leptos::prelude::RwSignal<meterscope_core::Lang>,
    device: JsValue,
    notify: JsValue,
    write: JsValue,
    without_response: bool,
    /// The device's name and the service found.
    pub label: String,
    _on_value: Closure<dyn FnMut(JsValue)>,
    _on_gone: Closure<dyn FnMut(JsValue)>,
}

/// Ask the user for a probe (needs a user gesture), connect, find its serial
/// service and start its notifications into `rx`; `gone` is called when the
/// probe disconnects.
pub async fn connect(
    rx: RxQueue,
    lang: leptos::prelude::RwSignal<meterscope_core::Lang>,
    gone: impl FnMut() + 'static,
) -> Result<BleUart, String> {
    let window = web_sys::window().ok_or("no window")?;
    let bluetooth = get(&window.navigator(), "bluetooth")?;
    let services: Array = UARTS.iter().map(|u| JsValue::from_str(u.service)).collect();
    let filters: Array = UARTS
        .iter()
        .map(|u| {
            let f = Object::new();
            let _ = Reflect::set(&f, &"services".into(), &[JsValue::from_str(u.service)].iter().collect::<Array>());
            JsValue::from(f)
        })
        .collect();
    let options = Object::new();
    let _ = Reflect::set(&options, &"filters".into(), &filters);
    let _ = Reflect::set(&options, &"optionalServices".into(), &services);
    let device = call(&bluetooth, "requestDevice", &[options.into()]).await?;
    let gatt = get(&device, "gatt")?;
    let server = call(&gatt, "connect", &[]).await?;
    match open_uart(rx, lang, gone, device.clone(), &server).await {
        Ok(p) => Ok(p),
        Err(e) => {
            // Leave no connection open behind a failure.
            disconnect(&device);
            Err(e)
        }
    }
}

/// Find the serial service on a connected probe and start its notifications.
async fn open_uart(
    rx: RxQueue,
    lang: leptos::prelude::RwSignal<meterscope_core::Lang>,
    gone: impl FnMut() + 'static,
    device: JsValue,
    server: &JsValue,
) -> Result<BleUart, String> {
    use leptos::prelude::GetUntracked;
    let zh = lang.get_untracked() == meterscope_core::Lang::Zh;
    let mut found = None;
    for u in &UARTS {
        if let Ok(service) = call(server, "getPrimaryService", &[JsValue::from_str(u.service)]).await {
            found = Some((u, service));
            break;
        }
    }
    let (uart, service) =
        found.ok_or("the device offers no serial service a probe uses (Nordic UART, FFE0, Microchip)")?;
    let write = call(&service, "getCharacteristic", &[JsValue::from_str(uart.write)]).await?;
    let notify = call(&service, "getCharacteristic", &[JsValue::from_str(uart.notify)]).await?;
    let props = get(&write, "properties").unwrap_or(JsValue::UNDEFINED);
    let without_response = get(&props, "writeWithoutResponse").ok().and_then(|v| v.as_bool()).unwrap_or(false)
        && !get(&props, "write").ok().and_then(|v| v.as_bool()).unwrap_or(false);
    let on_value = Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| {
        let Ok(target) = get(&ev, "target") else { return };
        let Ok(view) = get(&target, "value") else { return };
        let (Ok(buffer), Ok(offset), Ok(len)) =
            (get(&view, "buffer"), get(&view, "byteOffset"), get(&view, "byteLength"))
        else {
            return;
        };
        let bytes = Uint8Array::new_with_byte_offset_and_length(
            &buffer,
            offset.as_f64().unwrap_or(0.0) as u32,
            len.as_f64().unwrap_or(0.0) as u32,
        )
        .to_vec();
        if !bytes.is_empty() {
            rx.borrow_mut().push_back((now_ms(), bytes));
        }
    });
    let listen = |target: &JsValue, event: &str, f: &Closure<dyn FnMut(JsValue)>| -> Result<(), String> {
        let add: Function = get(target, "addEventListener")?.dyn_into().map_err(|_| "no addEventListener")?;
        add.call2(target, &JsValue::from_str(event), f.as_ref()).map(|_| ()).map_err(js_err)
    };
    listen(&notify, "characteristicvaluechanged", &on_value)?;
    call(&notify, "startNotifications", &[]).await?;
    let gone = RefCell::new(gone);
    let on_gone = Closure::<dyn FnMut(JsValue)>::new(move |_| (gone.borrow_mut())());
    listen(&device, "gattserverdisconnected", &on_gone)?;
    let name = get(&device, "name")
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_else(|| (if zh { "蓝牙光电头" } else { "BLE probe" }).into());
    Ok(BleUart {
        lang,
        device,
        notify,
        write,
        without_response,
        label: format!("{name} · {}", uart.name),
        _on_value: on_value,
        _on_gone: on_gone,
    })
}

impl BleUart {
    /// Why a line change cannot be made: the optical side keeps the probe's settings.
    pub fn cannot_reopen(&self, line: meterscope_core::session::LineSettings) -> String {
        use leptos::prelude::GetUntracked;
        match self.lang.get_untracked() {
            meterscope_core::Lang::Zh => {
                format!("蓝牙光电头使用其自身的线路参数：请在光电头中设为 {line}，或改用串口光电头")
            }
            meterscope_core::Lang::En => format!(
                "a Bluetooth probe keeps its own line settings: set it to {line} in the probe, or read over a serial probe"
            ),
        }
    }

    /// Write bytes in chunks of [`CHUNK`], each acknowledged before the next
    /// (a write without response where the probe offers only that).
    pub async fn write(&self, bytes: &[u8]) -> Result<(), String> {
        let method = if self.without_response { "writeValueWithoutResponse" } else { "writeValue" };
        for chunk in bytes.chunks(CHUNK) {
            call(&self.write, method, &[Uint8Array::from(chunk).into()]).await?;
        }
        Ok(())
    }

    /// Disconnect from the probe.
    pub fn close(&self) {
        disconnect(&self.device);
    }
}

/// Dropped (the user disconnected, or the probe went and another was
/// connected): its listeners go with it, so no dropped closure is ever called.
impl Drop for BleUart {
    fn drop(&mut self) {
        let remove = |target: &JsValue, event: &str, f: &Closure<dyn FnMut(JsValue)>| {
            if let Ok(r) =
                get(target, "removeEventListener").and_then(|f| f.dyn_into::<Function>().map_err(|_| String::new()))
            {
                let _ = r.call2(target, &JsValue::from_str(event), f.as_ref());
            }
        };
        remove(&self.notify, "characteristicvaluechanged", &self._on_value);
        remove(&self.device, "gattserverdisconnected", &self._on_gone);
        disconnect(&self.device);
    }
}

fn disconnect(device: &JsValue) {
    if let Ok(gatt) = get(device, "gatt")
        && let Ok(f) = get(&gatt, "disconnect").and_then(|f| f.dyn_into::<Function>().map_err(|_| String::new()))
    {
        let _ = f.call0(&gatt);
    }
}

/// A shared slot for the connected probe.
pub type BleSlot = Rc<RefCell<Option<Rc<BleUart>>>>;
