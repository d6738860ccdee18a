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

function fnv1a64(bytes: Uint8Array): string {
  let hi = OFFSET_HI;
  let lo = OFFSET_LO;
  for (let i = 0; i < bytes.length; i++) {
    lo = (lo ^ bytes[i]) >>> 0;
    const low = lo * PRIME_LO;
    const carry = Math.floor(low / 0x100000000);
    hi = (hi * PRIME_LO + carry + ((lo << 8) >>> 0)) >>> 0;
    lo = low >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** 16 hex digits: FNV-1a 64 of the trace's canonical JSON in UTF-8. */
export function traceHash(trace: Trace): string {
  return fnv1a64(new TextEncoder().encode(canonicalJson(trace)));
}
