// The page's index of one trace: lanes (one per socket, per reactor, per network, each on a host),
// each record's lane and position, in-flight operations as spans, waits, counters, and the arrows
// joining each segment sent to the takes that got its bytes. Built incrementally, so the live feed
// appends to it as records arrive.
import type { Trace, TraceReactor, TraceRecord, CounterRecord, LabelRecord, SegmentRecord, TakeRecord } from '../../trace/format.js';
import { REQUEST, RESULT } from '../../seam.js';
import { styleOf } from './colors.js';
import type { Span } from './span.js';

export interface Lane {
  /** The reactor, or -1 for the network's lane and for an fd no reactor registered. */
  r: number;
  /** -1: the reactor's own lane (waits, wakeups); -2: the network's (faults it injected). */
  fd: number;
  /** The host it is on: lanes are grouped by it (NETWORK_HOST for the network's). */
  host: string;
  name: string;
}

/**
 * A segment sent (`from`, a segment record) and a take that got its bytes (`to`, or -1: none yet).
 * A segment's first arrow goes to the take of its first byte; a receiver that read it in pieces
 * adds one arrow per later take.
 */
export interface Arrow {
  from: number;
  to: number;
}

/** A receiving end's wire (TakeRecord.conn): what was sent to it and what it took. */
interface Conn {
  /** Segments with bytes (or a SYN, FIN or RST) not taken yet, in the order sent. */
  untaken: number[];
  /**
   * Data takes of bytes whose segment is not in the trace yet: natively, a completion's bytes can
   * reach a reader before the sender's completion is reported.
   */
  early: number[];
  /** The end of the bytes sent to it, and of those taken, so far. */
  sentTo: number;
  takenTo: number;
}

const endOf = (x: { seq: number; bytes: number }): number => x.seq + x.bytes;
/** Whether data take `take` got bytes of data segment `seg` (a segment of none: its place). */
const overlaps = (seg: SegmentRecord, take: TakeRecord): boolean =>
  seg.seq < endOf(take) && (endOf(seg) > take.seq || (seg.bytes === 0 && seg.seq >= take.seq));
const resets = (seg: SegmentRecord): boolean => seg.flag === 'rst' || (seg.faults?.includes('reset') ?? false);

const OPS: Record<number, Span['what']> = { [REQUEST.recv]: 'recv', [REQUEST.send]: 'send', [REQUEST.accept]: 'accept' };
export const NETWORK_FD = -2;
export const REACTOR_FD = -1;
export const NETWORK_HOST = 'network';

export class TraceModel {
  readonly reactors: TraceReactor[] = [];
  readonly records: TraceRecord[] = [];
  readonly lanes: Lane[] = [];
  /** Per record: its time (ms), read without touching the record (a frame reads many). */
  readonly times: number[] = [];
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
  /** Segment record indexes, in the order sent. */
  readonly segments: number[] = [];
  /** Every arrow, a segment's first in the order sent, the later takes of its bytes as they came. */
  readonly arrows: Arrow[] = [];
  /** Per record: a segment's first arrow, a take's first arrow in, else -1. */
  readonly arrowOf: number[] = [];
  /** The longest an arrow spans, in ms: a frame looks this far back for arrows reaching into view. */
  longestArrowMs = 0;
  /**
   * Whether segments are seen to reach the peer (a simulated network's are, at `at`): natively only
   * the receive is seen, and no bytes are ever on the wire.
   */
  wireArrivals = false;
  /** When the first segment was sent and the last arrived or was taken (ms): what the flow view fits. */
  wireFrom = Infinity;
  wireTo = -Infinity;
  /** Per receiving end (TakeRecord.conn): the lane it was taken on, once known. */
  readonly connLane = new Map<number, number>();
  /** Where the run failed (Trace.failure), if it did. */
  failure: Trace['failure'] = undefined;

  readonly #laneByFd = new Map<string, number>();
  readonly #openSpan = new Map<string, number>();
  readonly #lastResult = new Map<string, number>();
  /** host:fd → the lane of the socket open there now. */
  readonly #laneByHostFd = new Map<string, number>();
  /** Receiving end (TakeRecord.conn) → its wire. */
  readonly #conns = new Map<number, Conn>();

  constructor(readonly seed: number | null = null) {}

  /** The trace it was built from whole (a file, a run); null for one that grew (the live feed). */
  source: Trace | null = null;

  static of(trace: Trace): TraceModel {
    const model = new TraceModel(trace.seed);
    model.source = trace;
    model.failure = trace.failure;
    for (const r of trace.reactors) model.addReactor(r);
    for (const rec of trace.records) model.push(rec);
    return model;
  }

  addReactor(info: TraceReactor): void {
    this.reactors[info.r] = info;
  }

  /** The trace as it stands, in the file format. */
  toTrace(): Trace {
    return (
      this.source ?? {
        format: 'io-reactor-trace',
        version: 1,
        seed: this.seed,
        reactors: this.reactors.filter(Boolean),
        records: this.records,
      }
    );
  }

  push(rec: TraceRecord): void {
    const i = this.records.length;
    this.records.push(rec);
    this.times.push(rec.t);
    this.spanOf.push(-1);
    this.causeOf.push(-1);
    this.arrowOf.push(-1);
    // Counters belong to no lane; a label renames one.
    if (rec.k === 'label') {
      const named = this.#laneByFd.get(`${rec.r}:${rec.fd}`);
      if (named !== undefined) this.lanes[named].name = this.#laneName(rec.r, rec.fd, rec.label);
    }
    const lane = rec.k === 'counters' || rec.k === 'label' ? -1 : this.#laneFor(rec);
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
        } else if (rec.kind === RESULT.recv) {
          // An armed read ends on its slot; its READ names the provided buffer it filled, so the
          // event finds this result by that buffer's context (by fd when none was filled).
          this.#close(`${rec.r}:ctx:${rec.target}`, i);
          this.#lastResult.set(rec.buffer !== undefined && rec.buffer >= 0 ? `${rec.r}:ctx:${rec.buffer}` : `${rec.r}:fd:${rec.fd}`, i);
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
      case 'segment':
        this.arrowOf[i] = this.arrows.length;
        this.arrows.push({ from: i, to: -1 });
        this.segments.push(i);
        this.longestArrowMs = Math.max(this.longestArrowMs, rec.at - rec.t);
        this.wireFrom = Math.min(this.wireFrom, rec.t);
        this.wireTo = Math.max(this.wireTo, rec.at);
        if (rec.at > rec.t) this.wireArrivals = true;
        this.#sent(rec, i);
        break;
      case 'take':
        this.connLane.set(rec.conn, lane);
        this.wireTo = Math.max(this.wireTo, rec.t);
        this.#take(rec, i);
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
      if (this.counters[mid] < at) lo = mid + 1;
      else hi = mid;
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

  #conn(conn: number): Conn {
    let wire = this.#conns.get(conn);
    if (!wire) this.#conns.set(conn, (wire = { untaken: [], early: [], sentTo: 0, takenTo: 0 }));
    return wire;
  }

  /** Segment `at` joins the early takes that got its bytes; what they did not take waits for a take. */
  #sent(seg: SegmentRecord, at: number): void {
    const wire = this.#conn(seg.conn);
    if (seg.flag !== 'data' || resets(seg)) {
      wire.untaken.push(at);
      return;
    }
    for (let k = 0; k < wire.early.length; k++) {
      const take = this.records[wire.early[k]] as TakeRecord;
      if (overlaps(seg, take)) this.#join(at, wire.early[k]);
      // Segments come in the order of their bytes: no later one reaches a take that ends before this one's end.
      if (endOf(take) <= endOf(seg)) wire.early.splice(k--, 1);
    }
    wire.sentTo = Math.max(wire.sentTo, endOf(seg));
    if (endOf(seg) > wire.takenTo || (seg.bytes === 0 && seg.seq >= wire.takenTo)) wire.untaken.push(at);
  }

  /**
   * Joins take `at` to the segments it got: data to each segment with bytes in its range (in
   * order sent), a SYN, FIN or RST to the first of its kind.
   */
  #take(take: TakeRecord, at: number): void {
    const wire = this.#conn(take.conn);
    const list = wire.untaken;
    for (let k = 0; k < list.length; k++) {
      const seg = this.records[list[k]] as SegmentRecord;
      if (take.flag === 'data') {
        if (seg.flag !== 'data' || resets(seg)) continue;
        if (seg.seq >= endOf(take)) break;
        if (!overlaps(seg, take)) continue;
        this.#join(list[k], at);
        if (endOf(seg) <= endOf(take)) list.splice(k--, 1);
        continue;
      }
      if (take.flag === 'rst' ? !resets(seg) : take.flag !== seg.flag || resets(seg)) continue;
      this.#join(list[k], at);
      list.splice(k, 1);
      break;
    }
    if (take.flag !== 'data') return;
    wire.takenTo = Math.max(wire.takenTo, endOf(take));
    if (endOf(take) > wire.sentTo) wire.early.push(at);
  }

  /** An arrow from segment `seg` to take `take`: its first, or one more for a later take of its bytes. */
  #join(seg: number, take: number): void {
    let arrow = this.arrowOf[seg];
    if (this.arrows[arrow].to >= 0) {
      arrow = this.arrows.length;
      this.arrows.push({ from: seg, to: -1 });
    }
    this.arrows[arrow].to = take;
    if (this.arrowOf[take] < 0) this.arrowOf[take] = arrow;
    this.longestArrowMs = Math.max(this.longestArrowMs, Math.abs(this.times[take] - this.times[seg]));
  }

  /** The first segment sent after time t, in `segments`. */
  firstSegmentAfter(t: number): number {
    let lo = 0;
    let hi = this.segments.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[this.segments[mid]] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Bytes sent and not yet arrived at time t, over the whole network. */
  wireBytesAt(t: number): number {
    let bytes = 0;
    for (let s = this.firstSegmentAfter(t) - 1; s >= 0; s--) {
      const seg = this.records[this.segments[s]] as SegmentRecord;
      if (seg.t < t - this.longestArrowMs) break;
      if (seg.t <= t && seg.at > t) bytes += seg.bytes;
    }
    return bytes;
  }

  /** The segments a take got (their record indexes, in the order sent). */
  segmentsTakenBy(at: number): number[] {
    return this.arrows
      .filter((a) => a.to === at)
      .map((a) => a.from)
      .sort((x, y) => x - y);
  }

  /** The takes that got a segment's bytes (their record indexes, in order). */
  takesOf(at: number): number[] {
    return this.arrows
      .filter((a) => a.from === at && a.to >= 0)
      .map((a) => a.to)
      .sort((x, y) => x - y);
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

  #laneFor(rec: Exclude<TraceRecord, CounterRecord | LabelRecord>): number {
    // What the wire carried belongs to the socket open at host:fd, whichever reactor has it.
    if (rec.k === 'segment' || rec.k === 'take') {
      return this.#laneByHostFd.get(`${rec.host}:${rec.fd}`) ?? this.#newLane(-1, rec.fd, rec.host, undefined);
    }
    const fd = rec.k === 'fault' ? (rec.fd ?? (rec.r < 0 ? NETWORK_FD : REACTOR_FD)) : (rec.fd ?? REACTOR_FD);
    const key = `${rec.r}:${fd}`;
    // An fd number comes back for the next connection: each successful add opens a fresh lane.
    const added = rec.k === 'call' && rec.op === 'add' && rec.error === undefined;
    const lane = this.#laneByFd.get(key);
    if (lane !== undefined && !added) return lane;
    const host = fd === NETWORK_FD ? NETWORK_HOST : (this.reactors[rec.r]?.host ?? 'native');
    // The wire may have used the socket before the app registered it (a connect's SYN): that lane becomes this one.
    const early = added ? this.#laneByHostFd.get(`${host}:${fd}`) : undefined;
    if (early !== undefined && this.lanes[early].r < 0) {
      Object.assign(this.lanes[early], { r: rec.r, name: this.#laneName(rec.r, fd, rec.k === 'call' ? rec.label : undefined) });
      this.#laneByFd.set(key, early);
      return early;
    }
    const made = this.#newLane(rec.r, fd, host, added ? rec.label : undefined);
    this.#laneByFd.set(key, made);
    return made;
  }

  #newLane(r: number, fd: number, host: string, label: string | undefined): number {
    const lane = this.lanes.length;
    this.lanes.push({ r, fd, host, name: this.#laneName(r, fd, label) });
    this.laneRecords.push([]);
    this.laneSpans.push([]);
    if (fd >= 0) this.#laneByHostFd.set(`${host}:${fd}`, lane);
    return lane;
  }

  #laneName(r: number, fd: number, label: string | undefined): string {
    if (fd === NETWORK_FD) return 'network';
    if (fd === REACTOR_FD) return `reactor ${r}`;
    // A context of null or undefined names nothing: the lane is just the fd.
    const named = label !== undefined && label !== 'null' && label !== 'undefined';
    return `${named ? `${label} ` : ''}fd ${fd}`;
  }
}
