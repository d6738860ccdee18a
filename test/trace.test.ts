// Traces: the `trace` option records every call, request, raw result, event and counter with the
// reactor's time; a TraceRecorder keeps them within its capacity and streams them; a Simulation
// records all its reactors and faults; traceHash fingerprints a run.
import { spawnSync } from 'node:child_process';
import { setTimeout } from 'node:timers/promises';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EventType,
  TraceRecorder,
  traceHash,
  DEFAULT_TRACE_BYTES,
  type Reactor,
  type TraceRecord,
  type EventRecord,
  type ResultRecord,
  type CallRecord,
} from '../src/index.js';
import { Simulation } from '../src/sim/index.js';
import { simBackend } from '../src/sim/backend.js';
import { decodeBase64, encodeBase64 } from '../src/trace/base64.js';
import { canonicalJson } from '../src/trace/hash.js';
import { TRACE_RECORD_BYTES } from '../src/trace/recorder.js';
import { REQUEST, RESULT } from '../src/seam.js';
import { reactor, destroyAll, text, str, refusal } from './helpers.js';
import { tracedEchoRun } from './trace-run.js';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.js';

const HASH_FIXTURE = new URL('../../../test/fixtures/trace-hash.mjs', import.meta.url).pathname;
const HASH_MODULE = new URL('../src/trace/hash.js', import.meta.url).pathname;
/** Long enough for the other reactors' shims to open first. */
const SLOW_SHIM_MS = 300;

afterEach(destroyAll);

const of = <K extends TraceRecord['k']>(records: TraceRecord[], k: K) =>
  records.filter((r): r is Extract<TraceRecord, { k: K }> => r.k === k);

test('the trace option must be a TraceSink', async () => {
  await expect(reactor({ backend: 'sim', trace: {} as never })).rejects.toThrow(refusal('EINVAL', /TraceSink/));
  await expect(reactor({ backend: 'sim', trace: 'yes' as never })).rejects.toThrow(refusal('EINVAL', /TraceSink/));
});

test('a context names its lane: a symbol by its description, anything else as a string', async () => {
  const recorder = new TraceRecorder();
  const r = await reactor<unknown>({ backend: 'sim', trace: recorder });
  const [a, b] = r.os.socketPair();
  r.add(a, Symbol('listener'), EventType.READ);
  r.add(b, 42, EventType.READ);
  expect(of(recorder.toJSON().records, 'call').map((c) => c.label)).toEqual(['listener', '42']);
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
  expect(result).toMatchObject({ kind: RESULT.recv, fd: a, value: 5, buffer: 0, cycle: 0 });
  expect(str(decodeBase64(result.data!))).toBe('hello');
  expect(of(trace.records, 'event')).toEqual([expect.objectContaining({ fd: a, type: EventType.READ, bytes: 5, code: null })]);
  expect(of(trace.records, 'counters')).toEqual([
    expect.objectContaining({ poolInUse: r.stats().poolInUse, poolSize: 256, readyQueued: 0 }),
  ]);
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
  expect(calls.map((c) => [c.op, c.error])).toEqual([
    ['add', undefined],
    ['add', 'EEXIST'],
    ['wait', 'EINVAL'],
  ]);
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
  const completed = of(recorder.toJSON().records, 'result')
    .filter((x) => x.kind === RESULT.complete)
    .reduce((n, x) => n + x.value, 0);
  expect(last.bytesInFlight).toBe(3000 - completed);
  expect(r.os.recv(b)!.length).toBe(3000);
});

test("a fault struck in a reactor's wait is that reactor's; one struck in an os call the network's", async () => {
  const recorder = new TraceRecorder();
  const r = await reactor({ backend: 'sim', seed: 3, faults: { interruptRate: 0.5, partialWriteRate: 1 }, trace: recorder });
  const [a, b] = r.os.socketPair();
  r.add(a, 'a', EventType.READ);
  expect(r.os.send(b, text('hello'))).toBeLessThan(5);
  for (let i = 0; i < 8; i++) r.wait(1);
  const faults = of(recorder.toJSON().records, 'fault').map((f) => `${f.fault} ${f.r}`);
  expect(faults[0]).toBe('partialWrite -1');
  expect(faults).toContain('interrupt 0');
  expect(new Set(faults.slice(1))).toEqual(new Set(['interrupt 0']));
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

  test('past its capacity in bytes it drops the oldest records, however few, and counts them', () => {
    const KIB = 1024;
    const recorder = new TraceRecorder({ capacityBytes: 10 * KIB });
    const write = (t: number, bytes: number): void =>
      recorder.record({ k: 'call', t, r: 0, op: 'postWrite', fd: 3, data: encodeBase64(new Uint8Array(bytes)) });
    for (let t = 0; t < 4; t++) write(t, 2 * KIB); // 150 + 2,732 base64 bytes each: three fit
    expect(recorder.toJSON().records.map((x) => x.t)).toEqual([1, 2, 3]);
    expect(recorder.dropped).toBe(1);
    expect(recorder.bytes).toBe(3 * (TRACE_RECORD_BYTES + 2732));
    write(4, 20 * KIB);
    expect(recorder.toJSON().records.map((x) => x.t)).toEqual([4]);
    expect(recorder.toJSON().dropped).toBe(4);
    recorder.record({ k: 'fault', t: 5, r: -1, fault: 'reset' });
    expect(recorder.toJSON().records.map((x) => x.t)).toEqual([5]);
    expect(recorder.bytes).toBe(TRACE_RECORD_BYTES);
    expect(new TraceRecorder().capacityBytes).toBe(DEFAULT_TRACE_BYTES);
  });

  test('its capacity and seed are checked', () => {
    expect(() => new TraceRecorder({ capacity: 0 })).toThrow(refusal('EINVAL', /capacity/));
    expect(() => new TraceRecorder({ capacity: 1.5 })).toThrow(refusal('EINVAL', /capacity/));
    expect(() => new TraceRecorder({ capacityBytes: 0 })).toThrow(refusal('EINVAL', /capacityBytes/));
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
    // The os.send is a segment on the wire (the pair's own), then the wait's records.
    expect(seen).toEqual(['call add', 'segment', 'call wait', 'request', 'result', 'event', 'counters']);
    stop();
    r.wait(0);
    expect(seen).toHaveLength(7);
    expect(recorder.size).toBe(11);
    expect(() => recorder.subscribe('no' as never)).toThrow(refusal('EINVAL', /function/));
  });
});

describe('Simulation traces', () => {
  test('record every reactor on every host, and each injected fault', async () => {
    const trace = await tracedEchoRun(3);
    expect(trace.seed).toBe(3);
    expect(trace.reactors.map((r) => `${r.r} ${r.host} ${r.model}`)).toEqual([
      '0 server readiness',
      '1 a completion',
      '2 b completion',
      '3 c completion',
    ]);
    const reactors = new Set(of(trace.records, 'event').map((e: EventRecord) => e.r));
    expect([...reactors].sort()).toEqual([0, 1, 2, 3]);
    const faults = of(trace.records, 'fault');
    expect(faults.length).toBeGreaterThan(0);
    const injected = new Set(faults.map((f) => f.fault));
    expect(injected.size).toBeGreaterThan(0);
    // A fault struck during a reactor's call is that reactor's; one struck elsewhere the network's.
    expect(faults.every((f) => f.r >= -1 && f.r <= 3)).toBe(true);
    expect(faults.some((f) => f.r >= 0)).toBe(true);
    expect(faults.some((f) => f.r === -1)).toBe(true);
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

  /** Creates reactors on `hosts` at once, the first one's shim opening last. */
  async function createAtOnceSlowFirst(sim: Simulation, hosts: string[]): Promise<Reactor[]> {
    return Promise.all(
      hosts.map((h, i) => {
        const backend = simBackend(sim.host(h).kernel, sim.host(h).scheduler);
        const createShim = backend.createShim.bind(backend);
        if (i === 0)
          backend.createShim = async (memory, layout) => {
            await setTimeout(SLOW_SHIM_MS);
            return createShim(memory, layout);
          };
        return sim.host(h).createReactorOn(backend);
      }),
    );
  }

  /** Each reactor, in turn: one socket pair, one READ, then destroyed. */
  function pokeEach(reactors: Reactor[]): void {
    for (const r of reactors) {
      const [x, y] = r.os.socketPair();
      r.add(x, 'x', EventType.READ);
      r.os.send(y, text('hi'));
      r.wait(1);
      r.destroy();
    }
  }

  test('reactors created at once are numbered and opened in call order, whichever is ready first', async () => {
    const hosts = ['a', 'b', 'a'];
    const oneByOne = new Simulation({ seed: 1, trace: true });
    const created: Reactor[] = [];
    for (const h of hosts) created.push(await oneByOne.host(h).createReactor());
    pokeEach(created);
    const slowFirst = new Simulation({ seed: 1, trace: true });
    const reactors = await createAtOnceSlowFirst(slowFirst, hosts);
    expect(reactors.map((r) => r.traceId)).toEqual([0, 1, 2]);
    pokeEach(reactors);
    expect(slowFirst.trace()).toEqual(oneByOne.trace());
  });

  test('a fresh process computes the same hash for the seed', async () => {
    const here = traceHash(await tracedEchoRun(11));
    const child = spawnSync(process.execPath, [HASH_FIXTURE, '11'], { encoding: 'utf8', timeout: 20000 });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe(here);
  });

  test('a browser (headless chromium) computes the same hash of the trace', async () => {
    const trace = await tracedEchoRun(11);
    // hash.ts has no imports: its compiled text runs as a classic script once `export` is dropped.
    const script = readFileSync(HASH_MODULE, 'utf8')
      .replace(/^export /gm, '')
      .replace(/^\/\/# sourceMappingURL.*$/m, '');
    const dir = mkdtempSync(join(tmpdir(), 'trace-hash-'));
    try {
      const page = join(dir, 'hash.html');
      writeFileSync(
        page,
        `<html><body><pre id="out"></pre><script>${script}
document.getElementById('out').textContent = 'hash ' + traceHash(${JSON.stringify(trace)}) + ' done';</script></body></html>`,
      );
      const browser = spawnSync(CHROMIUM, [...CHROMIUM_ARGS, '--dump-dom', `file://${page}`], { encoding: 'utf8', timeout: 60000 });
      expect(browser.stdout).toContain(`<pre id="out">hash ${traceHash(trace)} done</pre>`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('it hashes content, not key order, and sees any change', async () => {
    const trace = await tracedEchoRun(11);
    const reordered = JSON.parse(JSON.stringify(trace), (_k, v) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
    );
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
  for (const n of [0, 1, 2, 3, 4, 5, 6, 7, 100_000, 100_001, 100_002]) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + 251) & 255);
    const encoded = encodeBase64(bytes);
    expect(encoded).toBe(Buffer.from(bytes).toString('base64'));
    expect(decodeBase64(encoded)).toEqual(bytes);
  }
  expect(decodeBase64('abc')).toBeNull();
  expect(decodeBase64('a*cd')).toBeNull();
});
