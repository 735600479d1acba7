// meterscope log worker: splits a long input (a serial log, a capture file)
// into frames with the worker module (worker/: the decoder with LogSplitter,
// its protocol core built for speed), away from the page's thread, and
// reports progress after every step of about a megabyte. The page dissects a
// frame in full when it is opened. Messages in: { id, text | bytes, protocol,
// lang }. Messages out: { id, position, total } while working, then
// { id, done, total, kind, bytes, frames, protocols, junk, reasons } or
// { id, error }. Nothing leaves the page.
import init, { LogSplitter } from './worker/meterscope_worker.js';

const ready = init();

self.onmessage = async (ev) => {
  const { id, text, bytes, protocol, lang } = ev.data;
  try {
    await ready;
    const s = text !== undefined
      ? LogSplitter.fromText(text, protocol, lang)
      : LogSplitter.fromBytes(bytes, protocol, lang);
    const total = s.total();
    self.postMessage({ id, position: 0, total });
    while (!s.step()) self.postMessage({ id, position: s.position(), total });
    const out = {
      id,
      done: true,
      total,
      kind: s.kind(),
      bytes: s.bytes(),
      frames: s.frames(),
      protocols: s.protocols(),
      junk: s.junk(),
      reasons: s.reasons(),
    };
    s.free();
    self.postMessage(out, [out.bytes.buffer, out.frames.buffer, out.junk.buffer]);
  } catch (e) {
    self.postMessage({ id, error: String(e && e.message ? e.message : e) });
  }
};
