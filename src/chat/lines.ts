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
  #overflow = 0;

  /** Bytes of an unfinished line, e.g. when a client drops mid-line. */
  get unfinishedBytes(): number {
    return this.#length + this.#overflow;
  }

  push(bytes: Uint8Array): LineResult[] {
    const out: LineResult[] = [];
    let pending = this.#pending;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (this.#skip > 0) {
        this.#skip--;
        continue;
      }
      if (this.#inSubnegotiation) {
        if (b === SE) this.#inSubnegotiation = false;
        continue;
      }
      if (b === IAC) {
        const next = bytes[i + 1];
        if (next === SB) {
          this.#inSubnegotiation = true;
          i++;
        } else this.#skip = next !== undefined && next >= WILL && next <= DONT ? 2 : 1;
        continue;
      }
      if (b === 13) continue;
      if (b === 10) {
        if (this.#overflow > 0) out.push({ tooLong: this.#overflow + this.#length });
        else out.push({ line: text(pending, this.#length) });
        this.#length = 0;
        this.#overflow = 0;
        continue;
      }
      if (this.#length === MAX_LINE_BYTES) this.#overflow++;
      else {
        if (this.#length === pending.length) pending = this.#grown();
        pending[this.#length++] = b;
      }
    }
    return out;
  }

  #grown(): Uint8Array<ArrayBuffer> {
    const grown = new Uint8Array(Math.min(2 * this.#pending.length, MAX_LINE_BYTES));
    grown.set(this.#pending);
    this.#pending = grown;
    return grown;
  }
}

/** The first `length` bytes of `bytes` as UTF-8 text: ASCII (a chat's lines, nearly all) as char codes, at once. */
function text(bytes: Uint8Array, length: number): string {
  const line = bytes.subarray(0, length);
  for (let i = 0; i < length; i++) if (line[i] >= 0x80) return utf8.decode(line);
  return String.fromCharCode.apply(null, line as unknown as number[]);
}
