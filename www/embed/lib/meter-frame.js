// <meter-frame hex="68 …" protocol="auto" lang="en|zh" theme="auto|light|dark" app="…">
// A live, explained decode of a meter frame for documentation pages: the field
// tree and the hex view, linked by the pointer, inside a shadow root. Loads its
// WebAssembly lazily, when the element first becomes visible. Style it with the
// CSS custom properties below or with ::part(tree|hex|byte|node|bits|label|value|link|error).
import { load, decode, permalink } from './meterscope.js';

const CSS = `
:host { display: block; font: 13px/1.45 var(--meter-frame-font, system-ui, sans-serif);
  color: var(--meter-frame-fg, #1d232a); background: var(--meter-frame-bg, #fff);
  border: 1px solid var(--meter-frame-border, #dfe3e8); border-radius: 6px; padding: .5rem .7rem; }
:host([theme=dark]) { --meter-frame-fg: #e6e9ec; --meter-frame-bg: #1c2025; --meter-frame-border: #2c3238;
  --meter-frame-muted: #9aa3ad; --meter-frame-highlight: #6b5400; --meter-frame-ancestor: #3b3418; --meter-frame-accent: #5aa9ff; --meter-frame-ok: #66bb6a; --meter-frame-bad: #ff6b6b; }
@media (prefers-color-scheme: dark) { :host([theme=auto]), :host(:not([theme])) { --meter-frame-fg: #e6e9ec; --meter-frame-bg: #1c2025;
  --meter-frame-border: #2c3238; --meter-frame-muted: #9aa3ad; --meter-frame-highlight: #6b5400; --meter-frame-ancestor: #3b3418; --meter-frame-accent: #5aa9ff; --meter-frame-ok: #66bb6a; --meter-frame-bad: #ff6b6b; } }
.head { display: flex; gap: .6rem; align-items: baseline; flex-wrap: wrap; margin-bottom: .35rem; }
.proto { font-weight: 600; }
.state.ok { color: var(--meter-frame-ok, #2e7d32); } .state.bad { color: var(--meter-frame-bad, #c62828); }
.link { margin-left: auto; color: var(--meter-frame-accent, #0b6bcb); font-size: .85em; }
.body { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: .8rem; }
@media (max-width: 640px) { .body { grid-template-columns: 1fr; } }
ul { list-style: none; margin: 0; padding-left: 1rem; } ul.root { padding-left: 0; }
.row { display: flex; gap: .45rem; padding: 0 3px; border-radius: 3px; cursor: default; white-space: nowrap; }
.row .label { font-weight: 600; } .row .bits { font-family: var(--meter-frame-mono, ui-monospace, Menlo, Consolas, monospace); white-space: pre; } .row .value { font-family: var(--meter-frame-mono, ui-monospace, Menlo, Consolas, monospace); }
.row .text { color: var(--meter-frame-muted, #68717b); overflow: hidden; text-overflow: ellipsis; }
.hex { font: 12px/1.6 var(--meter-frame-mono, ui-monospace, Menlo, Consolas, monospace); white-space: nowrap; }
.hex .off { color: var(--meter-frame-muted, #68717b); margin-right: .6rem; }
.b { padding: 0 .18rem; border-radius: 2px; }
.anc { background: var(--meter-frame-ancestor, #fff3c2); }
.hl { background: var(--meter-frame-highlight, #ffd84d); }
.hl .text, .anc .text { color: inherit; }
.diag { color: var(--meter-frame-bad, #c62828); margin-top: .3rem; }
.fallback { font-family: var(--meter-frame-mono, ui-monospace, monospace); white-space: pre-wrap; word-break: break-all; }
`;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

export class MeterFrame extends HTMLElement {
  static observedAttributes = ['hex', 'protocol', 'lang', 'theme', 'app'];

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this._visible = false;
  }

  connectedCallback() {
    this._fallback();
    if (this._visible) return this._render();
    if (typeof IntersectionObserver === 'undefined') { this._visible = true; return this._render(); }
    this._io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        this._io.disconnect();
        this._visible = true;
        this._render();
      }
    });
    this._io.observe(this);
  }

  disconnectedCallback() { this._io?.disconnect(); }

  attributeChangedCallback() {
    if (this.isConnected) (this._visible ? this._render() : this._fallback());
  }

  get hex() { return this.getAttribute('hex') ?? this.textContent.trim(); }

  _appUrl() { return this.getAttribute('app') ?? new URL('../../index.html', import.meta.url).href; }

  /** The readable form before (or without) WebAssembly: the hex itself. */
  _fallback(message) {
    const root = this.shadowRoot;
    root.replaceChildren(el('style', {}, CSS));
    if (message) root.append(el('div', { class: 'diag', part: 'error' }, message));
    root.append(el('div', { class: 'fallback', part: 'fallback' }, this.hex));
  }

  async _render() {
    const token = (this._token = (this._token ?? 0) + 1);
    try {
      // A protocol named loads its family's module alone; `auto` the full decoder,
      // unless a family module another element loaded finds what the input needs.
      await load(this.hex, { protocol: this.getAttribute('protocol') ?? 'auto' });
    } catch (e) {
      return this._fallback(`WebAssembly unavailable: ${e.message ?? e}`);
    }
    if (token !== this._token) return;
    const lang = this.getAttribute('lang') === 'zh' ? 'zh' : 'en';
    const protocol = this.getAttribute('protocol') ?? 'auto';
    let decoded;
    try {
      decoded = decode(this.hex, { protocol, lang });
    } catch (e) {
      return this._fallback(String(e.message ?? e));
    }
    const bytes = decoded.bytes ? decoded.bytes.split(' ') : [];
    const root = this.shadowRoot;
    root.replaceChildren(el('style', {}, CSS));
    decoded.dissection.frames.forEach((frame, i) => root.append(this._frame(frame, bytes, lang, protocol, i)));
  }

  _frame(frame, bytes, lang, protocol, index) {
    const wrap = el('section', { class: 'frame', 'data-frame': index });
    const state = frame.valid ? el('span', { class: 'state ok' }, lang === 'zh' ? '有效' : 'valid')
      : el('span', { class: 'state bad' }, lang === 'zh' ? '无效' : 'not valid');
    const link = el('a', { class: 'link', part: 'link', target: '_blank', rel: 'noopener',
      href: permalink(this._appUrl(), this.hex, { protocol, lang }) }, lang === 'zh' ? '在 meterscope 中打开' : 'open in meterscope');
    wrap.append(el('div', { class: 'head' }, el('span', { class: 'proto' }, frame.protocol), state, link));

    const cells = new Map();
    const rows = [];
    const paint = (path) => {
      const spans = [];
      let node = frame.tree;
      if (path) {
        spans.push(node.span);
        for (const i of path) { node = node.children[i]; spans.push(node.span); }
      }
      const target = path ? spans[spans.length - 1] : null;
      for (const [off, cs] of cells) {
        const inNode = target && off >= target[0] && off < target[1];
        const inAnc = !inNode && spans.slice(0, -1).some((s) => off >= s[0] && off < s[1]);
        for (const c of cs) { c.classList.toggle('hl', !!inNode); c.classList.toggle('anc', !!inAnc); }
      }
      const key = path ? path.join('.') : null;
      for (const r of rows) {
        const p = r.dataset.path;
        r.classList.toggle('hl', p === key);
        r.classList.toggle('anc', key !== null && p !== key && (p === '' || key.startsWith(p + '.')));
      }
    };
    const pathAt = (off) => {
      const path = [];
      let node = frame.tree;
      outer: for (;;) {
        for (let i = 0; i < node.children.length; i++) {
          const c = node.children[i];
          if (off >= c.span[0] && off < c.span[1]) { path.push(i); node = c; continue outer; }
        }
        return path;
      }
    };

    const tree = (node, path) => {
      const value = node.value !== undefined ? `${node.value}${node.unit ? ' ' + node.unit : ''}` : null;
      const row = el('div', { class: 'row', part: 'node', 'data-path': path.join('.'), 'data-id': node.id });
      if (node.bits) row.append(el('span', { class: 'bits', part: 'bits' }, `${node.bits} =`));
      row.append(el('span', { class: 'label', part: 'label' }, node.label));
      if (value !== null) row.append(el('span', { class: 'value', part: 'value' }, value));
      if (node.text) row.append(el('span', { class: 'text' }, node.text));
      row.addEventListener('mouseenter', () => paint(path));
      rows.push(row);
      const li = el('li', {}, row);
      if (node.children.length) {
        const ul = el('ul');
        node.children.forEach((c, i) => ul.append(tree(c, [...path, i])));
        li.append(ul);
      }
      return li;
    };
    const treeBox = el('div', { class: 'tree', part: 'tree' }, el('ul', { class: 'root' }, tree(frame.tree, [])));
    treeBox.addEventListener('mouseleave', () => paint(null));

    const hex = el('div', { class: 'hex', part: 'hex' });
    const [start, end] = frame.span;
    for (let r = start; r < end; r += 16) {
      const line = el('div', {}, el('span', { class: 'off' }, r.toString(16).toUpperCase().padStart(4, '0')));
      for (let off = r; off < Math.min(r + 16, end); off++) {
        const b = el('span', { class: 'b', part: 'byte', 'data-off': off }, bytes[off] ?? '');
        b.addEventListener('mouseenter', () => paint(pathAt(off)));
        cells.set(off, [b]);
        line.append(b, ' ');
      }
      hex.append(line);
    }
    hex.addEventListener('mouseleave', () => paint(null));
    wrap.append(el('div', { class: 'body' }, treeBox, hex));
    for (const d of frame.diagnostics.filter((d) => d.severity !== 'info')) {
      wrap.append(el('div', { class: 'diag', part: 'error' }, `@${d.offset} ${d.message}`));
    }
    return wrap;
  }
}

if (!customElements.get('meter-frame')) customElements.define('meter-frame', MeterFrame);
