// Types of the meterscope decoder module.

export type Lang = 'en' | 'zh';
export type Span = [number, number];

export interface Keys {
  /** AES-128 cipher key, hex (32 digits). */
  cipherKey?: string;
  /** AES-128 authentication key, hex (32 digits). */
  authKey?: string;
  /** System title, hex (16 digits), when the bytes do not carry one. */
  systemTitle?: string;
}

export interface DecodeOptions {
  /** `auto` (default) or a name from `protocols()`. */
  protocol?: string;
  lang?: Lang;
  /** Render the same decode in these languages too, into `rendered` (one decode, no second pass). */
  languages?: Lang[];
  keys?: Keys;
}

export type NodeKind = 'delimiter' | 'length' | 'address' | 'control' | 'data' | 'check' | 'unknown';

export interface Node {
  /** Stable dotted id, e.g. `dlt645.data.di`. */
  id: string;
  label: string;
  span: Span;
  kind: NodeKind;
  value?: string;
  unit?: string;
  text?: string;
  /** A bit field's bits in its bytes, most significant first, e.g. `1... ....`. */
  bits?: string;
  children: Node[];
}

export interface Check {
  id: string;
  label: string;
  stated: string;
  computed: string;
  ok: boolean;
  span: Span;
}

export interface Diagnostic {
  severity: 'info' | 'warning' | 'error';
  offset: number;
  span: Span;
  code: string;
  message: string;
}

export interface Frame {
  protocol: string;
  span: Span;
  valid: boolean;
  checks: Check[];
  tree: Node;
  diagnostics: Diagnostic[];
}

export interface Junk {
  span: Span;
  reason: string;
}

export interface Dissection {
  frames: Frame[];
  junk: Junk[];
  /** What the frames tell together (joined fragments, segments and blocks; checks over several frames; tables). Absent when empty. */
  analyses?: Analysis[];
}

export interface Analysis {
  /** Stable dotted id of the kind: `dlt698.reassembly`, `dlms.reassembly`, `dlms.hls`, `dlms.profile`. */
  id: string;
  title: string;
  /** What became of it: `37 bytes`, `missing: part 3`. */
  status: string;
  /** False when the parts make no whole or a check fails. */
  ok: boolean;
  parts: { frame: number; label: string; span: Span; len: number }[];
  checks?: (Check & { frame: number })[];
  /** The joined bytes as spaced hex. */
  bytes?: string;
  /** The joined bytes dissected (spans are offsets in `bytes`), or a table. */
  frame?: Frame;
}

export interface Decoded {
  /** The input bytes as spaced upper-case hex. */
  bytes: string;
  /** How the input was read: hex, hexdump, base64, text or bytes. */
  kind: string;
  /** The dissection in `lang`. */
  dissection: Dissection;
  /** With `languages`: the dissection in `lang` and in each of `languages`. */
  rendered?: Partial<Record<Lang, Dissection>>;
}

export interface Guess {
  protocol: string;
  title: string;
  score: number;
  offset: number;
}

export type Input = string | Uint8Array | ArrayBuffer | number[];

/** Load the full decoder (every family) once: `meterscope_wasm_bg.wasm` next to this file unless `source` is given. */
export function init(source?: string | URL | Response | BufferSource | WebAssembly.Module): Promise<void>;
/**
 * Load what decoding `input` takes: with a protocol named, or a family module
 * already loaded, the smallest family module whose families the input's frames
 * are all of (`family/<name>/`); otherwise the full decoder, as `init`.
 */
export function load(input: Input, options?: { protocol?: string }): Promise<void>;
/** The modules loaded so far: `full` and the family modules' names (`dlt645`, `dlms`…). */
export function modules(): string[];
/**
 * Decode a frame, several frames or a whole log, with a loaded module that gives what the
 * full decoder gives. Throws on unusable input (with line and column), and where no loaded
 * module decodes the input (naming the families it needs).
 */
export function decode(input: Input, options?: DecodeOptions): Decoded;
/** Ranked protocol guesses, best first. */
export function detect(input: Input, options?: { lang?: Lang }): Guess[];
/** The decoder page's link to `input`: `app` + `#i=…&p=…&l=…`, the page's own permalink format. */
export function permalink(app: string, input: string, options?: { protocol?: string; lang?: Lang }): string;
/** `auto` and the protocol names `decode` accepts. */
export function protocols(): string[];
/** The decoder's version. */
export function version(): string;
