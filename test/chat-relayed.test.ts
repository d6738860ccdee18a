// The chat client reads the room's relayed lines in place, as bytes (src/sim/scenarios/chat-relayed.ts): it
// must accept exactly the lines the room writes, `[c<speaker>] m<n>`, and nothing else, or a
// client would let an out-of-order or garbled line pass.
import fc from 'fast-check';
import { relayed, spoken, parseRelayed, RELAYED_NUMBER_SPACE } from '../src/sim/scenarios/chat-relayed.js';

/** Parses `line` as a reader holds it: its bytes at the start of a longer buffer (digits after it must not count). */
function parse(line: string): number {
  const bytes = new TextEncoder().encode(line);
  const buffer = new Uint8Array(bytes.length + 4).fill(0x31);
  buffer.set(bytes);
  return parseRelayed(buffer, bytes.length);
}

const lineOf = (said: number): string => relayed(`c${Math.floor(said / RELAYED_NUMBER_SPACE)}`, spoken(said % RELAYED_NUMBER_SPACE));

test('every line the room relays reads back as its speaker and number', () => {
  fc.assert(
    fc.property(fc.nat(RELAYED_NUMBER_SPACE - 1), fc.nat(RELAYED_NUMBER_SPACE - 1), (speaker, n) => {
      expect(parse(relayed(`c${speaker}`, spoken(n)))).toBe(speaker * RELAYED_NUMBER_SPACE + n);
    }),
  );
});

test('a line read as speaker s saying line n is exactly the room writing it; any other line reads as -1', () => {
  // Near misses: the relayed form's own characters, and the ways a number can be spelled otherwise.
  const nearMiss = fc.string({
    unit: fc.constantFrom('[', ']', 'c', 'm', ' ', '0', '1', '7', '9', '+', '-', '.', 'e', 'x'),
    maxLength: 14,
  });
  const mutated = fc.tuple(fc.nat(40), fc.nat(40), fc.nat(20), fc.string({ maxLength: 3 })).map(([s, n, at, insert]) => {
    const line = relayed(`c${s}`, spoken(n));
    const cut = Math.min(at, line.length);
    return line.slice(0, cut) + insert + line.slice(cut);
  });
  fc.assert(
    fc.property(fc.oneof(nearMiss, mutated, fc.string()), (line) => {
      const said = parse(line);
      if (said >= 0) expect(lineOf(said)).toBe(line);
      else expect(said).toBe(-1);
    }),
    { numRuns: 2000 },
  );
  for (const wrong of [
    '[c01] m1',
    '[c1] m01',
    '[c1] m',
    '[c] m1',
    '[c1]m1',
    '[c1] m1 ',
    ' [c1] m1',
    '[c-1] m1',
    '[c1] m+1',
    `[c${RELAYED_NUMBER_SPACE}] m0`,
  ])
    expect(parse(wrong)).toBe(-1);
});
