// Draws one reactor's counters under the timeline, on the same axis: pool in use against its
// capacity, ready-queue depth, bytes in flight. Each pixel column shows the largest sample in it.
import type { CounterRecord } from '../../trace/format.js';
import type { TraceModel } from './model.js';
import type { View } from './view.js';
import { GUTTER_PX } from './timeline.js';
import { CURSOR_COLOR } from './colors.js';

const ROW_PX = 34;
const SERIES: { name: string; color: string; value: (c: CounterRecord) => number; scale: (c: CounterRecord, max: number) => number }[] = [
  { name: 'pool in use', color: '#2f6fd6', value: (c) => c.poolInUse, scale: (c) => c.poolSize },
  { name: 'ready queue', color: '#2e9e44', value: (c) => c.readyQueued, scale: (_c, max) => max },
  { name: 'bytes in flight', color: '#9b3fd1', value: (c) => c.bytesInFlight, scale: (_c, max) => max },
];

export class CounterChart {
  constructor(readonly canvas: HTMLCanvasElement) {}

  draw(model: TraceModel, view: View, r: number): void {
    const ratio = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth;
    const height = ROW_PX * SERIES.length;
    if (this.canvas.width !== Math.round(width * ratio)) {
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
      this.canvas.style.height = `${height}px`;
    }
    const g = this.canvas.getContext('2d')!;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const plot = width - GUTTER_PX;
    const at = this.#visible(model, view, r);
    const samples = at.map((i) => model.records[i] as CounterRecord);
    SERIES.forEach((series, row) => {
      const top = row * ROW_PX;
      g.fillStyle = row % 2 ? '#f4f4f4' : '#fbfbfb';
      g.fillRect(0, top, width, ROW_PX);
      const max = samples.reduce((m, c) => Math.max(m, series.value(c)), 1);
      const columns = new Float64Array(plot).fill(-1);
      for (let s = 0; s < samples.length; s++) {
        const c = samples[s];
        const x = Math.floor(((view.pos(model, at[s]) - view.v0) / (view.v1 - view.v0)) * plot);
        if (x >= 0 && x < plot) columns[x] = Math.max(columns[x], series.value(c) / Math.max(series.scale(c, max), 1));
      }
      g.fillStyle = series.color;
      let level = samples.length > 0 ? series.value(samples[0]) / Math.max(series.scale(samples[0], max), 1) : 0;
      for (let x = 0; x < plot; x++) {
        if (columns[x] >= 0) level = columns[x];
        const h = Math.round(level * (ROW_PX - 8));
        g.fillRect(GUTTER_PX + x, top + ROW_PX - 2 - h, 1, Math.max(h, level > 0 ? 1 : 0));
      }
      g.fillStyle = '#222';
      g.font = '11px monospace';
      g.textBaseline = 'middle';
      const cap = series.name === 'pool in use' && samples[0] ? ` / ${samples[0].poolSize}` : ` (max ${max})`;
      g.fillText(`${series.name}${cap}`, 4, top + ROW_PX / 2);
    });
    if (view.cursor >= 0) {
      const x = GUTTER_PX + ((view.pos(model, view.cursor) - view.v0) / (view.v1 - view.v0)) * plot;
      g.fillStyle = CURSOR_COLOR;
      g.fillRect(x - 1, 0, 2, height);
    }
  }

  /** Record indexes of reactor r's samples in view, after the one before it (the opening level). */
  #visible(model: TraceModel, view: View, r: number): number[] {
    const from = view.indexAt(model, view.v0);
    const to = view.indexAt(model, view.v1);
    const out: number[] = [];
    const before = model.counterIndexAt(from - 1, r);
    if (before >= 0) out.push(before);
    for (let c = model.counterSlot(from); c < model.counters.length && model.counters[c] <= to; c++) {
      if (model.records[model.counters[c]].r === r) out.push(model.counters[c]);
    }
    return out;
  }
}
