// traceHash: a stable fingerprint of a trace, the same in Node and in a browser. Two runs of a
// seed are the same run exactly when their hashes match (the sweep's determinism self-check).
// No imports: a browser runs this file's text as it is; the package exports it checked (check.ts).
import type { Trace } from './format.js';

/** JSON with object keys sorted and undefined fields left out: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return value === undefined ? 'null' : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

// FNV-1a, 64 bits, in two 32-bit halves: int32 arithmetic (Math.imul and 16-bit partial
// products), so the loop keeps its state in registers and allocates no heap numbers.
const OFFSET_HI = 0xcbf29ce4 | 0;
const OFFSET_LO = 0x84222325 | 0;
const PRIME_LO = 0x1b3; // the prime is 2^40 + 0x1b3

/** FNV-1a 64 over UTF-8 given piece by piece: no text of the whole trace is ever built. */
export class Fnv64 {
  #hi = OFFSET_HI;
  #lo = OFFSET_LO;
  readonly #encoder = new TextEncoder();
  /** A piece's UTF-8, reused from piece to piece. */
  #scratch = new Uint8Array(256);

  text(piece: string): void {
    if (this.#scratch.length < 3 * piece.length) this.#scratch = new Uint8Array(3 * piece.length);
    const { written } = this.#encoder.encodeInto(piece, this.#scratch);
    this.bytes(this.#scratch, written);
  }

  /** The first `length` bytes of `bytes`. */
  bytes(bytes: Uint8Array, length: number): void {
    let hi = this.#hi;
    let lo = this.#lo;
    for (let i = 0; i < length; i++) {
      const x = lo ^ bytes[i];
      // hash × prime mod 2^64: the low half's product, its carry into the high half, and 2^40 × low half.
      const carry = ((x >>> 16) * PRIME_LO + (((x & 0xffff) * PRIME_LO) >>> 16)) >>> 16;
      hi = (Math.imul(hi, PRIME_LO) + carry + (x << 8)) | 0;
      lo = Math.imul(x, PRIME_LO);
    }
    this.#hi = hi;
    this.#lo = lo;
  }

  hex(): string {
    return (this.#hi >>> 0).toString(16).padStart(8, '0') + (this.#lo >>> 0).toString(16).padStart(8, '0');
  }
}

/**
 * Records the hash leaves out: the wire's segments and takes (trace-wire.ts) and lane renames
 * are drawn for the page from the same run that the calls, requests, results, events and faults
 * already fix, so a seed hashes alike whether or not they were recorded, and the digests pinned
 * before they existed (test/sim-digests.test.ts) still hold.
 */
export const UNHASHED: ReadonlySet<string> = new Set(['segment', 'take', 'label']);

/**
 * 16 hex digits: FNV-1a 64 of the trace's canonical JSON in UTF-8 (UNHASHED records left out),
 * hashed a record at a time (the trace's keys in sorted order: dropped, format, reactors, records,
 * seed, version).
 */
export function traceHash(trace: Trace): string {
  const fnv = new Fnv64();
  const { records, ...rest } = trace;
  const keys = Object.keys(rest).concat('records').sort();
  fnv.text('{');
  keys
    .filter((k) => k === 'records' || (rest as Record<string, unknown>)[k] !== undefined)
    .forEach((key, i) => {
      fnv.text(`${i > 0 ? ',' : ''}${JSON.stringify(key)}:`);
      if (key !== 'records') {
        fnv.text(canonicalJson((rest as Record<string, unknown>)[key]));
        return;
      }
      fnv.text('[');
      let first = true;
      for (const record of records) {
        if (UNHASHED.has(record.k)) continue;
        fnv.text(first ? canonicalJson(record) : `,${canonicalJson(record)}`);
        first = false;
      }
      fnv.text(']');
    });
  fnv.text('}');
  return fnv.hex();
}
