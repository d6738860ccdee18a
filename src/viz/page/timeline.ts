// Draws a trace's lanes on a canvas, grouped by host under a header row that folds them: spans as
// bars, records as marks, faults as triangles, the cursor, a highlighted record and the failure;
// in the flow view, on a time axis, the arrows between them (arrows.ts). It draws the level of
// detail (lod.ts) whose bins are a pixel wide, only for the rows scrolled into view, one path or
// run list per color: a frame costs rows shown × width, however long the trace.
import type { TraceModel } from './model.js';
import { Runs } from './runs.js';
import type { View } from './view.js';
import {
  STYLE_COLORS,
  STYLE_KIND,
  FIRST_KIND_STYLE,
  FAULT_STYLE,
  SEGMENT_STYLE,
  SPAN_COLORS,
  CURSOR_COLOR,
  DIVERGENCE_COLOR,
  KIND_BITS,
  EVENT_STYLE,
} from './colors.js';
import { summaryOf, levelFor, binCenter, SPAN_KINDS } from './lod.js';
import { lowerBound } from './search.js';
import { FlowArrows, type ArrowHit } from './arrows.js';
import { GUTTER_PX, AXIS_PX, LANE_PX, fitText, triangleAt } from './canvas.js';

/** Axis labels are at least this far apart. */
const TICK_LABEL_PX = 80;
/** Half the width a mark answers a click or hover in. */
const HIT_SLACK_PX = 5;
const EVENT_MARK_PX = 6;
const STYLES = STYLE_COLORS.length;
/** What the flow view draws of a reactor's records: events, faults, the wire. */
const FLOW_KINDS = KIND_BITS.event | KIND_BITS.fault | KIND_BITS.wire;
/** Event types (0–31) as bits, for a bin's set of types. */
const EVENT_TYPES = 32;
const FAILURE_COLOR = '#c00000';
/** Where in a lane's record list the first record at or after position `p` is. */
function firstAtOrAfter(model: TraceModel, view: View, records: number[], p: number): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (view.pos(model, records[mid]) < p) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A host's header row this frame. */
interface Header {
  host: string;
  row: number;
  lanes: number;
  collapsed: boolean;
}

export class Timeline {
  /** Screen row of each lane this frame (-1: hidden, folded or scrolled out). */
  #rows: Int32Array = new Int32Array(0);
  #headers: Header[] = [];
  /** Rows (headers and lanes) not hidden by a filter, this frame. */
  shownRows = 0;
  /** Lanes not hidden by a filter. */
  shownLanes = 0;
  /** Rows the canvas has room for. */
  rowsVisible = 1;
  /** Each lane's row counted from the top row shown (negative above, past rowsVisible below), its host's when folded; NaN: hidden. */
  #place: Float64Array = new Float64Array(0);
  readonly #arrows = new FlowArrows();
  /** The canvas's CSS size, read once per frame (each read may lay out the page). */
  #width = 0;
  #height = 0;

  constructor(readonly canvas: HTMLCanvasElement) {}

  get plotWidth(): number {
    return (this.#width || this.canvas.clientWidth) - GUTTER_PX;
  }

  /** Position (axis units) under a canvas x. */
  posAt(view: View, x: number): number {
    return view.v0 + ((x - GUTTER_PX) / this.plotWidth) * (view.v1 - view.v0);
  }

  /** Scrolls the rows so that `lane` is on screen, unfolding its host. */
  reveal(model: TraceModel, view: View, lane: number): void {
    if (lane < 0 || view.hiddenLanes.has(lane)) return;
    view.collapsedHosts.delete(model.lanes[lane].host);
    const row = this.#order(model, view).rows.get(lane) ?? 0;
    // The rows the canvas has room for now: the page may have laid out again since the last frame.
    const rows = rowsIn(this.canvas.clientHeight);
    if (row < view.laneTop) view.laneTop = row;
    else if (row >= view.laneTop + rows) view.laneTop = row - rows + 1;
  }

  /** The host whose header row is under y, or null. */
  headerAt(y: number): string | null {
    const row = Math.floor((y - AXIS_PX) / LANE_PX);
    return this.#headers.find((h) => h.row === row)?.host ?? null;
  }

  /** The shown record nearest to (x, y), within HIT_SLACK_PX, or -1. */
  hit(model: TraceModel, view: View, x: number, y: number): number {
    const row = Math.floor((y - AXIS_PX) / LANE_PX);
    const lane = row < 0 ? -1 : this.#rows.indexOf(row);
    if (lane < 0 || x < GUTTER_PX) return -1;
    const slack = (HIT_SLACK_PX / this.plotWidth) * (view.v1 - view.v0);
    const p = this.posAt(view, x);
    const records = model.laneRecords[lane];
    let best = -1;
    let bestD = Infinity;
    for (let k = firstAtOrAfter(model, view, records, p - slack); k < records.length; k++) {
      const i = records[k];
      const d = Math.abs(view.pos(model, i) - p);
      if (view.pos(model, i) > p + slack) break;
      if (!this.#drawn(model, view, i)) continue;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  /** Draws one frame. */
  draw(model: TraceModel, view: View, highlight = -1): void {
    const { canvas } = this;
    const ratio = window.devicePixelRatio || 1;
    this.#width = canvas.clientWidth;
    this.#height = Math.max(canvas.clientHeight, AXIS_PX + LANE_PX);
    this.rowsVisible = rowsIn(this.#height);
    this.#layout(model, view);
    if (canvas.height !== Math.round(this.#height * ratio) || canvas.width !== Math.round(this.#width * ratio)) {
      canvas.height = Math.round(this.#height * ratio);
      canvas.width = Math.round(this.#width * ratio);
    }
    const g = canvas.getContext('2d')!;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, this.#width, this.#height);
    this.#drawLanes(g, model);
    g.save();
    g.beginPath();
    g.rect(GUTTER_PX, 0, this.plotWidth, this.#height);
    g.clip();
    this.#drawAxis(g, view);
    if (view.mode === 'timeline') this.#drawSpans(g, model, view);
    // The lines go under the marks, so the record they point at stays visible.
    if (model.failure) this.#drawLine(g, model, view, Math.min(model.failure.at, model.records.length - 1), FAILURE_COLOR);
    this.#drawLine(g, model, view, view.cursor, CURSOR_COLOR);
    this.#drawLine(g, model, view, highlight, DIVERGENCE_COLOR);
    if (view.mode === 'flow')
      this.#arrows.draw(g, model, view, { width: this.#width, rowsVisible: this.rowsVisible, place: this.#place, rows: this.#rows });
    this.#drawMarks(g, model, view);
    g.restore();
  }

  /** Rows in order: each host's header, then its lanes by reactor; the network's last. */
  #order(
    model: TraceModel,
    view: View,
  ): { rows: Map<number, number>; folded: Map<number, number>; headers: Header[]; total: number; lanes: number } {
    const byHost = new Map<string, number[]>();
    model.lanes.forEach((lane, i) => {
      if (view.hiddenLanes.has(i)) return;
      let list = byHost.get(lane.host);
      if (!list) byHost.set(lane.host, (list = []));
      list.push(i);
    });
    const hosts = [...byHost.keys()].sort((a, b) => Number(a === 'network') - Number(b === 'network'));
    const rows = new Map<number, number>();
    const folded = new Map<number, number>();
    const headers: Header[] = [];
    let row = 0;
    let lanes = 0;
    for (const host of hosts) {
      const list = byHost.get(host)!.sort((a, b) => model.lanes[a].r - model.lanes[b].r || a - b);
      const collapsed = view.collapsedHosts.has(host);
      headers.push({ host, row, lanes: list.length, collapsed });
      lanes += list.length;
      if (collapsed) for (const lane of list) folded.set(lane, row);
      row++;
      if (!collapsed) for (const lane of list) rows.set(lane, row++);
    }
    return { rows, folded, headers, total: row, lanes };
  }

  /** Gives each lane and header its screen row. */
  #layout(model: TraceModel, view: View): void {
    const { rows, folded, headers, total, lanes } = this.#order(model, view);
    this.shownRows = total;
    this.shownLanes = lanes;
    view.laneTop = Math.max(0, Math.min(view.laneTop, total - this.rowsVisible));
    const onScreen = (row: number): number => (row - view.laneTop >= 0 && row - view.laneTop < this.rowsVisible ? row - view.laneTop : -1);
    if (this.#rows.length !== model.lanes.length) {
      this.#rows = new Int32Array(model.lanes.length);
      this.#place = new Float64Array(model.lanes.length);
    }
    this.#rows.fill(-1);
    this.#place.fill(Number.NaN);
    for (const [lane, row] of rows) {
      this.#rows[lane] = onScreen(row);
      this.#place[lane] = row - view.laneTop;
    }
    for (const [lane, row] of folded) this.#place[lane] = row - view.laneTop;
    this.#headers = headers.map((h) => ({ ...h, row: onScreen(h.row) })).filter((h) => h.row >= 0);
  }

  #x(view: View, p: number): number {
    return GUTTER_PX + ((p - view.v0) / (view.v1 - view.v0)) * (this.#width - GUTTER_PX);
  }

  #drawLanes(g: CanvasRenderingContext2D, model: TraceModel): void {
    g.textBaseline = 'middle';
    g.font = '13px system-ui, sans-serif';
    model.lanes.forEach((lane, i) => {
      const row = this.#rows[i];
      if (row < 0) return;
      const y = AXIS_PX + row * LANE_PX;
      g.fillStyle = row % 2 ? '#f3f5f8' : '#fbfcfd';
      g.fillRect(0, y, this.#width, LANE_PX);
      g.fillStyle = '#1d2430';
      g.fillText(fitText(g, lane.name, GUTTER_PX - 26), 18, y + LANE_PX / 2);
    });
    g.font = 'bold 13px system-ui, sans-serif';
    for (const h of this.#headers) {
      const y = AXIS_PX + h.row * LANE_PX;
      g.fillStyle = '#e3e8f0';
      g.fillRect(0, y, this.#width, LANE_PX);
      g.fillStyle = '#1d2430';
      g.fillText(`${h.collapsed ? '▸' : '▾'} ${h.host}  (${h.lanes} lane${h.lanes === 1 ? '' : 's'})`, 4, y + LANE_PX / 2);
    }
    g.fillStyle = '#c8ced8';
    g.fillRect(GUTTER_PX - 1, 0, 1, this.#height);
  }

  #drawAxis(g: CanvasRenderingContext2D, view: View): void {
    // The smallest 1, 2 or 5 × 10^n that keeps labels TICK_LABEL_PX apart.
    const least = ((view.v1 - view.v0) * TICK_LABEL_PX) / this.plotWidth;
    const step = 10 ** Math.floor(Math.log10(least));
    const fine = [1, 2, 5, 10].map((m) => m * step).find((t) => t >= least)!;
    const tick = view.axis === 'seq' ? Math.max(fine, 1) : fine;
    g.fillStyle = '#555';
    g.font = '12px system-ui, sans-serif';
    for (let p = Math.ceil(view.v0 / tick) * tick; p <= view.v1; p += tick) {
      const x = this.#x(view, p);
      g.fillRect(x, AXIS_PX - 6, 1, 6);
      const label = view.axis === 'seq' ? `#${Math.round(p)}` : `${+p.toFixed(3)} ms`;
      g.fillText(label, x + 3, 9);
    }
  }

  #drawSpans(g: CanvasRenderingContext2D, model: TraceModel, view: View): void {
    const summary = summaryOf(model);
    const scale = this.plotWidth / (view.v1 - view.v0);
    const k = levelFor(view.axis, 1 / scale);
    const runs = new Runs(SPAN_KINDS.length);
    this.#onScreen((lane, row) => {
      summary.spans(lane, view.axis, k).forEach((list, kind) => {
        const inset = SPAN_KINDS[kind] === 'wait' ? 3 : 6;
        // Runs are disjoint and in order: skip those that end before the view.
        let lo = 0;
        let hi = list.length / 2;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (list[2 * mid + 1] < view.v0) lo = mid + 1;
          else hi = mid;
        }
        for (let r = 2 * lo; r < list.length; r += 2) {
          const start = GUTTER_PX + (list[r] - view.v0) * scale;
          if (start > this.#width) break;
          const x0 = Math.max(start, GUTTER_PX);
          const end = GUTTER_PX + (list[r + 1] - view.v0) * scale;
          runs.add(kind, x0, Math.min(Math.max(end, x0 + 1), this.#width), AXIS_PX + row * LANE_PX + inset, LANE_PX - 2 * inset);
        }
      });
      runs.flush();
    });
    runs.fill(
      g,
      SPAN_KINDS.map((what) => SPAN_COLORS[what]),
      SPAN_KINDS.map((_, i) => i),
    );
  }

  /** Calls `draw` for each lane on screen, with its row. */
  #onScreen(draw: (lane: number, row: number) => void): void {
    for (let lane = 0; lane < this.#rows.length; lane++) if (this.#rows[lane] >= 0) draw(lane, this.#rows[lane]);
  }

  /** Whether record i is drawn in this view (its kind, its event type, the view's mode). */
  #drawn(model: TraceModel, view: View, i: number): boolean {
    const s = model.style[i];
    const kinds = view.mode === 'flow' ? view.kindMask & FLOW_KINDS : view.kindMask;
    return (STYLE_KIND[s] & kinds) !== 0 && (s >= FIRST_KIND_STYLE || (model.typeOf[i] & view.eventMask) !== 0);
  }

  #drawMarks(g: CanvasRenderingContext2D, model: TraceModel, view: View): void {
    const summary = summaryOf(model);
    const { axis } = view;
    const scale = this.plotWidth / (view.v1 - view.v0);
    const k = levelFor(axis, 1 / scale);
    const kinds = view.mode === 'flow' ? view.kindMask & FLOW_KINDS : view.kindMask;
    // The bins' bits this view shows: event types its filter lets through, other styles by kind.
    let types = 0;
    if (kinds & KIND_BITS.event) for (let t = 0; t < EVENT_TYPES; t++) if (t & view.eventMask) types |= 1 << t;
    let styles = 0;
    for (let s = FIRST_KIND_STYLE; s < STYLES; s++) if (STYLE_KIND[s] & kinds) styles |= 1 << s;
    const runs = new Runs(STYLES);
    const faults = new Path2D();
    const first = Math.floor(view.v0 / 2 ** k);
    this.#onScreen((lane, row) => {
      const marks = summary.marks(lane, axis, k);
      const y = AXIS_PX + row * LANE_PX;
      let lastFault = -Infinity;
      for (let b = lowerBound(marks.bins, marks.count, first); b < marks.count; b++) {
        const p = binCenter(axis, k, marks.bins[b]);
        if (p > view.v1) break;
        const x = GUTTER_PX + (p - view.v0) * scale;
        for (let bits = (marks.events[b] & types) >>> 0; bits !== 0; ) {
          const t = 31 - Math.clz32(bits);
          bits = (bits & ~(1 << t)) >>> 0;
          runs.add(EVENT_STYLE[t], x - EVENT_MARK_PX / 2, x + EVENT_MARK_PX / 2, y + 4, LANE_PX - 8);
        }
        for (let bits = marks.kinds[b] & styles; bits !== 0; ) {
          const s = 31 - Math.clz32(bits);
          bits &= ~(1 << s);
          if (s === FAULT_STYLE) {
            if (x - lastFault >= 2) triangleAt(faults, x, y);
            lastFault = x;
          } else if (s >= SEGMENT_STYLE) runs.add(s, x - 2, x + 3, y + LANE_PX / 2 - 2, 5);
          else runs.add(s, x, x + 2, y + (s === FIRST_KIND_STYLE ? 1 : s === FIRST_KIND_STYLE + 1 ? LANE_PX - 7 : LANE_PX - 4), 3);
        }
      }
      runs.flush();
    });
    // Calls, requests and results first: event marks stay on top, the most telling last.
    runs.fill(g, STYLE_COLORS, [...STYLE_COLORS.keys()].reverse());
    g.fillStyle = STYLE_COLORS[FAULT_STYLE];
    g.fill(faults);
  }

  /** The arrow drawn last frame under (x, y), in the flow view (arrows.ts). */
  arrowAt(model: TraceModel, view: View, x: number, y: number): ArrowHit | null {
    return this.#arrows.at(model, view, x, y);
  }

  #drawLine(g: CanvasRenderingContext2D, model: TraceModel, view: View, at: number, color: string): void {
    if (at < 0 || at >= model.records.length) return;
    const x = this.#x(view, view.pos(model, at));
    g.fillStyle = color;
    g.fillRect(x - 1, 0, 2, this.#height);
  }
}

/** Lane rows a canvas `height` px tall has room for under the axis. */
function rowsIn(height: number): number {
  return Math.max(1, Math.floor((height - AXIS_PX) / LANE_PX));
}
