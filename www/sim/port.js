// A simulated meter behind a Web Serial-compatible port: the project's own
// simulated meters (crates/meterscope-sim) answering whatever is written to
// the port, for the end-to-end tests' fake navigator.serial and for anyone who
// wants to try the reader's serial path without a meter:
//
//   import { simulatedPort } from './sim/port.js';
//   const port = await simulatedPort('dlt645');          // or dlt698, dlms, iec62056 (+ mode), dsmr
//   navigator.serial = { requestPort: async () => port, getPorts: async () => [port], ... };
//
// Bytes written reach the meter after their wire time at the port's line
// settings and its replies arrive after theirs. A port opened at other line
// settings than the meter listens with hears nothing, as on a real line.
// `port.unplug()` drops the device as a pulled USB adapter does.
import init, { Meter, lineMs } from './meterscope_sim.js';

let ready;

/** Milliseconds `n` bytes take at the port's settings (the core's line model). */
const portMs = (n, o) => lineMs(n, o.baudRate, o.dataBits ?? 8, o.parity ?? 'none', o.stopBits ?? 1);
const PARITY = ['none', 'odd', 'even'];

export async function simulatedPort(kind, option, info = { usbVendorId: 0x0403, usbProductId: 0x6001 }) {
  ready ??= init();
  await ready;
  const meter = new Meter(kind, option);
  const t0 = performance.now();
  const clock = () => performance.now() - t0;
  let ctrl = null;
  let opts = null;
  let timer = null;
  let busyUntil = 0;
  // The port's settings against a line of the meter: [baud, data bits, parity, stop bits].
  const matches = ([baud, dataBits, parity, stopBits]) => opts !== null && opts.baudRate === baud
    && (opts.dataBits ?? 8) === dataBits && (opts.parity ?? 'none') === PARITY[parity] && (opts.stopBits ?? 1) === stopBits;
  let lastLine = null;
  // Deliver what the meter sends, each piece after its wire time on the line it
  // goes out on; after a change of rate the meter waits 500 ms for the other side
  // to switch. Bytes reach whatever port is open when they arrive, if it listens alike.
  const drain = (from) => {
    let at = Math.max(from, busyUntil);
    for (;;) {
      const line = Array.from(meter.line());
      const out = meter.transmit();
      if (!out) break;
      if (lastLine !== null && line.join() !== lastLine) at += 500;
      lastLine = line.join();
      // The reply's wire time on the line it goes out on (the core's line model).
      at += lineMs(out.length, line[0], line[1], PARITY[line[2]], line[3]);
      setTimeout(() => { if (ctrl && matches(line)) ctrl.enqueue(out); }, Math.max(0, at - clock()));
    }
    busyUntil = at;
  };
  class SimulatedPort extends EventTarget {
    constructor() { super(); this.readable = null; this.writable = null; this.opens = []; this.writes = []; }
    async open(o) {
      if (this.readable) throw new DOMException('The port is already open.', 'InvalidStateError');
      opts = { ...o };
      this.opens.push(opts);
      this.readable = new ReadableStream({ start: (c) => { ctrl = c; } });
      this.writable = new WritableStream({
        write: (chunk) => {
          const bytes = new Uint8Array(chunk);
          this.writes.push(Array.from(bytes));
          const arrives = clock() + portMs(bytes.length, opts);
          setTimeout(() => {
            if (!ctrl) return;
            if (matches(Array.from(meter.line()))) meter.input(clock(), bytes);
            drain(clock() + 20);
          }, Math.max(0, arrives - clock()));
        },
      });
      // Time passes for the meter: P1 telegrams and active reports go out unasked.
      timer = setInterval(() => { if (ctrl) { meter.input(clock(), new Uint8Array()); drain(clock()); } }, 100);
    }
    async close() {
      clearInterval(timer);
      try { ctrl?.close(); } catch { /* already errored */ }
      ctrl = null;
      this.readable = null;
      this.writable = null;
    }
    getInfo() { return info; }
    async setSignals(signals) { this.signals = { ...this.signals, ...signals }; }
    /** DL/T 698.45: the meter raises an active report (values, or an event record with `record`). */
    report(record = false) { meter.report(clock(), record); }
    /** Pull the adapter out: the read fails, the streams go, and `disconnect` fires at the
     *  port and (as Chrome bubbles it) at `serial`, the fake navigator.serial if given. */
    unplug(serial) {
      clearInterval(timer);
      try { ctrl?.error(new DOMException('The device has been lost.', 'NetworkError')); } catch { /* closed */ }
      ctrl = null;
      this.readable = null;
      this.writable = null;
      this.dispatchEvent(new Event('disconnect'));
      if (serial) {
        const ev = new Event('disconnect');
        Object.defineProperty(ev, 'target', { value: this });
        serial.dispatchEvent(ev);
      }
    }
  }
  return new SimulatedPort();
}
