// The Chrome Trace Event export opens in ui.perfetto.dev and chrome://tracing: these check the
// structure those viewers need (balanced spans, two-ended flows, named tracks, counters).
import { EventType, TraceRecorder, type FaultRecord } from '../src/index.js';
import { toChromeTrace, type ChromeEvent } from '../src/trace/chrome.js';
import { reactor, destroyAll } from './helpers.js';
import { tracedEchoRun } from './trace-run.js';

afterEach(destroyAll);

function pairs(events: ChromeEvent[], open: ChromeEvent['ph'], close: ChromeEvent['ph']): [ChromeEvent, ChromeEvent][] {
  const ends = new Map<string | number, ChromeEvent[]>();
  for (const e of events.filter((x) => x.ph === close)) ends.set(e.id!, [...(ends.get(e.id!) ?? []), e]);
  const starts = events.filter((x) => x.ph === open);
  expect(new Set(starts.map((x) => x.id)).size).toBe(starts.length);
  expect(starts.length).toBe(events.filter((x) => x.ph === close).length);
  return starts.map((b) => {
    const matching = ends.get(b.id!) ?? [];
    expect(matching).toHaveLength(1);
    return [b, matching[0]];
  });
}

describe('toChromeTrace of a simulated echo run', () => {
  let events: ChromeEvent[];
  let faults: FaultRecord[];
  beforeAll(async () => {
    const trace = await tracedEchoRun(2);
    faults = trace.records.filter((x): x is FaultRecord => x.k === 'fault');
    const text = JSON.stringify(toChromeTrace(trace));
    const parsed = JSON.parse(text);
    expect(parsed.displayTimeUnit).toBe('ms');
    expect(parsed.otherData).toMatchObject({ seed: 2 });
    events = parsed.traceEvents;
  });

  test('names one process per reactor and one thread per registration, by its label', () => {
    const processes = events.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => [e.pid, e.args!.name]);
    expect(processes).toEqual([
      [5, 'network (faults)'],
      [1, 'server: reactor 0 (sim readiness epoll)'],
      [2, 'a: reactor 1 (sim completion epoll)'],
      [3, 'b: reactor 2 (sim completion epoll)'],
      [4, 'c: reactor 3 (sim completion epoll)'],
    ]);
    const threads = events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => `${e.pid} ${e.args!.name}`);
    expect(threads).toEqual(expect.arrayContaining(['1 listener (fd 5)', '2 client 0 (fd 5)', '1 app calls']));
    expect(threads.filter((t) => t.startsWith('1 conn'))).toHaveLength(3);
  });

  test('no event uses pid or tid 0 (the idle process and thread to a viewer), and tids are unique per process', () => {
    const timed = events.filter((e) => e.ph !== 'M' || e.tid !== undefined);
    expect(timed.every((e) => e.pid > 0 && (e.tid === undefined || e.tid > 0))).toBe(true);
    const owner = new Map<number, number>();
    for (const e of timed.filter((x) => x.tid !== undefined)) {
      expect(owner.get(e.tid!) ?? e.pid).toBe(e.pid);
      owner.set(e.tid!, e.pid);
    }
  });

  test('times are microseconds, never negative, on every timed event', () => {
    for (const e of events.filter((x) => x.ph !== 'M')) {
      expect(typeof e.ts).toBe('number');
      expect(e.ts).toBeGreaterThanOrEqual(0);
    }
    const last = Math.max(...events.filter((x) => x.ph !== 'M').map((x) => x.ts!));
    expect(last).toBeGreaterThan(1000); // the run lasts tens of virtual ms
  });

  test('every operation span begins and ends once, in order', () => {
    const spans = pairs(events, 'b', 'e');
    expect(spans.length).toBeGreaterThan(5);
    for (const [b, e] of spans) {
      expect([e.pid, e.cat, e.name]).toEqual([b.pid, b.cat, b.name]);
      expect(e.ts!).toBeGreaterThanOrEqual(b.ts!);
    }
  });

  test('every flow arrow has both ends, from an OS result to an event, in both models', () => {
    const flows = pairs(events, 's', 'f');
    expect(flows.length).toBeGreaterThan(5);
    for (const [s, f] of flows) {
      expect(typeof s.id).toBe('number'); // Perfetto parses a string flow id as hex
      expect(f.ts!).toBeGreaterThanOrEqual(s.ts!);
      expect(f.bp).toBe('e');
      const slices = events.filter((e) => e.ph === 'X' && e.pid === s.pid);
      expect(slices.some((x) => x.cat === 'result' && x.tid === s.tid && x.ts === s.ts)).toBe(true);
      expect(slices.some((x) => x.cat === 'event' && x.tid === f.tid && x.ts === f.ts)).toBe(true);
    }
    expect(new Set(flows.map(([s]) => s.pid))).toEqual(new Set([1, 2, 3, 4]));
  });

  test('slices on one thread nest or follow one another, never half-overlap', () => {
    const byLane = new Map<string, ChromeEvent[]>();
    for (const e of events.filter((x) => x.ph === 'X')) byLane.set(`${e.pid}:${e.tid}`, [...(byLane.get(`${e.pid}:${e.tid}`) ?? []), e]);
    for (const slices of byLane.values()) {
      for (const a of slices) {
        for (const b of slices) {
          const overlap = a.ts! < b.ts! && b.ts! < a.ts! + a.dur! && b.ts! + b.dur! > a.ts! + a.dur!;
          expect(overlap).toBe(false);
        }
      }
    }
  });

  test('counters for pool use, ready-queue depth and bytes in flight on every reactor', () => {
    for (const pid of [1, 2, 3, 4]) {
      const counters = events.filter((e) => e.ph === 'C' && e.pid === pid);
      expect(new Set(counters.map((c) => c.name))).toEqual(new Set(['pool in use', 'ready queue', 'bytes in flight']));
      for (const c of counters) for (const v of Object.values(c.args!)) expect(typeof v).toBe('number');
    }
  });

  test('each fault is an instant, on the reactor whose call it struck or else on the network', () => {
    const instants = events.filter((e) => e.ph === 'i' && e.cat === 'fault');
    expect(instants).toHaveLength(faults.length);
    expect(faults.length).toBeGreaterThan(0);
    instants.forEach((e, i) => expect(e.pid).toBe(faults[i].r >= 0 ? faults[i].r + 1 : 5));
    expect(new Set(instants.map((e) => e.pid)).size).toBeGreaterThan(1);
  });
});

test('an operation still in flight when the trace ends closes there, marked unfinished', async () => {
  const recorder = new TraceRecorder();
  const r = await reactor({ backend: 'sim', model: 'completion', trace: recorder });
  const [a] = r.os.socketPair();
  r.add(a, 'idle', EventType.READ);
  r.wait(50);
  const events = toChromeTrace(recorder.toJSON()).traceEvents;
  const [[begin, end]] = pairs(events, 'b', 'e');
  expect(begin.name).toBe('recv');
  expect(end.args).toEqual({ unfinished: true });
  expect(end.ts).toBe(50_000);
});
