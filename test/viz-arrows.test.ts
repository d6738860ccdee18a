// The page's arrows from the trace alone: a segment read in pieces has an arrow to each piece, a
// take of several segments one from each, and a take reported before its segment (natively, a
// completion's bytes can reach the reader before the sender's completion is reported) joins it
// when the segment comes.
import { expect, test } from '@jest/globals';
import type { SegmentRecord, TakeRecord, Trace, TraceRecord } from '../src/trace/format.js';
import { TraceModel } from '../src/viz/page/model.js';

/** What every record here shares: data on one native connection, sent and taken by the app's own calls. */
const WIRE = { r: -1, host: 'native', conn: 7, flag: 'data' } as const;
/** A take of `bytes` bytes from `seq`, at t ms. */
const take = (t: number, fd: number, seq: number, bytes: number): TakeRecord => ({ k: 'take', t, fd, seq, bytes, ...WIRE });
/** A segment of the same, sent at t ms: natively its arrival is not seen (at = t). */
const send = (t: number, fd: number, seq: number, bytes: number): SegmentRecord => ({ ...take(t, fd, seq, bytes), k: 'segment', at: t });
const traceOf = (records: TraceRecord[]): Trace => ({ format: 'io-reactor-trace', version: 1, seed: null, reactors: [], records });
const joins = (model: TraceModel) => model.arrows.map(({ from, to }) => [from, to]);

test('a segment read in pieces has an arrow to each piece; a take of two segments one from each', () => {
  // #0 sends bytes 0–99, #1 bytes 100–149; #2 takes 0–39, #3 takes 40–129, #4 takes 130–149.
  const model = TraceModel.of(
    traceOf([send(1, 3, 0, 100), send(2, 3, 100, 50), take(3, 4, 0, 40), take(4, 4, 40, 90), take(5, 4, 130, 20)]),
  );
  expect(joins(model)).toEqual([
    [0, 2],
    [1, 3],
    [0, 3],
    [1, 4],
  ]);
  expect(model.takesOf(0)).toEqual([2, 3]);
  expect(model.segmentsTakenBy(3)).toEqual([0, 1]);
  expect(model.segments).toEqual([0, 1]);
});

test('a take reported before the segment it got joins it when the segment comes', () => {
  // #0 takes bytes 0–59 before #1 (bytes 0–79) is reported sent; #2 takes the rest.
  const model = TraceModel.of(traceOf([take(1, 4, 0, 60), send(2, 3, 0, 80), take(3, 4, 60, 20)]));
  expect(model.takesOf(1)).toEqual([0, 2]);
  expect(model.segmentsTakenBy(0)).toEqual([1]);
});
