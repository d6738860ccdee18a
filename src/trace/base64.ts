// Base64 in plain TypeScript: traces carry bytes as text, and must read the same in a browser.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Map<string, number>([...ALPHABET].map((c, i) => [c, i]));
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const PAD = '='.charCodeAt(0);

/** Chars per String.fromCharCode call: far below any engine's argument limit. */
const CHUNK_CHARS = 8192;

export function encodeBase64(bytes: Uint8Array): string {
  // Character codes first, one string at the end: a string grown by += is a rope of small
  // pieces, several times the size of the flat text a trace keeps.
  const codes = new Uint16Array(Math.ceil(bytes.length / 3) * 4);
  for (let i = 0, o = 0; i < bytes.length; i += 3, o += 4) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    codes[o] = CODES[(n >> 18) & 63];
    codes[o + 1] = CODES[(n >> 12) & 63];
    codes[o + 2] = i + 1 < bytes.length ? CODES[(n >> 6) & 63] : PAD;
    codes[o + 3] = i + 2 < bytes.length ? CODES[n & 63] : PAD;
  }
  let out = '';
  for (let at = 0; at < codes.length; at += CHUNK_CHARS) {
    out += String.fromCharCode(...codes.subarray(at, at + CHUNK_CHARS));
  }
  return out;
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
