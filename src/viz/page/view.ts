// What part of a trace the page shows: the axis (record order or time), the visible range, the
// cursor, and the filters. Every position is in axis units: a record index or milliseconds.
import type { TraceModel } from './model.js';
import { STYLE_KIND, FIRST_KIND_STYLE, ALL_KIND_BITS } from './colors.js';

export type Axis = 'seq' | 'time';
/** The space-time view of the flow between hosts (time axis, arrows), or each reactor's timeline. */
export type Mode = 'flow' | 'timeline';
export const ALL_EVENTS = 1 | 2 | 4 | 8 | 16;
/** Zooming in stops where one axis unit spans this many views (a record, or a microsecond). */
const MIN_SPAN = { seq: 4, time: 0.004 } as const;
/** The flow view's fit leaves this share of the wire's time free on either side. */
const FLOW_FIT_MARGIN = 0.02;

export class View {
  axis: Axis = 'seq';
  mode: Mode = 'timeline';
  /** Hosts whose lanes are folded into their header row. */
  readonly collapsedHosts = new Set<string>();
  v0 = 0;
  v1 = 1;
  /** The record the cursor is on, -1 before the first. */
  cursor = -1;
  readonly hiddenLanes = new Set<number>();
  /** The first shown lane at the top of the timeline (lanes scroll when there are many). */
  laneTop = 0;
  eventMask = ALL_EVENTS;
  /** Record kinds shown, as colors.ts KIND_BITS. */
  kindMask = ALL_KIND_BITS;

  pos(model: TraceModel, i: number): number {
    return this.axis === 'seq' ? i : model.times[i];
  }

  /** The first record at or after position `p`. */
  indexAt(model: TraceModel, p: number): number {
    let lo = 0;
    let hi = model.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.pos(model, mid) < p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  shows(model: TraceModel, i: number): boolean {
    const style = model.style[i];
    const lane = model.laneOf[i];
    if ((STYLE_KIND[style] & this.kindMask) === 0 || this.hiddenLanes.has(lane)) return false;
    if (lane >= 0 && this.collapsedHosts.has(model.lanes[lane].host)) return false;
    return style >= FIRST_KIND_STYLE || (model.typeOf[i] & this.eventMask) !== 0;
  }

  /** The next (dir 1) or previous (dir -1) shown event from the cursor, or the cursor itself. */
  step(model: TraceModel, dir: 1 | -1): number {
    for (let i = this.cursor + dir; i >= 0 && i < model.records.length; i += dir) {
      if (model.records[i].k === 'event' && this.shows(model, i)) return i;
    }
    return this.cursor;
  }

  /** Shows the whole trace; in the flow view, the time anything was on the wire (a run's end may idle long after). */
  fit(model: TraceModel): void {
    if (this.mode === 'flow' && model.wireTo >= model.wireFrom) {
      const margin = Math.max((model.wireTo - model.wireFrom) * FLOW_FIT_MARGIN, MIN_SPAN.time);
      this.v0 = model.wireFrom - margin;
      this.v1 = model.wireTo + margin;
      return;
    }
    const n = model.records.length;
    this.v0 = n === 0 ? 0 : this.pos(model, 0);
    this.v1 = n === 0 ? 1 : Math.max(this.pos(model, n - 1), this.v0 + MIN_SPAN[this.axis]) + (this.axis === 'seq' ? 1 : 0);
  }

  /** Zooms by `factor` (< 1: in) keeping position `around` where it is on screen. */
  zoom(factor: number, around: number): void {
    const span = Math.max((this.v1 - this.v0) * factor, MIN_SPAN[this.axis]);
    const f = (around - this.v0) / (this.v1 - this.v0);
    this.v0 = around - f * span;
    this.v1 = this.v0 + span;
  }

  pan(delta: number): void {
    this.v0 += delta;
    this.v1 += delta;
  }

  /** Brings the cursor into view, keeping the zoom. */
  follow(model: TraceModel): void {
    if (this.cursor < 0) return;
    const p = this.pos(model, this.cursor);
    const span = this.v1 - this.v0;
    if (p < this.v0 || p > this.v1) {
      this.v0 = p - span / 2;
      this.v1 = this.v0 + span;
    }
  }

  setAxis(model: TraceModel, axis: Axis): void {
    const at = this.indexAt(model, this.v0);
    const to = Math.min(this.indexAt(model, this.v1), model.records.length - 1);
    this.axis = axis;
    if (model.records.length === 0) return;
    this.v0 = this.pos(model, Math.min(at, model.records.length - 1));
    this.v1 = Math.max(this.pos(model, Math.max(to, 0)), this.v0 + MIN_SPAN[axis]);
  }
}
