// Deadlines that are each a moment plus one fixed limit (a connect time plus the time to give a
// name, the last input plus the idle limit): set in time order, they stay in deadline order, so
// setting, moving and finding the expired are O(1) each, however many clients wait.
export class Deadlines<K> {
  readonly #at = new Map<K, number>();
  #latest = -Infinity;

  /** `key`'s deadline is now `atMs`, which no deadline set before may pass (times only move on). */
  set(key: K, atMs: number): void {
    if (!(atMs >= this.#latest)) throw new Error(`Deadlines: ${atMs} ms is before ${this.#latest} ms, set earlier; this is a bug`);
    this.#latest = atMs;
    // Re-inserted, so the map's order stays the deadlines' order.
    this.#at.delete(key);
    this.#at.set(key, atMs);
  }

  delete(key: K): void {
    this.#at.delete(key);
  }

  /** The earliest deadline, or null when none is set. */
  next(): number | null {
    for (const atMs of this.#at.values()) return atMs;
    return null;
  }

  /** Removes and returns the keys whose deadline is at or before `nowMs`, earliest first. */
  takeExpired(nowMs: number): K[] {
    const out: K[] = [];
    for (const [key, atMs] of this.#at) {
      if (atMs > nowMs) break;
      out.push(key);
    }
    for (const key of out) this.#at.delete(key);
    return out;
  }
}
