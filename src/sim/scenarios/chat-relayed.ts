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
function decimalIn(line: string, from: number, to: number): number {
  if (to <= from || (to - from > 1 && line.charCodeAt(from) === CODE_0)) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c < CODE_0 || c > CODE_9) return -1;
    n = n * 10 + c - CODE_0;
    if (n >= RELAYED_NUMBER_SPACE) return -1;
  }
  return n;
}

/**
 * Speaker `s`'s line `n` as the room relays it (exactly relayed(`c${s}`, spoken(n))), packed as
 * s * RELAYED_NUMBER_SPACE + n; -1 for any other line. Read in place: every client checks every
 * line of the room, and a string built per line to compare with cost more than the check.
 */
export function parseRelayed(line: string): number {
  const close = line.indexOf('] m');
  if (close < 0 || line.charCodeAt(0) !== 0x5b /* [ */ || line.charCodeAt(1) !== 0x63 /* c */) return -1;
  const speaker = decimalIn(line, 2, close);
  const n = decimalIn(line, close + 3, line.length);
  return speaker < 0 || n < 0 ? -1 : speaker * RELAYED_NUMBER_SPACE + n;
}
