// meterscope log worker: splits a long input (a serial log, a capture file)
// into frames with the worker module (worker/: the decoder with LogSplitter,
// its protocol core built for speed), away from the page's thread, in two
// passes: the split (framing only), handed over as soon as it is done, then
// the check (every frame dissected in full, its verdict kept). Progress is
// reported after every step of about a megabyte. The page dissects a frame in
// full again when it is opened, and stops the worker to cancel either pass.
// The check waits until the page has shown the split (it sends "go"),
// or half a second at most: on a machine of two cores, the check and the
// page's rendering of the list held each other up.
// Messages in: { id, text | bytes | file, protocol, lang }, then "go" (a file's
// bytes are read as text when they are UTF-8 without a NUL, else as bytes, as
// the page reads a short file). Messages out:
// { id, position, total } while splitting; { id, split: true, total, kind,
// bytes, frames, protocols, junk, reasons } once split; { id, checked, count }
// while checking; { id, done: true, verdicts } at the end; or { id, error }.
// Nothing leaves the page.
import init, { LogSplitter } from './worker/meterscope_worker.js';

const ready = init();
let go = null;

self.onmessage = async (ev) => {
  if (ev.data === 'go') {
    go?.();
    return;
  }
  const { id, file, protocol, lang } = ev.data;
  let { text, bytes } = ev.data;
  if (file !== undefined) {
    text = fileText(file);
    if (text === undefined) bytes = file;
  }
  try {
    await ready;
    const s = text !== undefined
      ? LogSplitter.fromText(text, protocol, lang)
      : LogSplitter.fromBytes(bytes, protocol, lang);
    const total = s.total();
    self.postMessage({ id, position: 0, total });
    while (!s.step()) self.postMessage({ id, position: s.position(), total });
    const split = {
      id,
      split: true,
      total,
      kind: s.kind(),
      bytes: s.bytes(),
      frames: s.frames(),
      protocols: s.protocols(),
      junk: s.junk(),
      reasons: s.reasons(),
    };
    self.postMessage(split, [split.bytes.buffer, split.frames.buffer, split.junk.buffer]);
    await new Promise((resolve) => {
      go = resolve;
      setTimeout(resolve, 500);
    });
    go = null;
    const count = s.count();
    while (!s.check()) self.postMessage({ id, checked: s.checked(), count });
    const verdicts = s.verdicts();
    s.free();
    self.postMessage({ id, done: true, verdicts }, [verdicts.buffer]);
  } catch (e) {
    self.postMessage({ id, error: String(e && e.message ? e.message : e) });
  }
};

/** A file's bytes as text when they are UTF-8 (a byte-order mark kept) without a NUL, else undefined. */
function fileText(bytes) {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    return text.includes('\0') ? undefined : text;
  } catch {
    return undefined;
  }
}
