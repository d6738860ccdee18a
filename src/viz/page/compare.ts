// Two runs compared record by record: where they first differ.
import type { TraceModel } from './model.js';

/** The index of the first record that differs between a and b (or where one ends), or -1. */
export function firstDivergence(a: TraceModel, b: TraceModel): number {
  const n = Math.min(a.records.length, b.records.length);
  for (let i = 0; i < n; i++) {
    if (JSON.stringify(a.records[i]) !== JSON.stringify(b.records[i])) return i;
  }
  return a.records.length === b.records.length ? -1 : n;
}
