// Small statistics for the benchmark: a latency histogram (1 µs buckets) and the median.

const BUCKETS = 200_000; // 1 µs each: 0 .. 200 ms; slower round trips land in the last bucket

export class LatencyHistogram {
  readonly #counts = new Uint32Array(BUCKETS);
  #total = 0;

  record(micros: number): void {
    const b = micros < 0 ? 0 : micros >= BUCKETS - 1 ? BUCKETS - 1 : Math.floor(micros);
    this.#counts[b]++;
    this.#total++;
  }

  get count(): number {
    return this.#total;
  }

  /** The latency (µs, bucket upper bound) below which `p` (0..1) of the samples fall; NaN if none. */
  percentile(p: number): number {
    if (this.#total === 0) return NaN;
    const rank = Math.max(1, Math.ceil(p * this.#total));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.#counts[b];
      if (seen >= rank) return b + 1;
    }
    return BUCKETS;
  }
}

export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}
