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

export type LineResult = { line: string } | { tooLong: number };

export class LineReader {
  #pending: number[] = [];
  #skip = 0;
  #inSubnegotiation = false;
  #overflow = 0;

  /** Bytes of an unfinished line, e.g. when a client drops mid-line. */
  get unfinishedBytes(): number {
    return this.#pending.length + this.#overflow;
  }

  push(bytes: Uint8Array): LineResult[] {
    const out: LineResult[] = [];
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
        if (this.#overflow > 0) out.push({ tooLong: this.#overflow + this.#pending.length });
        else out.push({ line: utf8.decode(Uint8Array.from(this.#pending)) });
        this.#pending = [];
        this.#overflow = 0;
        continue;
      }
      if (this.#pending.length < MAX_LINE_BYTES) this.#pending.push(b);
      else this.#overflow++;
    }
    return out;
  }
}
