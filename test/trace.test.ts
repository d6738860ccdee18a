// Traces: the `trace` option records every call, request, raw result, event and counter with the
// reactor's time; a TraceRecorder keeps them within its capacity and streams them; a Simulation
// records all its reactors and faults; traceHash fingerprints a run.
import { spawnSync } from 'node:child_process';
import { EventType, TraceRecorder, traceHash, type TraceRecord, type EventRecord, type ResultRecord, type CallRecord } from '../src/index.js';
import { Simulation } from '../src/sim/index.js';
import { decodeBase64, encodeBase64 } from '../src/trace/base64.js';
import { canonicalJson } from '../src/trace/hash.js';
import { REQUEST, RESULT } from '../src/seam.js';
import { reactor, destroyAll, text, str, refusal } from './helpers.js';
import { tracedEchoRun } from './trace-run.js';

const HASH_FIXTURE = new URL('../../../test/fixtures/trace-hash.mjs', import.meta.url).pathname;

afterEach(destroyAll);

const of = <K extends TraceRecord['k']>(records: TraceRecord[], k: K) =>
  records.filter((r): r is Extract<TraceRecord, { k: K }> => r.k === k);

test('the trace option must be a TraceSink', async () => {
  await expect(reactor({ backend: 'sim', trace: {} as never })).rejects.toThrow(refusal('EINVAL', /TraceSink/));
  await expect(reactor({ backend: 'sim', trace: 'yes' as never })).rejects.toThrow(refusal('EINVAL', /TraceSink/));
});

test('a recorded sim reactor logs its calls, requests, results, events and counters in virtual time', async () => {
  const recorder = new TraceRecorder();
  const r = await reactor<string>({ backend: 'sim', model: 'completion', trace: recorder });
  const [a, b] = r.os.socketPair();
  r.add(a, 'conn a', EventType.READ);
  r.os.send(b, text('hello'));
  const events = r.wait(100);
  expect(events.map((e) => str(e.buffer))).toEqual(['hello']);
  const trace = recorder.toJSON();
  expect(trace.reactors).toEqual([expect.objectContaining({ r: 0, host: 'localhost', backend: 'sim', model: 'completion' })]);
  const calls = of(trace.records, 'call');
  expect(calls.map((c) => c.op)).toEqual(['add', 'wait']);
  expect(calls[0]).toMatchObject({ fd: a, events: EventType.READ, label: 'conn a', kind: 0 });
  expect(calls[1]).toMatchObject({ timeoutMs: 100 });
  expect(of(trace.records, 'request').map((q) => q.kind)).toEqual([REQUEST.add, REQUEST.recv]);
  const [result] = of(trace.records, 'result');
  expect(result).toMatchObject({ kind: RESULT.complete, fd: a, value: 5, cycle: 0 });
  expect(str(decodeBase64(result.data!))).toBe('hello');
  expect(of(trace.records, 'event')).toEqual([expect.objectContaining({ fd: a, type: EventType.READ, bytes: 5, code: null })]);
  expect(of(trace.records, 'counters')).toEqual([expect.objectContaining({ poolInUse: r.stats().poolInUse, poolSize: 256, readyQueued: 0 })]);
  // The call comes before what it caused; times never go back.
  expect(trace.records[0]).toBe(calls[0]);
  const times = trace.records.map((x) => x.t);
  expect(times).toEqual([...times].sort((x, y) => x - y));
});

test('a timed-out wait is recorded at its start, its counters at its end', async () => {
  const recorder = new TraceRecorder();
  const r = await reactor({ backend: 'sim', trace: recorder });
  r.wait(250);
  const [call] = of(recorder.toJSON().records, 'call');
  const [counters] = of(recorder.toJSON().records, 'counters');
  expect(call.t).toBe(0);
  expect(counters.t).toBe(250);
});

test('a refused call is recorded with its error code, and changes nothing', async () => {
  const recorder = new TraceRecorder();
  const r = await reactor({ backend: 'sim', trace: recorder });
  const [a] = r.os.socketPair();
  r.add(a, 'a', EventType.READ);
  const before = r.stats();
  expect(() => r.add(a, 'a', EventType.READ)).toThrow(refusal('EEXIST'));
  expect(r.stats()).toEqual(before);
  await expect(r.waitAsync(-5)).rejects.toThrow(refusal('EINVAL'));
  const calls = of(recorder.toJSON().records, 'call');
  expect(calls.map((c) => [c.op, c.error])).toEqual([['add', undefined], ['add', 'EEXIST'], ['wait', 'EINVAL']]);
  expect(calls[2].async).toBe(true);
});

test('completion writes count as bytes in flight until their results return', async () => {
  const recorder = new TraceRecorder();
  const r = await reactor({ backend: 'sim', model: 'completion', trace: recorder, bufferSize: 1024 });
  const [a, b] = r.os.socketPair();
  r.add(a, 'a', 0);
  r.postWrite(a, new Uint8Array(3000));
  const write = of(recorder.toJSON().records, 'call').find((c) => c.op === 'postWrite')!;
  expect(decodeBase64(write.data!)!.length).toBe(3000);
  const sends = () => of(recorder.toJSON().records, 'request').filter((q) => q.kind === REQUEST.send);
  r.wait(0);
  expect(sends().reduce((n, q) => n + q.len, 0)).toBe(3000);
  const last = of(recorder.toJSON().records, 'counters').at(-1)!;
  const completed = of(recorder.toJSON().records, 'result').filter((x) => x.kind === RESULT.complete).reduce((n, x) => n + x.value, 0);
  expect(last.bytesInFlight).toBe(3000 - completed);
  expect(r.os.recv(b)!.length).toBe(3000);
});

test('os.close of a registered fd is recorded as one close call', async () => {
  const recorder = new TraceRecorder();
  const r = await reactor({ backend: 'sim', trace: recorder });
  const [a] = r.os.socketPair();
  r.add(a, 'a', EventType.READ);
  r.os.close(a);
  expect(of(recorder.toJSON().records, 'call').map((c) => c.op)).toEqual(['add', 'close']);
  expect(of(recorder.toJSON().records, 'request').map((q) => q.kind)).toEqual([REQUEST.add, REQUEST.remove]);
});

describe('TraceRecorder', () => {
  test('past its capacity it keeps the newest records and counts the dropped ones', () => {
    const recorder = new TraceRecorder({ capacity: 3 });
    for (let t = 0; t < 5; t++) recorder.record({ k: 'fault', t, r: -1, fault: 'reset' });
    const trace = recorder.toJSON();
    expect(trace.records.map((x) => x.t)).toEqual([2, 3, 4]);
    expect(trace.dropped).toBe(2);
    expect(recorder.dropped).toBe(2);
    expect(new TraceRecorder().toJSON().dropped).toBeUndefined();
  });

  test('its capacity and seed are checked', () => {
    expect(() => new TraceRecorder({ capacity: 0 })).toThrow(refusal('EINVAL', /capacity/));
    expect(() => new TraceRecorder({ capacity: 1.5 })).toThrow(refusal('EINVAL', /capacity/));
    expect(() => new TraceRecorder({ seed: -1 })).toThrow(refusal('EINVAL', /seed/));
  });

  test('subscribers get each record as it happens, until they unsubscribe', async () => {
    const recorder = new TraceRecorder();
    const seen: string[] = [];
    const stop = recorder.subscribe((x) => seen.push(x.k === 'call' ? `call ${x.op}` : x.k));
    const r = await reactor({ backend: 'sim', trace: recorder });
    const [a, b] = r.os.socketPair();
    r.add(a, 'a', EventType.READ);
    expect(seen).toEqual(['call add']);
    r.os.send(b, text('x'));
    r.wait(10);
    expect(seen).toEqual(['call add', 'call wait', 'request', 'result', 'event', 'counters']);
    stop();
    r.wait(0);
    expect(seen).toHaveLength(6);
    expect(recorder.size).toBe(10);
    expect(() => recorder.subscribe('no' as never)).toThrow(refusal('EINVAL', /function/));
  });
});

describe('Simulation traces', () => {
  test('record every reactor on every host, and each injected fault', async () => {
    const trace = await tracedEchoRun(3);
    expect(trace.seed).toBe(3);
    expect(trace.reactors.map((r) => `${r.r} ${r.host} ${r.model}`)).toEqual(['0 server readiness', '1 a completion', '2 b completion', '3 c completion']);
    const reactors = new Set(of(trace.records, 'event').map((e: EventRecord) => e.r));
    expect([...reactors].sort()).toEqual([0, 1, 2, 3]);
    const faults = of(trace.records, 'fault');
    expect(faults.length).toBeGreaterThan(0);
    const injected = faults.reduce((n: Record<string, number>, f) => ({ ...n, [f.fault]: (n[f.fault] ?? 0) + 1 }), {});
    expect(Object.keys(injected).length).toBeGreaterThan(0);
    const times = trace.records.map((x) => x.t);
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });

  test('sim.trace() needs a Simulation made with trace: true', () => {
    expect(() => new Simulation({ seed: 1 }).trace()).toThrow(refusal('EINVAL', /trace: true/));
    expect(() => new Simulation({ trace: 5 as never })).toThrow(refusal('EINVAL', /TraceSink/));
  });

  test('a Simulation writes into a sink of its own', async () => {
    const recorder = new TraceRecorder({ seed: 9 });
    const sim = new Simulation({ seed: 9, trace: recorder });
    const r = await sim.host('h').createReactor();
    r.wait(5);
    expect(recorder.reactors.map((x) => x.host)).toEqual(['h']);
    expect(of(recorder.toJSON().records, 'call').map((c: CallRecord) => c.op)).toEqual(['wait']);
  });
});

describe('traceHash', () => {
  test('the same seed gives the same hash twice in a row; another seed another hash', async () => {
    const first = traceHash(await tracedEchoRun(11));
    expect(traceHash(await tracedEchoRun(11))).toBe(first);
    expect(traceHash(await tracedEchoRun(12))).not.toBe(first);
    expect(first).toMatch(/^[0-9a-f]{16}$/);
  });

  test('a fresh process computes the same hash for the seed', async () => {
    const here = traceHash(await tracedEchoRun(11));
    const child = spawnSync(process.execPath, [HASH_FIXTURE, '11'], { encoding: 'utf8', timeout: 20000 });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe(here);
  });

  test('it hashes content, not key order, and sees any change', async () => {
    const trace = await tracedEchoRun(11);
    const reordered = JSON.parse(JSON.stringify(trace), (_k, v) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v);
    expect(traceHash(reordered)).toBe(traceHash(trace));
    const changed = structuredClone(trace);
    (changed.records.find((x) => x.k === 'result') as ResultRecord).value += 1;
    expect(traceHash(changed)).not.toBe(traceHash(trace));
  });

  test('its canonical form sorts keys and leaves out undefined fields', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined })).toBe('{"a":[true,null,"x"],"b":1}');
  });
});

test('base64 round-trips bytes of every length, and rejects what is not base64', () => {
  for (let n = 0; n < 8; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + 251) & 255);
    const encoded = encodeBase64(bytes);
    expect(encoded).toBe(Buffer.from(bytes).toString('base64'));
    expect(decodeBase64(encoded)).toEqual(bytes);
  }
  expect(decodeBase64('abc')).toBeNull();
  expect(decodeBase64('a*cd')).toBeNull();
});
