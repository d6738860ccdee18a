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

const NO_INPUT = new Uint8Array(0);

/**
 * Read line by line: feed() a read's bytes, then each next() finishes one line, which is read in
 * place (lineIs, lineBytes, text) until the next call: no object or string is made for a line
 * unless text() is asked for. push() gives a read's lines as results, for callers that want them so.
 */
export class LineReader {
  /** The unfinished line's bytes: #pending[0, #length), grown as a line needs, to MAX_LINE_BYTES. */
  #pending = new Uint8Array(FIRST_LINE_BYTES);
  #length = 0;
  #skip = 0;
  #inSubnegotiation = false;
  /** An IAC was the last byte read: its command byte comes next (maybe in the next read). */
  #afterIac = false;
  #overflow = 0;
  /** The fed bytes, read from #at on. */
  #input: Uint8Array = NO_INPUT;
  #at = 0;
  /** The line next() finished: #pending[0, #lineLength), or refused (#tooLong, its length, > 0). */
  #lineLength = 0;
  #tooLong = 0;

  /** Bytes of an unfinished line, e.g. when a client drops mid-line. */
  get unfinishedBytes(): number {
    return this.#length + this.#overflow;
  }

  /** Reads `bytes` next: the lines of an earlier feed that next() did not reach are dropped. */
  feed(bytes: Uint8Array): void {
    this.#input = bytes;
    this.#at = 0;
  }

  /**
   * Reads the fed bytes to the end of the next line: false when they ran out first (the
   * unfinished line waits for the next feed).
   */
  next(): boolean {
    const bytes = this.#input;
    // The state in locals for the loop, stored back after it: fields read and written per byte cost more than the loop's work.
    let pending = this.#pending;
    let length = this.#length;
    let skip = this.#skip;
    let inSubnegotiation = this.#inSubnegotiation;
    let afterIac = this.#afterIac;
    let overflow = this.#overflow;
    let found = false;
    let i = this.#at;
    for (; i < bytes.length && !found; i++) {
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
        this.#tooLong = overflow > 0 ? overflow + length : 0;
        this.#lineLength = length;
        length = 0;
        overflow = 0;
        found = true;
        continue;
      }
      if (length === MAX_LINE_BYTES) overflow++;
      else {
        if (length === pending.length) pending = this.#grown();
        pending[length++] = b;
      }
    }
    this.#at = i;
    this.#length = length;
    this.#skip = skip;
    this.#inSubnegotiation = inSubnegotiation;
    this.#afterIac = afterIac;
    this.#overflow = overflow;
    if (!found) this.#input = NO_INPUT;
    return found;
  }

  /** The line next() found was longer than MAX_LINE_BYTES: its length (refused whole, it has no text), else 0. */
  get tooLong(): number {
    return this.#tooLong;
  }

  /** The bytes of the line next() found are lineBytes[0, lineLength), until the next call of next(). */
  get lineBytes(): Uint8Array {
    return this.#pending;
  }

  get lineLength(): number {
    return this.#lineLength;
  }

  /** Whether the line next() found is exactly `expected`. */
  lineIs(expected: Uint8Array): boolean {
    const length = this.#lineLength;
    if (this.#tooLong > 0 || length !== expected.length) return false;
    const pending = this.#pending;
    for (let i = 0; i < length; i++) if (pending[i] !== expected[i]) return false;
    return true;
  }

  /** The line next() found, as text (UTF-8). */
  text(): string {
    return text(this.#pending, this.#lineLength);
  }

  /** The lines `bytes` finish, each as its text or, refused, its length. */
  push(bytes: Uint8Array): LineResult[] {
    const out: LineResult[] = [];
    this.feed(bytes);
    while (this.next()) out.push(this.#tooLong > 0 ? { tooLong: this.#tooLong } : { line: this.text() });
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
