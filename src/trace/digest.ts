// TraceDigest: the TraceSink a sweep hashes its runs with. It gives the same 16 hex digits as
// traceHash of the trace a TraceRecorder would have kept, but keeps no records: each is written
// as it arrives, straight into the canonical JSON bytes the hash reads, keys in their sorted order.
import type { TraceReactor, TraceRecord, TraceSink } from './format.js';
import { TRACE_FORMAT, TRACE_VERSION } from './format.js';
import { canonicalJson, Fnv64, UNHASHED } from './hash.js';

/** `"key":` of every field a record writes, as bytes; `,"key":` after the first. */
type Key = readonly [Uint8Array, Uint8Array];
function key(name: string): Key {
  const text = `${JSON.stringify(name)}:`;
  return [ascii(text), ascii(`,${text}`)];
}
const K = {
  accepted: key('accepted'),
  acceptedFd: key('acceptedFd'),
  async: key('async'),
  buffer: key('buffer'),
  bytes: key('bytes'),
  bytesInFlight: key('bytesInFlight'),
  code: key('code'),
  ctx: key('ctx'),
  cycle: key('cycle'),
  data: key('data'),
  detail: key('detail'),
  error: key('error'),
  events: key('events'),
  fault: key('fault'),
  fd: key('fd'),
  gen: key('gen'),
  k: key('k'),
  kind: key('kind'),
  label: key('label'),
  len: key('len'),
  mask: key('mask'),
  maxEvents: key('maxEvents'),
  op: key('op'),
  osCode: key('osCode'),
  poolInUse: key('poolInUse'),
  poolSize: key('poolSize'),
  r: key('r'),
  readyQueued: key('readyQueued'),
  slot: key('slot'),
  t: key('t'),
  target: key('target'),
  timeoutMs: key('timeoutMs'),
  type: key('type'),
  value: key('value'),
} as const;

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

const encoder = new TextEncoder();
const MIN_BYTES = 1 << 16;
const DIGIT_0 = 48;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 45;

export class TraceDigest implements TraceSink {
  readonly seed: number | null;
  readonly #reactors: TraceReactor[] = [];
  /** The records' canonical JSON so far, separated by commas. */
  #bytes = new Uint8Array(MIN_BYTES);
  #at = 0;
  /** The last non-integer written (records of one wait share a time) and its text. */
  #lastNumber = NaN;
  #lastNumberText = '';
  /** Whether the record being written has no field yet. */
  #first = true;

  constructor(options: { seed?: number | null } = {}) {
    this.seed = options.seed ?? null;
  }

  reactor(info: Omit<TraceReactor, 'r'>): number {
    const r = this.#reactors.length;
    this.#reactors.push({ r, ...info });
    return r;
  }

  /**
   * Each kind's fields in sorted order, as canonicalJson writes them; a kind this does not know
   * goes through canonicalJson itself (test/sim-digests.test.ts checks the two agree).
   */
  record(record: TraceRecord): void {
    if (UNHASHED.has(record.k)) return; // as traceHash leaves them out
    if (this.#at > 0) this.#byte(0x2c);
    this.#byte(0x7b);
    this.#first = true;
    switch (record.k) {
      case 'call': {
        const c = record;
        if (c.async !== undefined) this.#any(K.async, c.async);
        if (c.data !== undefined) this.#string(K.data, c.data);
        if (c.error !== undefined) this.#string(K.error, c.error);
        if (c.events !== undefined) this.#number(K.events, c.events);
        if (c.fd !== undefined) this.#number(K.fd, c.fd);
        this.#string(K.k, c.k);
        if (c.kind !== undefined) this.#number(K.kind, c.kind);
        if (c.label !== undefined) this.#string(K.label, c.label);
        if (c.maxEvents !== undefined) this.#number(K.maxEvents, c.maxEvents);
        this.#string(K.op, c.op);
        this.#number(K.r, c.r);
        this.#number(K.t, c.t);
        if (c.timeoutMs !== undefined) this.#any(K.timeoutMs, c.timeoutMs);
        break;
      }
      case 'request': {
        const q = record;
        if (q.cycle !== undefined) this.#number(K.cycle, q.cycle);
        this.#number(K.fd, q.fd);
        this.#string(K.k, q.k);
        this.#number(K.kind, q.kind);
        this.#number(K.len, q.len);
        this.#number(K.mask, q.mask);
        this.#number(K.r, q.r);
        this.#number(K.t, q.t);
        this.#number(K.target, q.target);
        break;
      }
      case 'result': {
        const x = record;
        this.#number(K.accepted, x.accepted);
        if (x.buffer !== undefined) this.#number(K.buffer, x.buffer);
        if (x.cycle !== undefined) this.#number(K.cycle, x.cycle);
        if (x.data !== undefined) this.#string(K.data, x.data);
        this.#number(K.fd, x.fd);
        if (x.gen !== undefined) this.#number(K.gen, x.gen);
        this.#string(K.k, x.k);
        this.#number(K.kind, x.kind);
        this.#number(K.osCode, x.osCode);
        this.#number(K.r, x.r);
        this.#number(K.t, x.t);
        this.#number(K.target, x.target);
        this.#number(K.value, x.value);
        break;
      }
      case 'event': {
        const e = record;
        if (e.acceptedFd !== undefined) this.#number(K.acceptedFd, e.acceptedFd);
        this.#number(K.bytes, e.bytes);
        this.#any(K.code, e.code);
        this.#number(K.ctx, e.ctx);
        this.#number(K.fd, e.fd);
        this.#string(K.k, e.k);
        this.#number(K.osCode, e.osCode);
        this.#number(K.r, e.r);
        this.#number(K.slot, e.slot);
        this.#number(K.t, e.t);
        this.#number(K.type, e.type);
        break;
      }
      case 'fault': {
        const f = record;
        if (f.detail !== undefined) this.#string(K.detail, f.detail);
        this.#string(K.fault, f.fault);
        if (f.fd !== undefined) this.#number(K.fd, f.fd);
        this.#string(K.k, f.k);
        this.#number(K.r, f.r);
        this.#number(K.t, f.t);
        break;
      }
      case 'counters': {
        const n = record;
        this.#number(K.bytesInFlight, n.bytesInFlight);
        this.#string(K.k, n.k);
        this.#number(K.poolInUse, n.poolInUse);
        this.#number(K.poolSize, n.poolSize);
        this.#number(K.r, n.r);
        this.#number(K.readyQueued, n.readyQueued);
        this.#number(K.t, n.t);
        break;
      }
      default:
        this.#at--; // the brace: canonicalJson writes its own
        this.#text(canonicalJson(record));
        return;
    }
    this.#byte(0x7d);
  }

  /** traceHash of the trace recorded so far. */
  hex(): string {
    const fnv = new Fnv64();
    const head: Record<string, unknown> = { format: TRACE_FORMAT, reactors: this.#reactors };
    fnv.text(`${canonicalJson(head).slice(0, -1)},"records":[`);
    fnv.bytes(this.#bytes, this.#at);
    fnv.text(`],"seed":${canonicalJson(this.seed)},"version":${TRACE_VERSION}}`);
    return fnv.hex();
  }

  #key(key: Key): void {
    this.#raw(key[this.#first ? 0 : 1]);
    this.#first = false;
  }

  #number(key: Key, value: number): void {
    this.#key(key);
    if (Number.isInteger(value) && Math.abs(value) < 2 ** 31) this.#integer(value);
    else {
      if (value !== this.#lastNumber) {
        this.#lastNumber = value;
        this.#lastNumberText = JSON.stringify(value);
      }
      this.#text(this.#lastNumberText);
    }
  }

  #string(key: Key, value: string): void {
    this.#key(key);
    this.#room(value.length + 2);
    const bytes = this.#bytes;
    let at = this.#at;
    bytes[at++] = QUOTE;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x20 || c >= 0x7f || c === QUOTE || c === BACKSLASH) {
        // Escapes or UTF-8 (labels, error texts): JSON.stringify's text.
        this.#text(JSON.stringify(value));
        return;
      }
      bytes[at++] = c;
    }
    bytes[at++] = QUOTE;
    this.#at = at;
  }

  #any(key: Key, value: unknown): void {
    if (typeof value === 'number') return this.#number(key, value);
    this.#key(key);
    this.#text(value === null ? 'null' : canonicalJson(value));
  }

  #integer(n: number): void {
    if (n < 0) {
      this.#byte(MINUS);
      n = -n;
    }
    this.#room(11);
    const bytes = this.#bytes;
    let digits = 1;
    for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
    let at = this.#at + digits;
    this.#at = at;
    do {
      bytes[--at] = DIGIT_0 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
  }

  #text(text: string): void {
    this.#room(text.length);
    const bytes = this.#bytes;
    let at = this.#at;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        // Rare (labels, error names): the rest as UTF-8.
        this.#at = at;
        this.#raw(encoder.encode(text.slice(i)));
        return;
      }
      bytes[at++] = c;
    }
    this.#at = at;
  }

  #raw(piece: Uint8Array): void {
    this.#room(piece.length);
    this.#bytes.set(piece, this.#at);
    this.#at += piece.length;
  }

  #byte(b: number): void {
    this.#room(1);
    this.#bytes[this.#at++] = b;
  }

  #room(n: number): void {
    if (this.#at + n <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(2 * this.#bytes.length, this.#at + n));
    grown.set(this.#bytes.subarray(0, this.#at));
    this.#bytes = grown;
  }
}
