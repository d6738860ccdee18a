// Draws one reactor's counters under the timeline, on the same axis: pool in use against its
// capacity, ready-queue depth, bytes in flight; and, for a simulated run, the bytes on the wire
// between all hosts. Each pixel column shows the largest sample in it.
import type { CounterRecord, SegmentRecord } from '../../trace/format.js';
import type { TraceModel } from './model.js';
import type { View } from './view.js';
import { GUTTER_PX } from './timeline.js';
import { CURSOR_COLOR } from './colors.js';

const ROW_PX = 34;
const WIRE_COLOR = '#0f8a8a';
const SERIES: { name: string; color: string; value: (c: CounterRecord) => number }[] = [
  { name: 'pool in use', color: '#2f6fd6', value: (c) => c.poolInUse },
  { name: 'ready queue', color: '#2e9e44', value: (c) => c.readyQueued },
  { name: 'bytes in flight', color: '#9b3fd1', value: (c) => c.bytesInFlight },
];

export class CounterChart {
  constructor(readonly canvas: HTMLCanvasElement) {}

  draw(model: TraceModel, view: View, r: number): void {
    const ratio = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth;
    const rows = SERIES.length + (model.arrows.length > 0 ? 1 : 0);
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
    const plot = Math.max(width - GUTTER_PX, 1);
    const { columns, opening, max, capacity } = this.#sample(model, view, r, plot);
    SERIES.forEach((series, row) => {
      const top = row * ROW_PX;
      g.fillStyle = row % 2 ? '#f4f4f4' : '#fbfbfb';
      g.fillRect(0, top, width, ROW_PX);
      // The pool is drawn against its capacity, the others against their largest value in view.
      const scale = row === 0 ? Math.max(capacity, 1) : Math.max(max[row], 1);
      g.fillStyle = series.color;
      let level = opening[row];
      for (let x = 0; x < plot; x++) {
        const v = columns[x * SERIES.length + row];
        if (v >= 0) level = v;
        const h = Math.round((level / scale) * (ROW_PX - 8));
        if (level > 0) g.fillRect(GUTTER_PX + x, top + ROW_PX - 2 - Math.max(h, 1), 1, Math.max(h, 1));
      }
      g.fillStyle = '#222';
      g.textBaseline = 'middle';
      g.fillText(`${series.name}${row === 0 ? ` / ${capacity}` : ` (max ${max[row]})`}`, 4, top + ROW_PX / 2);
    });
    if (rows > SERIES.length) this.#drawWire(g, model, view, SERIES.length * ROW_PX, width, plot);
    if (view.cursor >= 0) {
      const x = GUTTER_PX + ((view.pos(model, view.cursor) - view.v0) / (view.v1 - view.v0)) * plot;
      g.fillStyle = CURSOR_COLOR;
      g.fillRect(x - 1, 0, 2, height);
    }
  }

  /** Bytes on the wire, all hosts: each segment counts from its send to its arrival. */
  #drawWire(g: CanvasRenderingContext2D, model: TraceModel, view: View, top: number, width: number, plot: number): void {
    const scale = plot / (view.v1 - view.v0);
    // Changes per pixel column (a difference array), summed left to right.
    const delta = new Float64Array(plot + 1);
    let opening = 0;
    const col = (t: number): number => Math.floor((t - view.v0) * scale);
    for (let a = model.firstArrowAfter(view.v0 - model.longestArrowMs); a < model.arrows.length; a++) {
      const seg = model.records[model.arrows[a].from] as SegmentRecord;
      if (seg.t > view.v1) break;
      if (seg.at <= view.v0 || seg.bytes === 0) continue;
      const from = col(seg.t);
      if (from < 0) opening += seg.bytes; else delta[from] += seg.bytes;
      const to = col(seg.at);
      if (to <= plot) delta[Math.max(to, 0)] -= seg.bytes;
    }
    const levels = new Float64Array(plot);
    let level = opening;
    let max = 0;
    for (let x = 0; x < plot; x++) {
      level += delta[x];
      levels[x] = level;
      if (level > max) max = level;
    }
    g.fillStyle = '#fbfbfb';
    g.fillRect(0, top, width, ROW_PX);
    g.fillStyle = WIRE_COLOR;
    for (let x = 0; x < plot; x++) {
      if (levels[x] <= 0) continue;
      const h = Math.max(1, Math.round((levels[x] / Math.max(max, 1)) * (ROW_PX - 8)));
      g.fillRect(GUTTER_PX + x, top + ROW_PX - 2 - h, 1, h);
    }
    g.fillStyle = '#222';
    g.fillText(`bytes on the wire (max ${Math.round(max)})`, 4, top + ROW_PX / 2);
  }

  /** One pass over reactor r's samples in view: the largest per pixel column and series. */
  #sample(model: TraceModel, view: View, r: number, plot: number) {
    const columns = new Float64Array(plot * SERIES.length).fill(-1);
    const max = SERIES.map(() => 0);
    const from = view.indexAt(model, view.v0);
    const to = view.indexAt(model, view.v1);
    const before = model.counterIndexAt(from - 1, r);
    const first = before >= 0 ? (model.records[before] as CounterRecord) : null;
    const opening = SERIES.map((s) => (first ? s.value(first) : 0));
    let capacity = first?.poolSize ?? 0;
    const scale = plot / (view.v1 - view.v0);
    for (let c = model.counterSlot(from); c < model.counters.length && model.counters[c] <= to; c++) {
      const i = model.counters[c];
      const rec = model.records[i] as CounterRecord;
      if (rec.r !== r) continue;
      capacity = rec.poolSize;
      const x = Math.floor((view.pos(model, i) - view.v0) * scale);
      for (let s = 0; s < SERIES.length; s++) {
        const v = SERIES[s].value(rec);
        if (v > max[s]) max[s] = v;
        if (x >= 0 && x < plot && v > columns[x * SERIES.length + s]) columns[x * SERIES.length + s] = v;
      }
    }
    return { columns, opening, max, capacity };
  }
}
