// traceHash: a stable fingerprint of a trace, the same in Node and in a browser. Two runs of a
// seed are the same run exactly when their hashes match (the sweep's determinism self-check).
import type { Trace } from './format.js';

/** JSON with object keys sorted and undefined fields left out: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return value === undefined ? 'null' : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value).sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

// FNV-1a, 64 bits, in two 32-bit halves: exact in doubles, no BigInt, no node:crypto.
const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
const PRIME_LO = 0x1b3; // the prime is 2^40 + 0x1b3

/** FNV-1a 64 over UTF-8 text given piece by piece: no text of the whole trace is ever built. */
class Fnv64 {
  hi = OFFSET_HI;
  lo = OFFSET_LO;
  readonly #encoder = new TextEncoder();

  text(piece: string): void {
    for (let i = 0; i < piece.length; i++) {
      const c = piece.charCodeAt(i);
      if (c < 0x80) this.#byte(c);
      else {
        // Rare (labels, error names): this piece's UTF-8 from here on.
        for (const b of this.#encoder.encode(piece.slice(i))) this.#byte(b);
        return;
      }
    }
  }

  #byte(b: number): void {
    const lo = (this.lo ^ b) >>> 0;
    const low = lo * PRIME_LO;
    const carry = Math.floor(low / 0x100000000);
    this.hi = (this.hi * PRIME_LO + carry + ((lo << 8) >>> 0)) >>> 0;
    this.lo = low >>> 0;
  }

  hex(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }
}

/**
 * Records the hash leaves out: the wire's segments and takes (trace-wire.ts) and lane renames
 * are drawn for the page from the same run that the calls, requests, results, events and faults
 * already fix, so a seed hashes alike whether or not they were recorded, and the digests pinned
 * before they existed (test/sim-digests.test.ts) still hold.
 */
const UNHASHED: ReadonlySet<string> = new Set(['segment', 'take', 'label']);

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
  keys.filter((k) => k === 'records' || (rest as Record<string, unknown>)[k] !== undefined).forEach((key, i) => {
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
