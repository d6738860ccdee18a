// A native trace links the two ends of a loopback connection it holds both of: each send is a
// segment and each receive a take, counted by byte offset in each direction, so the page joins a
// send of bytes [a, b) to the receives on the peer that took them. The wire is left out of the
// hash, and a connection whose other end is outside the trace writes none of it.
import { afterEach, expect, test } from '@jest/globals';
import { EventType, TraceRecorder, traceHash, type Trace, type TraceRecord } from '../src/index.js';
import type { SegmentRecord, TakeRecord } from '../src/trace/format.js';
import { TraceDigest } from '../src/trace/digest.js';
import { traceProblem } from '../src/trace/check.js';
import { decodeBase64 } from '../src/trace/base64.js';
import { TraceModel } from '../src/viz/page/model.js';
import { reactor, destroyAll, closeOwned, own, pair, text, waitUntil, recvAll } from './helpers.js';
import { loopbackEcho, ECHO_MESSAGES } from './loopback-run.js';

afterEach(() => {
  destroyAll();
  closeOwned();
});

const of = <K extends TraceRecord['k']>(trace: Trace, k: K) => trace.records.filter((r): r is Extract<TraceRecord, { k: K }> => r.k === k);
const end = (x: { seq: number; bytes: number }): number => x.seq + x.bytes;

/** Per receiving end (conn): its data segments' and takes' byte ranges, in order. */
function ranges(trace: Trace) {
  const byConn = new Map<number, { segments: SegmentRecord[]; takes: TakeRecord[] }>();
  const conn = (c: number) => byConn.get(c) ?? byConn.set(c, { segments: [], takes: [] }).get(c)!;
  for (const s of of(trace, 'segment')) if (s.flag === 'data') conn(s.conn).segments.push(s);
  for (const t of of(trace, 'take')) if (t.flag === 'data') conn(t.conn).takes.push(t);
  return byConn;
}

test.each([
  ['readiness', 'readiness', 'epoll'],
  ['readiness', 'completion', 'epoll'],
  ['completion', 'completion', 'io_uring'],
] as const)(
  'two native reactors echoing over loopback (a %s server, a %s client over %s): every byte sent in each direction is a segment, taken on the peer at the same offset',
  async (server, client, clientMechanism) => {
    const { trace, echoed } = await loopbackEcho({ server, client, clientMechanism });
    // Records in the order they happened: the wire's too, those of a completion's results at the time they were read.
    expect(traceProblem(trace)).toBeNull();
    const sent = Buffer.concat(ECHO_MESSAGES);
    expect(Buffer.from(echoed).equals(sent)).toBe(true);
    const byConn = ranges(trace);
    // Two directions: client → server and back, each carrying every byte once, in order, both ends counting alike.
    expect(byConn.size).toBe(2);
    for (const { segments, takes } of byConn.values()) {
      for (const list of [segments, takes]) {
        expect(list[0].seq).toBe(0);
        list.forEach((x, i) => i > 0 && expect(x.seq).toBe(end(list[i - 1])));
        expect(end(list[list.length - 1])).toBe(sent.length);
      }
      // A segment's payload is what was sent at its offset; the sender and the taker are different sockets.
      for (const s of segments) {
        const kept = decodeBase64(s.data!)!;
        expect(Buffer.from(kept).equals(sent.subarray(s.seq, s.seq + kept.length))).toBe(true);
      }
      expect(new Set(segments.map((s) => s.fd)).size).toBe(1);
      expect(new Set(takes.map((t) => t.fd)).size).toBe(1);
      expect(segments[0].fd).not.toBe(takes[0].fd);
    }
    // The connect's SYN is taken by the accept, the client's FIN by the server's end of stream, on the same numbered end.
    const syn = of(trace, 'segment').filter((s) => s.flag === 'syn');
    const accepted = of(trace, 'take').filter((t) => t.flag === 'syn');
    expect(syn).toHaveLength(1);
    expect(accepted).toEqual([expect.objectContaining({ conn: syn[0].conn })]);
    const fins = of(trace, 'segment').filter((s) => s.flag === 'fin');
    const finTakes = of(trace, 'take').filter((t) => t.flag === 'fin');
    expect(fins.map((s) => s.conn).sort()).toEqual(finTakes.map((t) => t.conn).sort());
    expect(fins).toHaveLength(2);
    expect(syn[0].conn).toBe(fins.find((s) => s.fd === syn[0].fd)!.conn);
  },
);

test('the page joins each segment to every take on the peer that got its bytes, and each take to the segments it got', async () => {
  const { trace } = await loopbackEcho({ client: 'completion' });
  const model = TraceModel.of(trace);
  const records = trace.records;
  const data = (i: number) => records[i].k !== 'segment' || (records[i] as SegmentRecord).flag === 'data';
  let fannedOut = 0;
  records.forEach((rec, i) => {
    if (rec.k !== 'segment' || rec.flag !== 'data') return;
    const expected = records.flatMap((x, j) =>
      x.k === 'take' && x.conn === rec.conn && x.flag === 'data' && x.seq < end(rec) && end(x) > rec.seq ? [j] : [],
    );
    expect({ segment: i, takes: model.takesOf(i) }).toEqual({ segment: i, takes: expected });
    if (expected.length > 1) fannedOut++;
  });
  // The server's echo of the large message is one send the client reads in buffer-sized pieces.
  expect(fannedOut).toBeGreaterThan(0);
  for (const [j, take] of records.entries()) {
    if (take.k !== 'take') continue;
    const got = model.segmentsTakenBy(j);
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((i) => (records[i] as SegmentRecord).conn === take.conn && data(i) === (take.flag === 'data'))).toBe(true);
  }
  // Every arrow goes between two lanes of the two reactors' sockets.
  expect(model.arrows.every(({ from, to }) => to >= 0 && model.laneOf[from] !== model.laneOf[to])).toBe(true);
});

test("the wire is left out of a native trace's hash, as the streaming digest leaves it out", async () => {
  const { trace } = await loopbackEcho({ client: 'readiness' });
  expect(of(trace, 'segment').length).toBeGreaterThan(0);
  const without: Trace = { ...trace, records: trace.records.filter((r) => r.k !== 'segment' && r.k !== 'take') };
  expect(traceHash(trace)).toBe(traceHash(without));
  const digest = new TraceDigest({ seed: null });
  for (const info of trace.reactors) {
    const { r, ...rest } = info;
    expect(digest.reactor(rest)).toBe(r);
  }
  for (const record of trace.records) digest.record(record);
  expect(digest.hex()).toBe(traceHash(trace));
});

test('a socket pair is linked; a connection whose listener is outside the trace writes no wire', async () => {
  const recorder = new TraceRecorder();
  const r = await reactor<string>({ model: 'readiness', trace: recorder });
  const [a, b] = pair(r);
  r.add(b, 'b', EventType.READ);
  r.os.send(a, text('paired'));
  expect(recvAll(r, b, 6)).toEqual(text('paired'));
  const untraced = await reactor<string>({ model: 'readiness' });
  const { fd: listener, port } = untraced.os.listen(0, '127.0.0.1');
  own(untraced, listener);
  const [outside] = own(r, r.os.connect(port, '127.0.0.1'));
  untraced.add(listener, 'listener', EventType.READ);
  waitUntil(untraced, (events) => events.length > 0);
  own(untraced, untraced.os.accept(listener)!);
  r.add(outside, 'outside', EventType.WRITE);
  waitUntil(r, (events) => events.some((e) => e.fd === outside));
  r.os.send(outside, text('to nobody we trace'));
  const wire = recorder.toJSON().records.filter((x): x is SegmentRecord | TakeRecord => x.k === 'segment' || x.k === 'take');
  expect(wire.map((x) => `${x.k} ${x.flag} fd ${x.fd} ${x.bytes}`)).toEqual([`segment data fd ${a} 6`, `take data fd ${b} 6`]);
});
