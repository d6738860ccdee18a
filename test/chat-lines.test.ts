// The chat's line reader (src/chat/lines.ts): telnet negotiation and CR stripped, lines split on
// LF, a line past MAX_LINE_BYTES refused whole, and none of it depends on how the bytes were cut
// into reads (its state carries over from one push to the next), and next() reads in place what push() returns.
import fc from 'fast-check';
import { LineReader, MAX_LINE_BYTES, type LineResult } from '../src/chat/lines.js';

const IAC = 255;
const SB = 250;
const SE = 240;
const WILL = 251;
const ECHO = 1;
const bytesOf = (text: string): number[] => [...new TextEncoder().encode(text)];

function readAll(chunks: number[][]): { results: LineResult[]; unfinished: number } {
  const reader = new LineReader();
  const results = chunks.flatMap((chunk) => reader.push(Uint8Array.from(chunk)));
  return { results, unfinished: reader.unfinishedBytes };
}

test('telnet negotiation and CR are stripped, lines split on LF, UTF-8 decoded', () => {
  const stream = [
    ...bytesOf('he'),
    IAC,
    WILL,
    ECHO,
    ...bytesOf('llo\r\n'),
    IAC,
    SB,
    24,
    0,
    ...bytesOf('xterm'),
    IAC,
    SE,
    ...bytesOf('grüße\r\nrest'),
  ];
  expect(readAll([stream])).toEqual({ results: [{ line: 'hello' }, { line: 'grüße' }], unfinished: 4 });
});

test('a line longer than MAX_LINE_BYTES is refused whole with its length, and the next line reads', () => {
  const long = new Array<number>(MAX_LINE_BYTES + 5).fill(0x61);
  expect(readAll([[...long, 10, ...bytesOf('ok\n')]]).results).toEqual([{ tooLong: MAX_LINE_BYTES + 5 }, { line: 'ok' }]);
});

test('the lines read do not depend on how the stream was cut into reads', () => {
  // Bytes that exercise every state: negotiation, subnegotiation, CR, LF, UTF-8 and long runs.
  const piece = fc.oneof(
    fc.string({ maxLength: 12 }).map(bytesOf),
    fc.constantFrom([13, 10], [10], [IAC, WILL, ECHO], [IAC, SB, 24, 0, 65, IAC, SE], [IAC, IAC], [0xc3, 0xbc]),
    fc.nat(MAX_LINE_BYTES + 20).map((n) => new Array<number>(n).fill(0x62)),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 12 }), (pieces, cutsAt) => {
      const stream = pieces.flat();
      const cuts = [...new Set(cutsAt.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
      const chunks = [0, ...cuts].map((from, i) => stream.slice(from, i < cuts.length ? cuts[i] : stream.length));
      expect(readAll(chunks)).toEqual(readAll([stream]));
    }),
    { numRuns: 300 },
  );
});

test('next() reads in place the lines push() returns: lineIs, lineBytes and text agree with them', () => {
  const piece = fc.oneof(
    fc.string({ maxLength: 12 }).map(bytesOf),
    fc.constantFrom([13, 10], [10], [IAC, WILL, ECHO], [IAC, SB, 24, 0, 65, IAC, SE], [0xc3, 0xbc]),
    fc.nat(MAX_LINE_BYTES + 20).map((n) => new Array<number>(n).fill(0x62)),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 30 }), fc.nat(40), (pieces, cut) => {
      const stream = pieces.flat();
      const chunks = [stream.slice(0, cut), stream.slice(cut)];
      const expected = readAll(chunks).results;
      const reader = new LineReader();
      const read: LineResult[] = [];
      for (const chunk of chunks) {
        reader.feed(Uint8Array.from(chunk));
        while (reader.next()) {
          if (reader.tooLong > 0) {
            read.push({ tooLong: reader.tooLong });
            continue;
          }
          const text = reader.text();
          const bytes = new TextEncoder().encode(text);
          expect(reader.lineIs(bytes)).toBe(true);
          expect(reader.lineIs(Uint8Array.from([...bytes, 0x21]))).toBe(false);
          expect(reader.lineBytes.subarray(0, reader.lineLength)).toEqual(bytes);
          read.push({ line: text });
        }
      }
      expect(read).toEqual(expected);
    }),
    { numRuns: 200 },
  );
});

test('a line refused as too long is no line lineIs matches, even by its first bytes', () => {
  const reader = new LineReader();
  reader.feed(Uint8Array.from([...new Array<number>(MAX_LINE_BYTES + 1).fill(0x61), 10]));
  expect(reader.next()).toBe(true);
  expect(reader.tooLong).toBe(MAX_LINE_BYTES + 1);
  expect(reader.lineIs(new Uint8Array(MAX_LINE_BYTES).fill(0x61))).toBe(false);
  expect(reader.next()).toBe(false);
});
