// Draws a trace's lanes on a canvas: spans as bars, records as marks, faults as triangles, the
// cursor and a highlighted record. Marks landing on a pixel already drawn in the same lane and
// color are skipped, and only the lanes scrolled into view are drawn, so a frame costs at most
// lanes shown × width × colors draws however long the trace.
import type { TraceModel } from './model.js';
import type { Span } from './span.js';
import { Runs } from './runs.js';
import type { View } from './view.js';
import { STYLE_COLORS, STYLE_KIND, FIRST_KIND_STYLE, SPAN_COLORS, CURSOR_COLOR, DIVERGENCE_COLOR } from './colors.js';

export const GUTTER_PX = 190;
export const AXIS_PX = 18;
export const LANE_PX = 18;
/** Lanes on screen at once; more scroll (shift+wheel, PageUp/PageDown). */
export const LANES_VISIBLE_MAX = 32;
const STYLES = STYLE_COLORS.length;
const FAULT_STYLE = STYLE_COLORS.length - 2;
const SPAN_KINDS: Span['what'][] = ['wait', 'accept', 'recv', 'send'];

/** Where in a lane's record list the first record at or after position `p` is. */
function firstAtOrAfter(model: TraceModel, view: View, records: number[], p: number): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (view.pos(model, records[mid]) < p) lo = mid + 1; else hi = mid;
  }
  return lo;
}

export class Timeline {
  /** Screen row of each lane this frame (-1: hidden or scrolled out). */
  #rows: Int32Array = new Int32Array(0);
  /** Lanes not hidden by a filter, this frame. */
  shownLanes = 0;
  /** The canvas's CSS width, read once per frame (each read of clientWidth may lay out the page). */
  #width = 0;

  constructor(readonly canvas: HTMLCanvasElement) {}

  get plotWidth(): number {
    return (this.#width || this.canvas.clientWidth) - GUTTER_PX;
  }

  /** Position (axis units) under a canvas x. */
  posAt(view: View, x: number): number {
    return view.v0 + ((x - GUTTER_PX) / this.plotWidth) * (view.v1 - view.v0);
  }

  /** Scrolls the lanes so that `lane` is on screen. */
  reveal(view: View, lane: number): void {
    if (lane < 0 || view.hiddenLanes.has(lane)) return;
    let shown = 0;
    for (let l = 0; l < lane; l++) if (!view.hiddenLanes.has(l)) shown++;
    if (shown < view.laneTop) view.laneTop = shown;
    else if (shown >= view.laneTop + LANES_VISIBLE_MAX) view.laneTop = shown - LANES_VISIBLE_MAX + 1;
  }

  /** The shown record nearest to (x, y), within a few pixels, or -1. */
  hit(model: TraceModel, view: View, x: number, y: number): number {
    const row = Math.floor((y - AXIS_PX) / LANE_PX);
    const lane = this.#rows.indexOf(row);
    if (lane < 0 || x < GUTTER_PX) return -1;
    const slack = (6 / this.plotWidth) * (view.v1 - view.v0);
    const p = this.posAt(view, x);
    let best = -1;
    let bestD = Infinity;
    const to = Math.min(view.indexAt(model, p + slack + 1e-9), model.records.length);
    for (let i = view.indexAt(model, p - slack); i < to; i++) {
      if (model.laneOf[i] !== lane || !view.shows(model, i)) continue;
      const d = Math.abs(view.pos(model, i) - p);
      if (d < bestD) { bestD = d; best = i; }
    }
    return best;
  }

  /** Draws one frame. */
  draw(model: TraceModel, view: View, highlight = -1): void {
    const { canvas } = this;
    const ratio = window.devicePixelRatio || 1;
    this.#width = canvas.clientWidth;
    const visible = this.#layout(model, view);
    const cssHeight = AXIS_PX + visible * LANE_PX + 4;
    if (canvas.height !== Math.round(cssHeight * ratio) || canvas.width !== Math.round(this.#width * ratio)) {
      canvas.style.height = `${cssHeight}px`;
      canvas.height = Math.round(cssHeight * ratio);
      canvas.width = Math.round(this.#width * ratio);
    }
    const g = canvas.getContext('2d')!;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, this.#width, cssHeight);
    this.#drawLanes(g, model, cssHeight);
    g.save();
    g.beginPath();
    g.rect(GUTTER_PX, 0, this.plotWidth, cssHeight);
    g.clip();
    this.#drawAxis(g, view);
    this.#drawSpans(g, model, view);
    // The lines go under the marks, so the record they point at stays visible.
    this.#drawLine(g, model, view, view.cursor, CURSOR_COLOR, cssHeight);
    this.#drawLine(g, model, view, highlight, DIVERGENCE_COLOR, cssHeight);
    this.#drawMarks(g, model, view);
    g.restore();
  }

  /** Gives each lane its screen row; returns how many rows are on screen. */
  #layout(model: TraceModel, view: View): number {
    const lanes = model.lanes.length;
    if (this.#rows.length !== lanes) this.#rows = new Int32Array(lanes);
    let shown = 0;
    for (let lane = 0; lane < lanes; lane++) if (!view.hiddenLanes.has(lane)) shown++;
    this.shownLanes = shown;
    view.laneTop = Math.max(0, Math.min(view.laneTop, shown - LANES_VISIBLE_MAX));
    let n = 0;
    for (let lane = 0; lane < lanes; lane++) {
      if (view.hiddenLanes.has(lane)) { this.#rows[lane] = -1; continue; }
      const row = n++ - view.laneTop;
      this.#rows[lane] = row >= 0 && row < LANES_VISIBLE_MAX ? row : -1;
    }
    return Math.min(shown, LANES_VISIBLE_MAX);
  }

  #x(view: View, p: number): number {
    return GUTTER_PX + ((p - view.v0) / (view.v1 - view.v0)) * (this.#width - GUTTER_PX);
  }

  #drawLanes(g: CanvasRenderingContext2D, model: TraceModel, height: number): void {
    g.font = '11px monospace';
    g.textBaseline = 'middle';
    model.lanes.forEach((lane, i) => {
      const row = this.#rows[i];
      if (row < 0) return;
      const y = AXIS_PX + row * LANE_PX;
      g.fillStyle = row % 2 ? '#f4f4f4' : '#fbfbfb';
      g.fillRect(0, y, this.#width, LANE_PX);
      g.fillStyle = '#222';
      g.fillText(lane.name.slice(0, 28), 4, y + LANE_PX / 2);
    });
    g.fillStyle = '#ccc';
    g.fillRect(GUTTER_PX - 1, 0, 1, height);
  }

  #drawAxis(g: CanvasRenderingContext2D, view: View): void {
    const span = view.v1 - view.v0;
    const step = 10 ** Math.floor(Math.log10(span / 5));
    const tick = span / step > 25 ? step * 5 : span / step > 10 ? step * 2 : step;
    g.fillStyle = '#666';
    g.font = '10px monospace';
    for (let p = Math.ceil(view.v0 / tick) * tick; p <= view.v1; p += tick) {
      const x = this.#x(view, p);
      g.fillRect(x, AXIS_PX - 5, 1, 5);
      const label = view.axis === 'seq' ? `#${Math.round(p)}` : `${+p.toFixed(3)} ms`;
      g.fillText(label, x + 2, 7);
    }
  }

  #drawSpans(g: CanvasRenderingContext2D, model: TraceModel, view: View): void {
    const last = model.records.length - 1;
    const runs = new Runs(SPAN_KINDS.length);
    this.#onScreen((lane, row) => {
      for (const s of model.laneSpans[lane]) {
        const span = model.spans[s];
        const start = this.#x(view, view.pos(model, span.start));
        if (start > this.#width) break;
        const end = this.#x(view, view.pos(model, span.end < 0 ? last : span.end));
        if (end < GUTTER_PX) continue;
        const x0 = Math.max(start, GUTTER_PX);
        const inset = span.what === 'wait' ? 2 : 4;
        runs.add(SPAN_KINDS.indexOf(span.what), x0, Math.min(Math.max(end, x0 + 1), this.#width), AXIS_PX + row * LANE_PX + inset, LANE_PX - 2 * inset);
      }
      runs.flush();
    });
    runs.fill(g, SPAN_KINDS.map((what) => SPAN_COLORS[what]), SPAN_KINDS.map((_, i) => i));
  }

  /** Calls `draw` for each lane on screen, with its row. */
  #onScreen(draw: (lane: number, row: number) => void): void {
    for (let lane = 0; lane < this.#rows.length; lane++) if (this.#rows[lane] >= 0) draw(lane, this.#rows[lane]);
  }

  #drawMarks(g: CanvasRenderingContext2D, model: TraceModel, view: View): void {
    const { style, typeOf } = model;
    const { kindMask, eventMask } = view;
    const scale = (this.#width - GUTTER_PX) / (view.v1 - view.v0);
    const runs = new Runs(STYLES);
    const faults: number[] = [];
    this.#onScreen((lane, row) => {
      const records = model.laneRecords[lane];
      const y = AXIS_PX + row * LANE_PX;
      for (let k = firstAtOrAfter(model, view, records, view.v0); k < records.length; k++) {
        const i = records[k];
        const p = view.pos(model, i);
        if (p > view.v1) break;
        const s = style[i];
        if ((STYLE_KIND[s] & kindMask) === 0 || (s < FIRST_KIND_STYLE && (typeOf[i] & eventMask) === 0)) continue;
        const x = GUTTER_PX + (p - view.v0) * scale;
        if (s < FIRST_KIND_STYLE) runs.add(s, x - 1, x + 2, y + 2, LANE_PX - 4);
        else if (s === FAULT_STYLE) faults.push(x, y);
        else runs.add(s, x, x + 1, y + (s === FIRST_KIND_STYLE ? 1 : s === FIRST_KIND_STYLE + 1 ? LANE_PX - 5 : LANE_PX - 3), 3);
      }
      runs.flush();
    });
    // Calls, requests and results first: event marks stay on top, the most telling last.
    runs.fill(g, STYLE_COLORS, [...STYLE_COLORS.keys()].reverse());
    g.fillStyle = STYLE_COLORS[FAULT_STYLE];
    for (let f = 0; f < faults.length; f += 2) this.#triangle(g, faults[f], faults[f + 1]);
  }

  #triangle(g: CanvasRenderingContext2D, x: number, y: number): void {
    g.beginPath();
    g.moveTo(x - 5, y + 1);
    g.lineTo(x + 5, y + 1);
    g.lineTo(x, y + LANE_PX - 2);
    g.closePath();
    g.fill();
  }

  #drawLine(g: CanvasRenderingContext2D, model: TraceModel, view: View, at: number, color: string, height: number): void {
    if (at < 0 || at >= model.records.length) return;
    const x = this.#x(view, view.pos(model, at));
    g.fillStyle = color;
    g.fillRect(x - 1, 0, 2, height);
  }
}
