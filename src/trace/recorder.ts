// TraceRecorder: the TraceSink that keeps a trace in memory, within a named capacity, and streams
// each record to live subscribers (the visualizer's feed) as it arrives.
import { ReactorError } from '../errors.js';
import { checkIntegerIn } from '../validate.js';
import { TRACE_FORMAT, TRACE_VERSION, type Trace, type TraceReactor, type TraceRecord, type TraceSink } from './format.js';

/** Records a recorder keeps by default; past its capacity it keeps the newest (a ring). */
export const DEFAULT_TRACE_CAPACITY = 1_000_000;
export const MAX_TRACE_CAPACITY = 100_000_000;

export interface TraceRecorderOptions {
  /**
   * Records kept. When more arrive the oldest are dropped and counted in `dropped` (and in the
   * trace's `dropped`): a live view keeps running, and replay refuses the incomplete trace.
   */
  capacity?: number;
  /** The simulation's seed, written into the trace (null: a native recording). */
  seed?: number | null;
}

export type TraceListener = (record: TraceRecord) => void;

export class TraceRecorder implements TraceSink {
  readonly capacity: number;
  readonly seed: number | null;
  readonly #reactors: TraceReactor[] = [];
  readonly #ring: TraceRecord[] = [];
  /** Index of the oldest record once the ring is full. */
  #oldest = 0;
  #dropped = 0;
  readonly #listeners: TraceListener[] = [];

  constructor(options: TraceRecorderOptions = {}) {
    const op = 'TraceRecorder';
    this.capacity = checkIntegerIn(options.capacity ?? DEFAULT_TRACE_CAPACITY, 1, MAX_TRACE_CAPACITY, 'capacity', op);
    const seed = options.seed ?? null;
    this.seed = seed === null ? null : checkIntegerIn(seed, 0, 0xffffffff, 'seed', op);
  }

  reactor(info: Omit<TraceReactor, 'r'>): number {
    const r = this.#reactors.length;
    this.#reactors.push({ r, ...info });
    return r;
  }

  record(record: TraceRecord): void {
    if (this.#ring.length < this.capacity) {
      this.#ring.push(record);
    } else {
      this.#ring[this.#oldest] = record;
      this.#oldest = (this.#oldest + 1) % this.capacity;
      this.#dropped++;
    }
    for (const listener of this.#listeners) listener(record);
  }

  /**
   * Calls `listener` with every record from now on, in order, as it is recorded (before the
   * reactor call that made it returns); returns the function that unsubscribes it.
   */
  subscribe(listener: TraceListener): () => void {
    if (typeof listener !== 'function') {
      throw new ReactorError('EINVAL', `TraceRecorder.subscribe: listener must be a function taking a TraceRecord, got ${String(listener)}`);
    }
    this.#listeners.push(listener);
    return () => {
      const at = this.#listeners.indexOf(listener);
      if (at >= 0) this.#listeners.splice(at, 1);
    };
  }

  /** The reactors recorded so far; records name them by `r`. */
  get reactors(): readonly TraceReactor[] {
    return this.#reactors;
  }

  /** Records kept now. */
  get size(): number {
    return this.#ring.length;
  }

  /** Records lost to the capacity, oldest first. */
  get dropped(): number {
    return this.#dropped;
  }

  /** The trace so far (a copy: recording goes on). */
  toJSON(): Trace {
    const records = this.#ring.slice(this.#oldest).concat(this.#ring.slice(0, this.#oldest));
    const trace: Trace = {
      format: TRACE_FORMAT, version: TRACE_VERSION, seed: this.seed,
      reactors: this.#reactors.map((r) => ({ ...r })), records,
    };
    if (this.#dropped > 0) trace.dropped = this.#dropped;
    return trace;
  }
}
