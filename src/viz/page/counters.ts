// Draws one reactor's counters under the timeline, on the same axis: pool in use against its
// capacity, ready-queue depth, bytes in flight; and, for a simulated run, the bytes on the wire
// between all hosts. Each pixel column shows the largest sample in it (lod.ts's bins a pixel wide).
import type { TraceModel } from './model.js';
import type { View } from './view.js';
import { GUTTER_PX } from './canvas.js';
import { CURSOR_COLOR } from './colors.js';
import { summaryOf, levelFor } from './lod.js';

const ROW_PX = 34;
const WIRE_COLOR = '#0f8a8a';
/** The rows, in the order of lod.ts's COUNTER_SERIES (whose last, the pool's size, scales the first). */
const SERIES: { name: string; color: string }[] = [
  { name: 'pool in use', color: '#2f6fd6' },
  { name: 'ready queue', color: '#2e9e44' },
  { name: 'bytes in flight', color: '#9b3fd1' },
];
const POOL_SIZE = SERIES.length;

export class CounterChart {
  constructor(readonly canvas: HTMLCanvasElement) {}

  draw(model: TraceModel, view: View, r: number): void {
    const ratio = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth;
    const rows = SERIES.length + (model.wireArrivals ? 1 : 0);
    const height = ROW_PX * rows;
    if (this.canvas.width !== Math.round(width * ratio) || this.canvas.height !== Math.round(height * ratio)) {
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
      this.canvas.style.height = `${height}px`;
    }
    const g = this.canvas.getContext('2d')!;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    g.font = '12px system-ui, sans-serif';
    g.textBaseline = 'middle';
    const plot = Math.max(width - GUTTER_PX, 1);
    const summary = summaryOf(model);
    const k = levelFor(view.axis, (view.v1 - view.v0) / plot);
    const { columns, peak, closing } = summary.counters(r, view.axis).columns(view.v0, view.v1, plot, k);
    const capacity = closing[POOL_SIZE];
    SERIES.forEach((series, row) => {
      // The pool is drawn against its capacity, the others against their largest value in view.
      const scale = row === 0 ? Math.max(capacity, 1) : Math.max(peak[row], 1);
      this.#bars(g, columns[row], row * ROW_PX, width, scale, series.color, row % 2 ? '#f4f4f4' : '#fbfbfb');
      g.fillStyle = '#222';
      g.fillText(`${series.name}${row === 0 ? ` / ${capacity}` : ` (max ${peak[row]})`}`, 4, row * ROW_PX + ROW_PX / 2);
    });
    if (rows > SERIES.length) {
      const wire = summary.wire(view.axis).columns(view.v0, view.v1, plot, k);
      const top = SERIES.length * ROW_PX;
      this.#bars(g, wire.columns[0], top, width, Math.max(wire.peak[0], 1), WIRE_COLOR, '#fbfbfb');
      g.fillStyle = '#222';
      g.fillText(`bytes on the wire (max ${Math.round(wire.peak[0])})`, 4, top + ROW_PX / 2);
    }
    if (view.cursor >= 0) {
      const x = GUTTER_PX + ((view.pos(model, view.cursor) - view.v0) / (view.v1 - view.v0)) * plot;
      g.fillStyle = CURSOR_COLOR;
      g.fillRect(x - 1, 0, 2, height);
    }
  }

  /** One row: a bar per pixel column, its height the column's value against `scale`. */
  #bars(
    g: CanvasRenderingContext2D,
    values: Float64Array,
    top: number,
    width: number,
    scale: number,
    color: string,
    background: string,
  ): void {
    g.fillStyle = background;
    g.fillRect(0, top, width, ROW_PX);
    const bars = new Path2D();
    for (let x = 0; x < values.length; x++) {
      if (values[x] <= 0) continue;
      const h = Math.max(1, Math.round((values[x] / scale) * (ROW_PX - 8)));
      bars.rect(GUTTER_PX + x, top + ROW_PX - 2 - h, 1, h);
    }
    g.fillStyle = color;
    g.fill(bars);
  }
}
