// The page's index of one trace: lanes (one per socket, per reactor, per network), each record's
// lane and position, in-flight operations as spans, waits, counters. Built incrementally, so the
// live feed appends to it as records arrive.
import type { Trace, TraceReactor, TraceRecord, CounterRecord } from '../../trace/format.js';
import { REQUEST, RESULT } from '../../seam.js';
import { styleOf } from './colors.js';
import type { Span } from './span.js';

export interface Lane {
  r: number;
  /** -1: the reactor's own lane (waits, wakeups); -2: the network's (faults it injected). */
  fd: number;
  name: string;
}


const OPS: Record<number, Span['what']> = { [REQUEST.recv]: 'recv', [REQUEST.send]: 'send', [REQUEST.accept]: 'accept' };
export const NETWORK_FD = -2;
export const REACTOR_FD = -1;

export class TraceModel {
  readonly reactors: TraceReactor[] = [];
  readonly records: TraceRecord[] = [];
  readonly lanes: Lane[] = [];
  /** Per record: its lane, or -1 (counters belong to no lane). */
  readonly laneOf: number[] = [];
  /** Per record: how it is drawn (colors.ts styleOf), and an event's type flags (else 0). */
  readonly style: number[] = [];
  readonly typeOf: number[] = [];
  readonly spans: Span[] = [];
  /** Per lane: its records' and its spans' indexes, in order (a frame draws only the lanes on screen). */
  readonly laneRecords: number[][] = [];
  readonly laneSpans: number[][] = [];
  /** Per record: its span index when it opened or closed one, else -1. */
  readonly spanOf: number[] = [];
  /** Per event record: the raw result it was translated from, else -1. */
  readonly causeOf: number[] = [];
  /** Record indexes of the counters, in order. */
  readonly counters: number[] = [];
  /** Events seen, by type flag. */
  readonly eventsByType = new Map<number, number>();
  eventCount = 0;
  faultCount = 0;

  readonly #laneByFd = new Map<string, number>();
  readonly #openSpan = new Map<string, number>();
  readonly #lastResult = new Map<string, number>();

  constructor(readonly seed: number | null = null) {}

  /** The trace it was built from whole (a file, a run); null for one that grew (the live feed). */
  source: Trace | null = null;

  static of(trace: Trace): TraceModel {
    const model = new TraceModel(trace.seed);
    model.source = trace;
    for (const r of trace.reactors) model.addReactor(r);
    for (const rec of trace.records) model.push(rec);
    return model;
  }

  addReactor(info: TraceReactor): void {
    this.reactors[info.r] = info;
  }

  /** The trace as it stands, in the file format. */
  toTrace(): Trace {
    return this.source ?? { format: 'io-reactor-trace', version: 1, seed: this.seed, reactors: this.reactors.filter(Boolean), records: this.records };
  }

  push(rec: TraceRecord): void {
    const i = this.records.length;
    this.records.push(rec);
    this.spanOf.push(-1);
    this.causeOf.push(-1);
    const lane = rec.k === 'counters' ? -1 : this.#laneFor(rec);
    this.laneOf.push(lane);
    if (lane >= 0) this.laneRecords[lane].push(i);
    this.style.push(styleOf(rec));
    this.typeOf.push(rec.k === 'event' ? rec.type : 0);
    switch (rec.k) {
      case 'call':
        if (rec.op === 'wait') this.#open(`${rec.r}:wait`, i, 'wait');
        break;
      case 'request':
        if (OPS[rec.kind]) this.#open(`${rec.r}:ctx:${rec.target}`, i, OPS[rec.kind]);
        break;
      case 'result':
        if (rec.kind === RESULT.complete) {
          this.#close(`${rec.r}:ctx:${rec.target}`, i);
          this.#lastResult.set(`${rec.r}:ctx:${rec.target}`, i);
        } else this.#lastResult.set(`${rec.r}:fd:${rec.fd}`, i);
        break;
      case 'event':
        this.causeOf[i] = this.#lastResult.get(rec.ctx >= 0 ? `${rec.r}:ctx:${rec.ctx}` : `${rec.r}:fd:${rec.fd}`) ?? -1;
        this.eventCount++;
        this.eventsByType.set(rec.type, (this.eventsByType.get(rec.type) ?? 0) + 1);
        break;
      case 'fault':
        this.faultCount++;
        break;
      case 'counters':
        this.counters.push(i);
        this.#close(`${rec.r}:wait`, i);
        break;
    }
  }

  /** Where in `counters` the first sample at or after record `at` is. */
  counterSlot(at: number): number {
    let lo = 0;
    let hi = this.counters.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.counters[mid] < at) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** The record index of reactor r's last counters at or before record `at`, or -1. */
  counterIndexAt(at: number, r: number): number {
    for (let c = this.counterSlot(at + 1) - 1; c >= 0; c--) {
      if (this.records[this.counters[c]].r === r) return this.counters[c];
    }
    return -1;
  }

  #open(key: string, at: number, what: Span['what']): void {
    this.#close(key, at);
    this.spanOf[at] = this.spans.length;
    this.#openSpan.set(key, this.spans.length);
    this.laneSpans[this.laneOf[at]].push(this.spans.length);
    this.spans.push({ lane: this.laneOf[at], start: at, end: -1, what });
  }

  #close(key: string, at: number): void {
    const open = this.#openSpan.get(key);
    if (open === undefined) return;
    this.spans[open].end = at;
    this.spanOf[at] = open;
    this.#openSpan.delete(key);
  }

  #laneFor(rec: Exclude<TraceRecord, CounterRecord>): number {
    const fd = rec.k === 'fault' ? rec.fd ?? (rec.r < 0 ? NETWORK_FD : REACTOR_FD) : rec.fd ?? REACTOR_FD;
    const key = `${rec.r}:${fd}`;
    // An fd number comes back for the next connection: each successful add opens a fresh lane.
    const added = rec.k === 'call' && rec.op === 'add' && rec.error === undefined;
    let lane = this.#laneByFd.get(key);
    if (lane === undefined || added) {
      lane = this.lanes.length;
      this.lanes.push({ r: rec.r, fd, name: this.#laneName(rec.r, fd, added ? rec.label : undefined) });
      this.laneRecords.push([]);
      this.laneSpans.push([]);
      this.#laneByFd.set(key, lane);
    }
    return lane;
  }

  #laneName(r: number, fd: number, label: string | undefined): string {
    const host = this.reactors.filter(Boolean).length > 1 && this.reactors[r] ? `${this.reactors[r].host}/` : '';
    if (fd === NETWORK_FD) return 'network';
    if (fd === REACTOR_FD) return `${host}reactor ${r}`;
    // A context of null or undefined names nothing: the lane is just the fd.
    const named = label !== undefined && label !== 'null' && label !== 'undefined';
    return `${host}${named ? `${label} ` : ''}fd ${fd}`;
  }
}
