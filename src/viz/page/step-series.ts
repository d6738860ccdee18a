// Series that hold their value from one sample to the next (a reactor's counters, the bytes on
// the wire), summarised per bin of power-of-two width (lod.ts's levels): the largest value each
// series takes in a bin and the one it leaves it with, so a frame reads a pixel column's peak
// without visiting the samples.
import { lowerBound } from './search.js';

/** Levels of detail kept (per series here, per axis and width in lod.ts); zooming through more drops the oldest. */
export const LEVELS_KEPT = 6;

interface Level {
  count: number;
  bins: Float64Array;
  /** Per series, per bin. */
  max: Float64Array[];
  last: Float64Array[];
}

/** What a view shows of the series, per pixel column. */
export interface Columns {
  /** Per series: each column's peak, or the value carried into it when no sample falls in it. */
  columns: Float64Array[];
  /** Per series: the largest sample in view. */
  peak: number[];
  /** Per series: the value at the view's right edge. */
  closing: number[];
}

export class StepSeries {
  readonly #levels = new Map<number, Level>();

  /** `positions` ascending; `values[s][i]`: series s from sample i on. */
  constructor(
    readonly positions: Float64Array,
    readonly values: Float64Array[],
  ) {}

  columns(v0: number, v1: number, plot: number, k: number): Columns {
    const { positions, values } = this;
    const width = 2 ** k;
    const scale = plot / (v1 - v0);
    const level = this.#level(k);
    const before = lowerBound(positions, positions.length, v0) - 1;
    const carried = values.map((v) => (before >= 0 ? v[before] : 0));
    const columns = values.map(() => new Float64Array(plot));
    const peak = values.map(() => 0);
    let x = 0;
    for (let b = lowerBound(level.bins, level.count, Math.floor(v0 / width)); b < level.count; b++) {
      const col = Math.floor((level.bins[b] * width - v0) * scale);
      if (col >= plot) break;
      for (let s = 0; s < values.length; s++) {
        if (col >= 0) {
          for (let c = x; c < col; c++) columns[s][c] = carried[s];
          const max = level.max[s][b];
          columns[s][col] = col < x ? Math.max(columns[s][col], max) : max;
          if (max > peak[s]) peak[s] = max;
        }
        carried[s] = level.last[s][b];
      }
      if (col >= 0) x = col + 1;
    }
    for (let s = 0; s < values.length; s++) for (let c = x; c < plot; c++) columns[s][c] = carried[s];
    return { columns, peak, closing: carried };
  }

  #level(k: number): Level {
    let level = this.#levels.get(k);
    if (level) return level;
    const { positions, values } = this;
    const width = 2 ** k;
    const n = positions.length;
    level = {
      count: 0,
      bins: new Float64Array(n),
      max: values.map(() => new Float64Array(n)),
      last: values.map(() => new Float64Array(n)),
    };
    let bin = NaN;
    for (let i = 0; i < n; i++) {
      const b = Math.floor(positions[i] / width);
      const fresh = b !== bin;
      if (fresh) {
        bin = b;
        level.bins[level.count++] = b;
      }
      const at = level.count - 1;
      for (let s = 0; s < values.length; s++) {
        const v = values[s][i];
        if (fresh || v > level.max[s][at]) level.max[s][at] = v;
        level.last[s][at] = v;
      }
    }
    if (this.#levels.size >= LEVELS_KEPT) this.#levels.delete(this.#levels.keys().next().value!);
    this.#levels.set(k, level);
    return level;
  }
}
