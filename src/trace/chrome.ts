// Chrome Trace Event export: the JSON that ui.perfetto.dev and chrome://tracing open. One process
// per reactor (and one for the network's faults), one thread per registration named by its
// context label, async spans for operations in flight from request to result, 1 µs marks for raw
// OS results and delivered events (slices, because flow arrows bind to slices) joined by arrows,
// instants for faults (on the reactor whose call they struck, or the network) and app calls, wait spans, counters for the pool, the ready queue and the
// bytes in flight. Times are the trace's ms as µs.
import type { Trace, TraceRecord, RequestRecord } from './format.js';
import { checkTraceOf } from './check.js';
import { REQUEST, RESULT } from '../seam.js';

export interface ChromeEvent {
  name: string;
  ph: 'M' | 'X' | 'i' | 'b' | 'e' | 's' | 'f' | 'C';
  pid: number;
  tid?: number;
  /** Microseconds. */
  ts?: number;
  dur?: number;
  cat?: string;
  /** Async spans: any string. Flows: a number (Perfetto reads a string flow id as hex). */
  id?: string | number;
  s?: 't' | 'p' | 'g';
  bp?: 'e';
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: ChromeEvent[];
  displayTimeUnit: 'ms' | 'ns';
  otherData: Record<string, unknown>;
}

/** Length of the slices that stand for an instant with an arrow (flows bind to slices). */
const MARK_US = 1;
/**
 * Thread ids are unique in the whole trace (viewers take a tid for one OS thread, and 0 for the
 * idle one): a reactor's are its pid × TIDS_PER_PROCESS + lane, lane 0 its app calls.
 */
const TIDS_PER_PROCESS = 100_000;
const REQUEST_NAMES = Object.fromEntries(Object.entries(REQUEST).map(([name, n]) => [n, name]));
const RESULT_NAMES = Object.fromEntries(Object.entries(RESULT).map(([name, n]) => [n, name]));
const EVENT_FLAGS: [number, string][] = [
  [1, 'READ'],
  [2, 'WRITE'],
  [4, 'ERROR'],
  [8, 'CLOSE'],
  [16, 'ACCEPT'],
];
const IO_REQUESTS = new Set<number>([REQUEST.recv, REQUEST.send, REQUEST.accept]);
/** An operation in flight: a read by its slot (it holds no context until data comes), the rest by context. */
const opKey = (r: number, read: boolean, target: number): string => `${r}:${read ? 's' : 'c'}${target}`;

const us = (ms: number): number => Math.round(ms * 1e6) / 1e3;
const eventName = (type: number): string =>
  EVENT_FLAGS.filter(([bit]) => type & bit)
    .map(([, n]) => n)
    .join('|') || 'NONE';

/** Per reactor: its lanes (a thread per registration), in-flight operations and flow ids. */
class Lanes {
  readonly #byFd = new Map<number, number>();
  #next = 1;
  constructor(
    readonly pid: number,
    readonly out: ChromeEvent[],
  ) {}

  /** The lane of the reactor's app calls. */
  get calls(): number {
    return this.pid * TIDS_PER_PROCESS;
  }

  /** A new lane for a registration of fd, named by its label. */
  open(fd: number, label: string): number {
    const tid = this.calls + this.#next++;
    this.#byFd.set(fd, tid);
    this.out.push({ name: 'thread_name', ph: 'M', pid: this.pid, tid, args: { name: `${label} (fd ${fd})` } });
    this.out.push({ name: 'thread_sort_index', ph: 'M', pid: this.pid, tid, args: { sort_index: tid } });
    return tid;
  }

  of(fd: number): number {
    return this.#byFd.get(fd) ?? this.open(fd, 'unregistered');
  }
}

/** Converts a trace into Chrome Trace Event JSON (pass it to JSON.stringify and save as .json). */
export function toChromeTrace(trace: Trace): ChromeTrace {
  checkTraceOf(trace, 'toChromeTrace');
  const out: ChromeEvent[] = [];
  // Processes are numbered from 1: viewers take pid 0 for the kernel's idle process.
  const networkPid = trace.reactors.length + 1;
  const faultLane = networkPid * TIDS_PER_PROCESS;
  out.push({ name: 'process_name', ph: 'M', pid: networkPid, args: { name: 'network (faults)' } });
  out.push({ name: 'thread_name', ph: 'M', pid: networkPid, tid: faultLane, args: { name: 'faults' } });
  const lanes = new Map<number, Lanes>();
  for (const x of trace.reactors) {
    const pid = x.r + 1;
    out.push({ name: 'process_name', ph: 'M', pid, args: { name: `${x.host}: reactor ${x.r} (${x.backend} ${x.model} ${x.mechanism})` } });
    out.push({ name: 'process_sort_index', ph: 'M', pid, args: { sort_index: pid } });
    const lane = new Lanes(pid, out);
    out.push({ name: 'thread_name', ph: 'M', pid, tid: lane.calls, args: { name: 'app calls' } });
    lanes.set(x.r, lane);
  }
  /** `${r}:${ctx}` → the span id and request of the operation in flight on that context. */
  const inFlight = new Map<string, { id: string; request: RequestRecord; tid: number }>();
  /**
   * Results not yet delivered, where an event will find them: by context in completion (one
   * result, one event; a context has one operation at a time), by fd in readiness (the results
   * of a wait merge into one event per fd). Arrows are drawn only for results that became events.
   */
  const undelivered = new Map<string, { ts: number; tid: number }[]>();
  const completion = new Set(trace.reactors.filter((x) => x.model === 'completion').map((x) => x.r));
  const resultKey = (r: number, fd: number, ctx: number): string => (completion.has(r) ? `${r} ctx ${ctx}` : `${r} fd ${fd}`);
  /** Per reactor: the open wait call (its span ends at the wait's counters). */
  const waits = new Map<number, number>();
  let spans = 0;
  let flows = 1;
  let last = 0;
  /** Per lane, where its last mark ends: marks follow one another, so slices never half-overlap. */
  const markEnds = new Map<string, number>();
  const markAt = (pid: number, tid: number, ts: number): number => {
    const start = Math.max(ts, markEnds.get(`${pid}:${tid}`) ?? 0);
    markEnds.set(`${pid}:${tid}`, start + MARK_US);
    return start;
  };
  for (const x of trace.records) {
    last = x.t;
    if (x.k === 'fault') {
      // On the app-calls lane of the reactor whose call it struck, else on the network.
      const struck = lanes.get(x.r);
      out.push({
        name: x.fault,
        ph: 'i',
        s: 't',
        pid: struck?.pid ?? networkPid,
        tid: struck?.calls ?? faultLane,
        ts: us(x.t),
        cat: 'fault',
        args: { fd: x.fd, detail: x.detail },
      });
      continue;
    }
    const lane = lanes.get(x.r);
    if (!lane) continue;
    convert(x, lane);
  }
  // Operations still in flight when the trace ends: their spans close there, marked unfinished.
  for (const { id, request, tid } of inFlight.values()) {
    out.push({
      name: REQUEST_NAMES[request.kind],
      ph: 'e',
      cat: 'op',
      id,
      pid: lanes.get(request.r)!.pid,
      tid,
      ts: us(last),
      args: { unfinished: true },
    });
  }
  return { traceEvents: out, displayTimeUnit: 'ms', otherData: { format: trace.format, version: trace.version, seed: trace.seed } };

  function convert(x: Exclude<TraceRecord, { k: 'fault' }>, lane: Lanes): void {
    const pid = lane.pid;
    const ts = us(x.t);
    switch (x.k) {
      case 'call': {
        if (x.op === 'add' && !x.error) lane.open(x.fd!, x.label ?? '');
        if (x.op === 'add' || x.op === 'remove' || x.op === 'close') undelivered.delete(resultKey(x.r, x.fd!, -1));
        if (x.op === 'wait' && !x.error) waits.set(x.r, x.t);
        else
          out.push({
            name: x.op,
            ph: 'i',
            s: 't',
            pid,
            tid: lane.calls,
            ts,
            cat: 'call',
            args: { fd: x.fd, events: x.events, error: x.error },
          });
        return;
      }
      case 'request': {
        if (!IO_REQUESTS.has(x.kind)) return;
        const id = `r${x.r}.op${spans++}`;
        const tid = lane.of(x.fd);
        inFlight.set(opKey(x.r, x.kind === REQUEST.recv, x.target), { id, request: x, tid });
        out.push({ name: REQUEST_NAMES[x.kind], ph: 'b', cat: 'op', id, pid, tid, ts, args: { fd: x.fd, context: x.target, len: x.len } });
        return;
      }
      case 'result': {
        const tid = lane.of(x.fd);
        const span = opKey(x.r, x.kind === RESULT.recv, x.target);
        const op = inFlight.get(span);
        if ((x.kind === RESULT.complete || x.kind === RESULT.recv) && op) {
          inFlight.delete(span);
          out.push({
            name: REQUEST_NAMES[op.request.kind],
            ph: 'e',
            cat: 'op',
            id: op.id,
            pid,
            tid: op.tid,
            ts,
            args: { bytes: x.value, osCode: x.osCode },
          });
        }
        // Its event names the context: a read's is the provided buffer it filled (-1: none).
        const key = resultKey(x.r, x.fd, x.kind === RESULT.recv ? (x.buffer ?? -1) : x.target);
        const earlier = completion.has(x.r) ? [] : (undelivered.get(key) ?? []);
        const at = markAt(pid, tid, ts);
        undelivered.set(key, [...earlier, { ts: at, tid }]);
        out.push({
          name: `os ${RESULT_NAMES[x.kind]}`,
          ph: 'X',
          pid,
          tid,
          ts: at,
          dur: MARK_US,
          cat: 'result',
          args: { value: x.value, osCode: x.osCode, context: x.target },
        });
        return;
      }
      case 'event': {
        const tid = lane.of(x.fd);
        const at = markAt(pid, tid, ts);
        out.push({
          name: eventName(x.type),
          ph: 'X',
          pid,
          tid,
          ts: at,
          dur: MARK_US,
          cat: 'event',
          args: { bytes: x.bytes, code: x.code, osCode: x.osCode, context: x.ctx },
        });
        const key = resultKey(x.r, x.fd, x.ctx);
        for (const from of undelivered.get(key) ?? []) {
          const id = flows++;
          out.push({ name: 'result → event', ph: 's', cat: 'flow', id, pid, tid: from.tid, ts: from.ts });
          out.push({ name: 'result → event', ph: 'f', bp: 'e', cat: 'flow', id, pid, tid, ts: at });
        }
        undelivered.delete(key);
        return;
      }
      case 'counters': {
        const started = waits.get(x.r);
        if (started !== undefined) {
          waits.delete(x.r);
          out.push({ name: 'wait', ph: 'X', pid, tid: lane.calls, ts: us(started), dur: Math.max(ts - us(started), MARK_US), cat: 'call' });
        }
        out.push({ name: 'pool in use', ph: 'C', pid, ts, args: { contexts: x.poolInUse } });
        out.push({ name: 'ready queue', ph: 'C', pid, ts, args: { events: x.readyQueued } });
        out.push({ name: 'bytes in flight', ph: 'C', pid, ts, args: { bytes: x.bytesInFlight } });
        return;
      }
    }
  }
}
