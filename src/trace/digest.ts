// TraceDigest: the TraceSink a sweep hashes its runs with. It gives the same 16 hex digits as
// traceHash of the trace a TraceRecorder would have kept, but keeps no records: each is written
// as it arrives, straight into the canonical JSON bytes the hash reads, keys in their sorted order.
// As a FieldSink it takes the tap's records as fields, so none is ever made.
import type { CallRecord, TraceReactor, TraceRecord } from './format.js';
import { TRACE_FORMAT, TRACE_VERSION } from './format.js';
import { canonicalJson, Fnv64, UNHASHED } from './hash.js';
import { resultHasBuffer, eventHasAcceptedFd, type FieldSink } from './field-sink.js';
import { base64Into, base64Length } from './base64.js';

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
/**
 * The most bytes a digest of this process has held: the next starts with that much room, as a
 * sweep's runs are alike, and growing a digest of megabytes by copies cost more than writing it.
 */
let bytesSeen = MIN_BYTES;
const DIGIT_0 = 48;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 45;
const COMMA = 0x2c;
/** Pieces longer than this are copied with set(); shorter ones (the keys) byte by byte. */
const RAW_SET_BYTES = 32;

export class TraceDigest implements FieldSink {
  readonly seed: number | null;
  /** Renames are drawn, not hashed (UNHASHED). */
  readonly keepsLabels = false;
  readonly readsCallDetails = true;

  readsShimRecords(): boolean {
    return true;
  }
  readonly #reactors: TraceReactor[] = [];
  /** The records' canonical JSON so far, separated by commas (during a call: what it caused). */
  #bytes = new Uint8Array(bytesSeen);
  #at = 0;
  /**
   * During an app call: the records' text, set aside while #bytes takes what the call causes,
   * each record with its comma before it; the call's own record goes first at its end.
   */
  #outside: Uint8Array<ArrayBuffer> | null = null;
  #outsideAt = 0;
  /** Where a call's records are written, kept from call to call. */
  #caused = new Uint8Array(MIN_BYTES);
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
    switch (record.k) {
      case 'request': {
        const q = record;
        this.#request(q.t, q.r, q.kind, q.fd, q.target, q.len, q.mask, q.cycle);
        return;
      }
      case 'result': {
        const x = record;
        this.#result(x.t, x.r, x.kind, x.fd, x.target, x.value, x.osCode, x.accepted, x.gen, x.cycle, x.buffer, x.data, null);
        return;
      }
      case 'event': {
        const e = record;
        this.#event(e.t, e.r, e.fd, e.slot, e.ctx, e.type, e.bytes, e.code, e.osCode, e.acceptedFd);
        return;
      }
      case 'counters': {
        const n = record;
        this.counters(n.t, n.r, n.poolInUse, n.poolSize, n.readyQueued, n.bytesInFlight);
        return;
      }
    }
    this.#open();
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
      default:
        this.#at--; // the brace: canonicalJson writes its own
        this.#text(canonicalJson(record));
        return;
    }
    this.#byte(0x7d);
  }

  beginCall(): void {
    this.#outside = this.#bytes;
    this.#outsideAt = this.#at;
    this.#bytes = this.#caused;
    this.#at = 0;
  }

  endCall(call: CallRecord | null): void {
    const caused = this.#bytes;
    const causedAt = this.#at;
    this.#caused = caused;
    this.#bytes = this.#outside!;
    this.#at = this.#outsideAt;
    this.#outside = null;
    if (call !== null) this.record(call);
    // The first record of the trace has no comma before it.
    const from = this.#at === 0 ? 1 : 0;
    if (causedAt > from) this.#raw(caused.subarray(from, causedAt));
  }

  request(t: number, r: number, kind: number, fd: number, target: number, len: number, mask: number, cycle: number): void {
    this.#request(t, r, kind, fd, target, len, mask, cycle);
  }

  result(
    t: number,
    r: number,
    kind: number,
    fd: number,
    target: number,
    value: number,
    osCode: number,
    accepted: number,
    gen: number,
    cycle: number,
    buffer: number,
    data: Uint8Array | null,
  ): void {
    this.#result(t, r, kind, fd, target, value, osCode, accepted, gen, cycle, resultHasBuffer(kind) ? buffer : undefined, undefined, data);
  }

  event(
    t: number,
    r: number,
    fd: number,
    slot: number,
    ctx: number,
    type: number,
    bytes: number,
    code: string | null,
    osCode: number,
    acceptedFd: number,
  ): void {
    this.#event(t, r, fd, slot, ctx, type, bytes, code, osCode, eventHasAcceptedFd(type) ? acceptedFd : undefined);
  }

  counters(t: number, r: number, poolInUse: number, poolSize: number, readyQueued: number, bytesInFlight: number): void {
    this.#open();
    this.#number(K.bytesInFlight, bytesInFlight);
    this.#string(K.k, 'counters');
    this.#number(K.poolInUse, poolInUse);
    this.#number(K.poolSize, poolSize);
    this.#number(K.r, r);
    this.#number(K.readyQueued, readyQueued);
    this.#number(K.t, t);
    this.#byte(0x7d);
  }

  // Each kind's fields in sorted order, as canonicalJson writes them; a field given as undefined
  // is left out, as canonicalJson leaves it.

  #request(t: number, r: number, kind: number, fd: number, target: number, len: number, mask: number, cycle: number | undefined): void {
    this.#open();
    if (cycle !== undefined) this.#number(K.cycle, cycle);
    this.#number(K.fd, fd);
    this.#string(K.k, 'request');
    this.#number(K.kind, kind);
    this.#number(K.len, len);
    this.#number(K.mask, mask);
    this.#number(K.r, r);
    this.#number(K.t, t);
    this.#number(K.target, target);
    this.#byte(0x7d);
  }

  /** `data` as the record's base64 text, or as the bytes it encodes. */
  #result(
    t: number,
    r: number,
    kind: number,
    fd: number,
    target: number,
    value: number,
    osCode: number,
    accepted: number,
    gen: number | undefined,
    cycle: number | undefined,
    buffer: number | undefined,
    dataText: string | undefined,
    dataBytes: Uint8Array | null,
  ): void {
    this.#open();
    this.#number(K.accepted, accepted);
    if (buffer !== undefined) this.#number(K.buffer, buffer);
    if (cycle !== undefined) this.#number(K.cycle, cycle);
    if (dataText !== undefined) this.#string(K.data, dataText);
    else if (dataBytes !== null) this.#base64(K.data, dataBytes);
    this.#number(K.fd, fd);
    if (gen !== undefined) this.#number(K.gen, gen);
    this.#string(K.k, 'result');
    this.#number(K.kind, kind);
    this.#number(K.osCode, osCode);
    this.#number(K.r, r);
    this.#number(K.t, t);
    this.#number(K.target, target);
    this.#number(K.value, value);
    this.#byte(0x7d);
  }

  #event(
    t: number,
    r: number,
    fd: number,
    slot: number,
    ctx: number,
    type: number,
    bytes: number,
    code: string | null,
    osCode: number,
    acceptedFd: number | undefined,
  ): void {
    this.#open();
    if (acceptedFd !== undefined) this.#number(K.acceptedFd, acceptedFd);
    this.#number(K.bytes, bytes);
    this.#any(K.code, code);
    this.#number(K.ctx, ctx);
    this.#number(K.fd, fd);
    this.#string(K.k, 'event');
    this.#number(K.osCode, osCode);
    this.#number(K.r, r);
    this.#number(K.slot, slot);
    this.#number(K.t, t);
    this.#number(K.type, type);
    this.#byte(0x7d);
  }

  /** A record's start: its comma (always, while a call's records are set aside) and brace. */
  #open(): void {
    if (this.#at > 0 || this.#outside !== null) this.#byte(COMMA);
    this.#byte(0x7b);
    this.#first = true;
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

  #base64(key: Key, bytes: Uint8Array): void {
    this.#key(key);
    this.#room(base64Length(bytes.length) + 2);
    this.#bytes[this.#at++] = QUOTE;
    this.#at = base64Into(bytes, this.#bytes, this.#at);
    this.#bytes[this.#at++] = QUOTE;
  }

  #any(key: Key, value: unknown): void {
    if (typeof value === 'number') return this.#number(key, value);
    this.#key(key);
    this.#text(value === null ? 'null' : canonicalJson(value));
  }

  /** An integer below 2^31 in magnitude: int32 division, and one digit (most fields) at once. */
  #integer(n: number): void {
    this.#room(11);
    const bytes = this.#bytes;
    if (n < 0) {
      bytes[this.#at++] = MINUS;
      n = -n;
    }
    if (n < 10) {
      bytes[this.#at++] = DIGIT_0 + n;
      return;
    }
    let digits = 1;
    for (let m = n; m >= 10; m = (m / 10) | 0) digits++;
    let at = this.#at + digits;
    this.#at = at;
    do {
      bytes[--at] = DIGIT_0 + (n % 10);
      n = (n / 10) | 0;
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
    const n = piece.length;
    this.#room(n);
    if (n > RAW_SET_BYTES) {
      this.#bytes.set(piece, this.#at);
      this.#at += n;
      return;
    }
    // A key's few bytes: a loop costs less than a call of set().
    const bytes = this.#bytes;
    let at = this.#at;
    for (let i = 0; i < n; i++) bytes[at++] = piece[i];
    this.#at = at;
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
    // Not the buffer of a call's records, which stays small.
    if (this.#outside === null) bytesSeen = Math.max(bytesSeen, grown.length);
  }
}
