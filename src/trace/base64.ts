// Base64 in plain TypeScript: traces carry bytes as text, and must read the same in a browser.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Map<string, number>([...ALPHABET].map((c, i) => [c, i]));
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const PAD = '='.charCodeAt(0);

/** Base64's characters are ASCII: their codes decode as UTF-8 to the text, natively, in one call. */
const TEXT = new TextDecoder();

export function encodeBase64(bytes: Uint8Array): string {
  // Character codes first, one string at the end: a string grown by += is a rope of small
  // pieces, several times the size of the flat text a trace keeps.
  const codes = new Uint8Array(base64Length(bytes.length));
  base64Into(bytes, codes, 0);
  return TEXT.decode(codes);
}

/** Characters of the base64 of `bytes` bytes. */
export const base64Length = (bytes: number): number => Math.ceil(bytes / 3) * 4;

/**
 * Writes the base64 of `bytes` as character codes into `codes` from `at` (base64Length of them):
 * a digest writes it straight into the text it hashes. Returns where it ended.
 */
export function base64Into(bytes: Uint8Array, codes: Uint8Array, at: number): number {
  // Whole groups of three in the loop, the last one or two bytes after it: a read past a typed
  // array's end deoptimises the loop.
  const whole = bytes.length - (bytes.length % 3);
  let o = at;
  for (let i = 0; i < whole; i += 3, o += 4) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    codes[o] = CODES[n >> 18];
    codes[o + 1] = CODES[(n >> 12) & 63];
    codes[o + 2] = CODES[(n >> 6) & 63];
    codes[o + 3] = CODES[n & 63];
  }
  if (whole < bytes.length) {
    const two = whole + 1 < bytes.length;
    const n = (bytes[whole] << 16) | (two ? bytes[whole + 1] << 8 : 0);
    codes[o] = CODES[n >> 18];
    codes[o + 1] = CODES[(n >> 12) & 63];
    codes[o + 2] = two ? CODES[(n >> 6) & 63] : PAD;
    codes[o + 3] = PAD;
    o += 4;
  }
  return o;
}

/** The bytes of `text`; null when it is not base64. */
export function decodeBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  for (let i = 0, o = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text[i + j];
      const v = c === '=' && i + j >= text.length - pad ? 0 : VALUE.get(c);
      if (v === undefined) return null;
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
