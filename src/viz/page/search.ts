// Binary search over ascending numbers: the page finds what is in view this way, never by a scan.

/** The lowest index in ascending `values[0..count)` whose value is at least `v` (count when none is). */
export function lowerBound(values: ArrayLike<number>, count: number, v: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
