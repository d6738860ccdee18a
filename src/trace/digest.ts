// TraceDigest: the TraceSink a sweep hashes its runs with. It gives the same 16 hex digits as
// traceHash of the trace a TraceRecorder would have kept, but keeps no records: each is written
// as it arrives, straight into the canonical JSON bytes the hash reads, keys in their sorted order.
import type { TraceReactor, TraceRecord, TraceSink } from './format.js';
import { TRACE_FORMAT, TRACE_VERSION } from './format.js';
import { canonicalJson, Fnv64 } from './hash.js';

/** Each record kind's fields in sorted order: the order canonicalJson writes them in. */
const FIELDS: Record<TraceRecord['k'], readonly string[]> = {
  call: ['async', 'data', 'error', 'events', 'fd', 'k', 'kind', 'label', 'maxEvents', 'op', 'r', 't', 'timeoutMs'],
  request: ['cycle', 'fd', 'k', 'kind', 'len', 'mask', 'r', 't', 'target'],
  result: ['accepted', 'buffer', 'cycle', 'data', 'fd', 'gen', 'k', 'kind', 'osCode', 'r', 't', 'target', 'value'],
  event: ['acceptedFd', 'bytes', 'code', 'ctx', 'fd', 'k', 'osCode', 'r', 'slot', 't', 'type'],
  fault: ['detail', 'fault', 'fd', 'k', 'r', 't'],
  counters: ['bytesInFlight', 'k', 'poolInUse', 'poolSize', 'r', 'readyQueued', 't'],
};

/** `"key":` and `,"key":` of every field, as bytes. */
const KEY_BYTES = new Map<string, [Uint8Array, Uint8Array]>();
for (const key of new Set(Object.values(FIELDS).flat())) {
  const text = `${JSON.stringify(key)}:`;
  KEY_BYTES.set(key, [ascii(text), ascii(`,${text}`)]);
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

const NULL = ascii('null');
const encoder = new TextEncoder();
const MIN_BYTES = 1 << 16;
const DIGIT_0 = 48;
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

  constructor(options: { seed?: number | null } = {}) {
    this.seed = options.seed ?? null;
  }

  reactor(info: Omit<TraceReactor, 'r'>): number {
    const r = this.#reactors.length;
    this.#reactors.push({ r, ...info });
    return r;
  }

  record(record: TraceRecord): void {
    if (this.#at > 0) this.#byte(0x2c);
    const fields = FIELDS[record.k];
    if (fields === undefined) {
      this.#text(canonicalJson(record));
      return;
    }
    const values = record as unknown as Record<string, unknown>;
    this.#byte(0x7b);
    let first = true;
    for (let i = 0; i < fields.length; i++) {
      const value = values[fields[i]];
      if (value === undefined) continue;
      this.#raw(KEY_BYTES.get(fields[i])![first ? 0 : 1]);
      first = false;
      this.#value(value);
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

  #value(value: unknown): void {
    if (typeof value === 'number') {
      if (Number.isInteger(value) && Math.abs(value) < 2 ** 31) this.#integer(value);
      else {
        if (value !== this.#lastNumber) {
          this.#lastNumber = value;
          this.#lastNumberText = JSON.stringify(value);
        }
        this.#text(this.#lastNumberText);
      }
    } else if (typeof value === 'string') this.#text(JSON.stringify(value));
    else if (value === null) this.#raw(NULL);
    else this.#text(canonicalJson(value));
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
