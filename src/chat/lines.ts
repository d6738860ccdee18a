// Turns a telnet byte stream into lines: strips telnet negotiation (IAC sequences) and CR,
// splits on LF, and keeps an unfinished line until the rest arrives.
const IAC = 255;
const SB = 250;
const SE = 240;
const WILL = 251;
const DONT = 254;

// TextDecoder, not Buffer: simulation scenarios reuse this reader in the browser.
const utf8 = new TextDecoder();

/** Longest line a client may send; a longer one is refused whole, never cut. */
export const MAX_LINE_BYTES = 1024;
/** Room for an unfinished line at first: lines are short, and a room of 1000 clients has as many readers. */
const FIRST_LINE_BYTES = 64;

export type LineResult = { line: string } | { tooLong: number };

export class LineReader {
  /** The unfinished line's bytes: #pending[0, #length), grown as a line needs, to MAX_LINE_BYTES. */
  #pending = new Uint8Array(FIRST_LINE_BYTES);
  #length = 0;
  #skip = 0;
  #inSubnegotiation = false;
  /** An IAC was the last byte read: its command byte comes next (maybe in the next read). */
  #afterIac = false;
  #overflow = 0;

  /** Bytes of an unfinished line, e.g. when a client drops mid-line. */
  get unfinishedBytes(): number {
    return this.#length + this.#overflow;
  }

  push(bytes: Uint8Array): LineResult[] {
    const out: LineResult[] = [];
    // The state in locals for the loop, stored back after it: fields read and written per byte cost more than the loop's work.
    let pending = this.#pending;
    let length = this.#length;
    let skip = this.#skip;
    let inSubnegotiation = this.#inSubnegotiation;
    let afterIac = this.#afterIac;
    let overflow = this.#overflow;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (skip > 0) {
        skip--;
        continue;
      }
      if (inSubnegotiation) {
        if (b === SE) inSubnegotiation = false;
        continue;
      }
      if (afterIac) {
        // The command: a subnegotiation runs to SE, WILL/WONT/DO/DONT take an option byte.
        afterIac = false;
        if (b === SB) inSubnegotiation = true;
        else if (b >= WILL && b <= DONT) skip = 1;
        continue;
      }
      if (b === IAC) {
        afterIac = true;
        continue;
      }
      if (b === 13) continue;
      if (b === 10) {
        if (overflow > 0) out.push({ tooLong: overflow + length });
        else out.push({ line: text(pending, length) });
        length = 0;
        overflow = 0;
        continue;
      }
      if (length === MAX_LINE_BYTES) overflow++;
      else {
        if (length === pending.length) pending = this.#grown();
        pending[length++] = b;
      }
    }
    this.#length = length;
    this.#skip = skip;
    this.#inSubnegotiation = inSubnegotiation;
    this.#afterIac = afterIac;
    this.#overflow = overflow;
    return out;
  }

  #grown(): Uint8Array<ArrayBuffer> {
    const grown = new Uint8Array(Math.min(2 * this.#pending.length, MAX_LINE_BYTES));
    grown.set(this.#pending);
    this.#pending = grown;
    return grown;
  }
}

/** Lines up to this many bytes are decoded through a char-code array kept per length. */
const SHORT_LINE_BYTES = 64;
/** Per length, the array a short ASCII line's char codes are put in: one string made per line, nothing else. */
const charCodesOfLength: number[][] = [];

/**
 * The first `length` bytes of `bytes` as UTF-8 text: ASCII (a chat's lines, nearly all) as char
 * codes, at once; a short line through a reused array rather than a view made for it.
 */
function text(bytes: Uint8Array, length: number): string {
  const codes = length <= SHORT_LINE_BYTES ? (charCodesOfLength[length] ??= new Array<number>(length).fill(0)) : null;
  for (let i = 0; i < length; i++) {
    const b = bytes[i];
    if (b >= 0x80) return utf8.decode(bytes.subarray(0, length));
    if (codes !== null) codes[i] = b;
  }
  return String.fromCharCode.apply(null, codes ?? (bytes.subarray(0, length) as unknown as number[]));
}
