// Draws a trace's lanes on a canvas: spans as bars, records as marks, faults as triangles, the
// cursor and a highlighted record. Marks landing on a pixel already drawn in the same lane and
// color are skipped, so a frame costs at most lanes × width × colors draws however long the trace.
import type { TraceModel } from './model.js';
import type { View } from './view.js';
import { eventColor, SPAN_COLORS, KIND_COLORS, CURSOR_COLOR, DIVERGENCE_COLOR } from './colors.js';

export const GUTTER_PX = 190;
export const AXIS_PX = 18;
export const LANE_PX = 18;
const COLOR_SLOTS = 16;

export class Timeline {
  /** Screen row of each lane this frame (-1: hidden). */
  #rows: number[] = [];

  constructor(readonly canvas: HTMLCanvasElement) {}

  get plotWidth(): number {
    return this.canvas.clientWidth - GUTTER_PX;
  }

  /** Position (axis units) under a canvas x. */
  posAt(view: View, x: number): number {
    return view.v0 + ((x - GUTTER_PX) / this.plotWidth) * (view.v1 - view.v0);
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

  /** Draws one frame; returns the lanes shown. */
  draw(model: TraceModel, view: View, highlight = -1): number {
    const { canvas } = this;
    const ratio = window.devicePixelRatio || 1;
    this.#rows = model.lanes.map(() => -1);
    let shown = 0;
    model.lanes.forEach((_, lane) => { if (!view.hiddenLanes.has(lane)) this.#rows[lane] = shown++; });
    const cssHeight = AXIS_PX + shown * LANE_PX + 4;
    if (canvas.height !== Math.round(cssHeight * ratio) || canvas.width !== Math.round(canvas.clientWidth * ratio)) {
      canvas.style.height = `${cssHeight}px`;
      canvas.height = Math.round(cssHeight * ratio);
      canvas.width = Math.round(canvas.clientWidth * ratio);
    }
    const g = canvas.getContext('2d')!;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, canvas.clientWidth, cssHeight);
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
    return shown;
  }

  #x(view: View, p: number): number {
    return GUTTER_PX + ((p - view.v0) / (view.v1 - view.v0)) * this.plotWidth;
  }

  #drawLanes(g: CanvasRenderingContext2D, model: TraceModel, height: number): void {
    g.font = '11px monospace';
    g.textBaseline = 'middle';
    model.lanes.forEach((lane, i) => {
      const row = this.#rows[i];
      if (row < 0) return;
      const y = AXIS_PX + row * LANE_PX;
      g.fillStyle = row % 2 ? '#f4f4f4' : '#fbfbfb';
      g.fillRect(0, y, this.canvas.clientWidth, LANE_PX);
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
    const lastPx = new Float64Array(model.lanes.length).fill(-1);
    const last = model.records.length - 1;
    for (const span of model.spans) {
      const row = this.#rows[span.lane];
      if (row === undefined || row < 0) continue;
      const x0 = this.#x(view, view.pos(model, span.start));
      const x1 = this.#x(view, view.pos(model, span.end < 0 ? last : span.end));
      if (x1 < GUTTER_PX || x0 > this.canvas.clientWidth) continue;
      const px = Math.floor(x0);
      if (x1 - x0 < 1 && px === lastPx[span.lane]) continue;
      lastPx[span.lane] = px;
      g.fillStyle = SPAN_COLORS[span.what];
      const inset = span.what === 'wait' ? 2 : 4;
      g.fillRect(x0, AXIS_PX + row * LANE_PX + inset, Math.max(x1 - x0, 1), LANE_PX - 2 * inset);
    }
  }

  #drawMarks(g: CanvasRenderingContext2D, model: TraceModel, view: View): void {
    const lastPx = new Int32Array(model.lanes.length * COLOR_SLOTS).fill(-1);
    const slots = new Map<string, number>();
    const to = Math.min(view.indexAt(model, view.v1) + 1, model.records.length);
    for (let i = view.indexAt(model, view.v0); i < to; i++) {
      if (!view.shows(model, i)) continue;
      const rec = model.records[i];
      const lane = model.laneOf[i];
      const color = rec.k === 'event' ? eventColor(rec.type) : KIND_COLORS[rec.k as keyof typeof KIND_COLORS];
      let slot = slots.get(color);
      if (slot === undefined) { slot = slots.size % COLOR_SLOTS; slots.set(color, slot); }
      const x = this.#x(view, view.pos(model, i));
      const px = Math.floor(x);
      if (lastPx[lane * COLOR_SLOTS + slot] === px) continue;
      lastPx[lane * COLOR_SLOTS + slot] = px;
      const y = AXIS_PX + this.#rows[lane] * LANE_PX;
      g.fillStyle = color;
      if (rec.k === 'event') g.fillRect(x - 1, y + 2, 3, LANE_PX - 4);
      else if (rec.k === 'fault') this.#triangle(g, x, y);
      else g.fillRect(x, rec.k === 'call' ? y + 1 : rec.k === 'request' ? y + LANE_PX - 5 : y + LANE_PX - 3, 1, 3);
    }
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
