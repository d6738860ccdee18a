// Level of detail: a trace's lanes summarised in bins of power-of-two widths on the axis (a
// mipmap): which marks, which bars and which arrows fall in each bin. Each summary is built once
// per lane, axis and width, on first use, and kept until the trace grows, so a frame costs the
// pixel columns in view, not the records.
import type { TraceModel } from './model.js';
import type { Axis } from './view.js';
import type { Span } from './span.js';
import type { CounterRecord, SegmentRecord } from '../../trace/format.js';
import { FIRST_KIND_STYLE } from './colors.js';
import { StepSeries, LEVELS_KEPT } from './step-series.js';
import { lowerBound } from './search.js';

export const SPAN_KINDS: Span['what'][] = ['wait', 'accept', 'recv', 'send'];
export const ARROW_FLAGS = ['syn', 'data', 'fin', 'rst'] as const;
/** The counters a reactor samples after each wait, as StepSeries of Summary.counters. */
export const COUNTER_SERIES = ['poolInUse', 'readyQueued', 'bytesInFlight', 'poolSize'] as const;

/** The level whose bins are at most one pixel wide (and more than half), for `unitsPerPx` axis units a pixel. */
export function levelFor(axis: Axis, unitsPerPx: number): number {
  const k = Math.floor(Math.log2(unitsPerPx));
  // A record is the finest bin of the record-order axis: finer ones would hold the same.
  return axis === 'seq' ? Math.max(k, 0) : k;
}

/** Where a bin's marks are drawn: its middle, or its record on the record-order axis at width 1. */
export function binCenter(axis: Axis, k: number, bin: number): number {
  const width = 2 ** k;
  return bin * width + (axis === 'seq' ? (width - 1) / 2 : width / 2);
}

/** A lane's records by bin: which event types (bit t for type t) and which other styles (bit s) each holds. */
export interface MarkBins {
  count: number;
  bins: Float64Array;
  events: Uint32Array;
  kinds: Uint32Array;
}

/** A lane's bars at one width: per SPAN_KINDS entry, [from, to, …] with gaps narrower than a bin closed. */
export type SpanRuns = Float64Array[];

/**
 * Arrows of one kind between the same two lanes (`to` -1: never taken), at one width: the first
 * sent in each bin that ends in one bin (a segment read in pieces has an arrow to each piece).
 */
export interface ArrowBins {
  count: number;
  /** Send and take (or arrival, for one never taken) times. */
  start: Float64Array;
  end: Float64Array;
  /** The arrow drawn for the bin (TraceModel.arrows). */
  arrow: Int32Array;
  /** 1 when a fault struck an arrow of the bin. */
  struck: Uint8Array;
}

export interface ArrowGroup {
  fromLane: number;
  toLane: number;
  flag: number;
  taken: boolean;
  /** Arrow indexes, in the order sent (a segment's arrows in the order taken). */
  arrows: number[];
  /** Its longest arrow, in ms: a frame looks this far back for arrows reaching into view. */
  longestMs: number;
}

export class Summary {
  /** Records summarised: a longer model means new records, so everything is built again. */
  readonly builtFor: number;
  readonly #levels = new Map<
    string,
    { marks: (MarkBins | undefined)[]; spans: (SpanRuns | undefined)[]; arrows: (ArrowBins | undefined)[] }
  >();
  #groups: ArrowGroup[] | null = null;
  readonly #series = new Map<string, StepSeries>();

  constructor(readonly model: TraceModel) {
    this.builtFor = model.records.length;
  }

  #level(axis: Axis, k: number) {
    const key = `${axis}:${k}`;
    let level = this.#levels.get(key);
    if (!level) {
      if (this.#levels.size >= LEVELS_KEPT) this.#levels.delete(this.#levels.keys().next().value!);
      this.#levels.set(key, (level = { marks: [], spans: [], arrows: [] }));
    }
    return level;
  }

  #pos(axis: Axis, i: number): number {
    return axis === 'seq' ? i : this.model.times[i];
  }

  marks(lane: number, axis: Axis, k: number): MarkBins {
    const level = this.#level(axis, k);
    return (level.marks[lane] ??= this.#buildMarks(lane, axis, k));
  }

  spans(lane: number, axis: Axis, k: number): SpanRuns {
    const level = this.#level(axis, k);
    return (level.spans[lane] ??= this.#buildSpans(lane, axis, k));
  }

  /** The arrows of every lane pair and kind, grouped (on the time axis: the flow view's). */
  groups(): ArrowGroup[] {
    return (this.#groups ??= this.#buildGroups());
  }

  arrows(group: number, k: number): ArrowBins {
    const level = this.#level('time', k);
    return (level.arrows[group] ??= this.#buildArrows(this.groups()[group], k));
  }

  /** Reactor r's counters: pool in use, ready queue, bytes in flight, pool size (COUNTER_SERIES order). */
  counters(r: number, axis: Axis): StepSeries {
    const key = `counters:${r}:${axis}`;
    let series = this.#series.get(key);
    if (!series) {
      const { counters, records } = this.model;
      const mine = counters.filter((i) => records[i].r === r);
      const samples = mine.map((i) => records[i] as CounterRecord);
      series = new StepSeries(
        Float64Array.from(mine, (i) => this.#pos(axis, i)),
        COUNTER_SERIES.map((name) => Float64Array.from(samples, (c) => c[name])),
      );
      this.#series.set(key, series);
    }
    return series;
  }

  /** Bytes on the wire, all hosts: each data segment counts from its send until it reaches the peer. */
  wire(axis: Axis): StepSeries {
    const key = `wire:${axis}`;
    let series = this.#series.get(key);
    if (!series) {
      const { segments, records, times } = this.model;
      const changes: [number, number][] = [];
      for (const i of segments) {
        const seg = records[i] as SegmentRecord;
        if (seg.bytes === 0) continue;
        // On the record-order axis a segment arrives at the first record of its arrival time.
        const arrives = axis === 'time' ? seg.at : lowerBound(times, times.length, seg.at);
        changes.push([this.#pos(axis, i), seg.bytes], [arrives, -seg.bytes]);
      }
      // At one position, arrivals before sends: a column's peak counts no byte twice.
      changes.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      let level = 0;
      series = new StepSeries(
        Float64Array.from(changes, (c) => c[0]),
        [Float64Array.from(changes, (c) => (level += c[1]))],
      );
      this.#series.set(key, series);
    }
    return series;
  }

  #buildMarks(lane: number, axis: Axis, k: number): MarkBins {
    const { laneRecords, style, typeOf } = this.model;
    const records = laneRecords[lane];
    const width = 2 ** k;
    const bins = new Float64Array(records.length);
    const events = new Uint32Array(records.length);
    const kinds = new Uint32Array(records.length);
    let count = 0;
    let bin = NaN;
    for (const i of records) {
      const b = Math.floor(this.#pos(axis, i) / width);
      if (b !== bin) {
        bin = b;
        bins[count++] = b;
      }
      const s = style[i];
      if (s < FIRST_KIND_STYLE) events[count - 1] |= 1 << typeOf[i];
      else kinds[count - 1] |= 1 << s;
    }
    return { count, bins, events, kinds };
  }

  #buildSpans(lane: number, axis: Axis, k: number): SpanRuns {
    const { laneSpans, spans, records } = this.model;
    const width = 2 ** k;
    const last = records.length - 1;
    const runs = SPAN_KINDS.map(() => [] as number[]);
    const open = SPAN_KINDS.map(() => -1);
    // Spans come in the order they opened: a run grows while the next starts within a bin of its end.
    for (const s of laneSpans[lane]) {
      const span = spans[s];
      const kind = SPAN_KINDS.indexOf(span.what);
      const from = this.#pos(axis, span.start);
      const to = this.#pos(axis, span.end < 0 ? last : span.end);
      const list = runs[kind];
      if (open[kind] >= 0 && from - list[open[kind] + 1] < width) {
        if (to > list[open[kind] + 1]) list[open[kind] + 1] = to;
        continue;
      }
      open[kind] = list.length;
      list.push(from, to);
    }
    return runs.map((list) => Float64Array.from(list));
  }

  #buildGroups(): ArrowGroup[] {
    const { arrows, records, laneOf, connLane } = this.model;
    const byKey = new Map<number, ArrowGroup>();
    const lanes = this.model.lanes.length + 1;
    const groups: ArrowGroup[] = [];
    arrows.forEach((arrow, a) => {
      const seg = records[arrow.from] as SegmentRecord;
      const taken = arrow.to >= 0;
      const fromLane = laneOf[arrow.from];
      const toLane = taken ? laneOf[arrow.to] : (connLane.get(seg.conn) ?? -1);
      const flag = ARROW_FLAGS.indexOf(seg.flag);
      const key = (((fromLane + 1) * lanes + toLane + 1) * ARROW_FLAGS.length + flag) * 2 + Number(taken);
      let group = byKey.get(key);
      if (!group) {
        byKey.set(key, (group = { fromLane, toLane, flag, taken, arrows: [], longestMs: 0 }));
        groups.push(group);
      }
      group.arrows.push(a);
      // A take reported before its send (natively, a completion's) draws back in time.
      group.longestMs = Math.max(group.longestMs, Math.abs((taken ? records[arrow.to].t : seg.at) - seg.t));
    });
    // A later take's arrow was added when it came: back among its segment's, in the order sent.
    const sent = (a: number): number => arrows[a].from;
    for (const group of groups) {
      if (group.arrows.some((a, k) => k > 0 && sent(a) < sent(group.arrows[k - 1])))
        group.arrows.sort((x, y) => sent(x) - sent(y) || x - y);
    }
    return groups;
  }

  #buildArrows(group: ArrowGroup, k: number): ArrowBins {
    const { arrows, records } = this.model;
    const width = 2 ** k;
    const n = group.arrows.length;
    const start = new Float64Array(n);
    const end = new Float64Array(n);
    const arrow = new Int32Array(n);
    const struck = new Uint8Array(n);
    let count = 0;
    let bin = NaN;
    let endBin = NaN;
    for (const a of group.arrows) {
      const seg = records[arrows[a].from] as SegmentRecord;
      const t = arrows[a].to >= 0 ? records[arrows[a].to].t : seg.at;
      const b = Math.floor(seg.t / width);
      const e = Math.floor(t / width);
      if (b !== bin || e !== endBin) {
        bin = b;
        endBin = e;
        start[count] = seg.t;
        end[count] = t;
        arrow[count] = a;
        count++;
      }
      if (seg.faults) struck[count - 1] = 1;
    }
    return { count, start, end, arrow, struck };
  }
}

const summaries = new WeakMap<TraceModel, Summary>();

/** The model's summary, built again once it has grown (the live feed). */
export function summaryOf(model: TraceModel): Summary {
  let summary = summaries.get(model);
  if (!summary || summary.builtFor !== model.records.length) summaries.set(model, (summary = new Summary(model)));
  return summary;
}
