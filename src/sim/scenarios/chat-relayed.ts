// The chat room's relayed lines, `[c<speaker>] m<n>`: how the room writes them and how a client
// reads one back.

/** A speaker's line as the room relays it. */
export const relayed = (speaker: string, line: string): string => `[${speaker}] ${line}`;
/** A speaker's `n`th line, as it says it. */
export const spoken = (n: number): string => `m${n}`;

/** Bound of the numbers a relayed line is parsed with: speaker ids and line numbers fit below it, packed in one number. */
export const RELAYED_NUMBER_SPACE = 1 << 16;
const CODE_0 = 48;
const CODE_9 = 57;

/** The decimal in line[from, to) as `${n}` writes it (no sign, no leading zero), below RELAYED_NUMBER_SPACE; else -1. */
function decimalIn(line: Uint8Array, from: number, to: number): number {
  if (to <= from || (to - from > 1 && line[from] === CODE_0)) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = line[i];
    if (c < CODE_0 || c > CODE_9) return -1;
    n = n * 10 + c - CODE_0;
    if (n >= RELAYED_NUMBER_SPACE) return -1;
  }
  return n;
}

const OPEN = 0x5b; // [
const C = 0x63;
const CLOSE = 0x5d; // ]
const SPACE = 0x20;
const M = 0x6d;

/**
 * Speaker `s`'s line `n` as the room relays it (exactly relayed(`c${s}`, spoken(n))), packed as
 * s * RELAYED_NUMBER_SPACE + n; -1 for any other line. The line is its UTF-8 bytes
 * line[0, length), read in place: every client checks every line of the room, and a string made
 * per line cost more than the check.
 */
export function parseRelayed(line: Uint8Array, length: number): number {
  if (length < 2 || line[0] !== OPEN || line[1] !== C) return -1;
  let close = 2;
  while (close < length && line[close] !== CLOSE) close++;
  if (close + 2 >= length || line[close + 1] !== SPACE || line[close + 2] !== M) return -1;
  const speaker = decimalIn(line, 2, close);
  const n = decimalIn(line, close + 3, length);
  return speaker < 0 || n < 0 ? -1 : speaker * RELAYED_NUMBER_SPACE + n;
}
