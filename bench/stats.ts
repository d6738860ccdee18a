// Small statistics for the benchmark.

const finiteSorted = (values: number[]): number[] => values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);

export function median(values: number[]): number {
  const v = finiteSorted(values);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** The smallest and largest finite value ([NaN, NaN] when none): the spread of a few rounds, where quartiles mean little. */
export function range(values: number[]): [number, number] {
  const v = finiteSorted(values);
  return v.length === 0 ? [NaN, NaN] : [v[0], v[v.length - 1]];
}
