// TraceRecorder: the TraceSink that keeps a trace in memory, within a named capacity, and streams
// each record to live subscribers (the visualizer's feed) as it arrives.
import { ReactorError } from '../errors.js';
import { checkIntegerIn, checkOptions } from '../validate.js';
import { TRACE_FORMAT, TRACE_VERSION, type Trace, type TraceReactor, type TraceRecord, type TraceSink } from './format.js';

/**
 * Records a recorder keeps by default; past its capacity it keeps the newest. A record
 * takes about 130–150 bytes of V8 heap, so this default holds ~150 MB at most.
 */
export const DEFAULT_TRACE_CAPACITY = 1_000_000;
export const MAX_TRACE_CAPACITY = 100_000_000;
/**
 * Bytes a recorder keeps by default. Records carry every written and received byte (as base64),
 * so on a busy server the bytes, not the count of records, are what fill memory.
 */
export const DEFAULT_TRACE_BYTES = 256 * 1024 * 1024;
export const MAX_TRACE_BYTES = 64 * 1024 * 1024 * 1024;
/** What a record is counted as besides its data and label: its heap size without strings. */
export const TRACE_RECORD_BYTES = 150;

/** A record's bytes as the byte bound counts them: the fixed part plus the strings it carries. */
export function traceRecordBytes(record: TraceRecord): number {
  const { data, label } = record as { data?: string; label?: string };
  return TRACE_RECORD_BYTES + (data?.length ?? 0) + (label?.length ?? 0);
}

export interface TraceRecorderOptions {
  /**
   * Records kept. When more arrive the oldest are dropped and counted in `dropped` (and in the
   * trace's `dropped`): a live view keeps running, and replay refuses the incomplete trace.
   */
  capacity?: number;
  /**
   * Bytes kept, each record counted as TRACE_RECORD_BYTES plus its base64 data and its label;
   * past it the oldest records are dropped as past `capacity`. The newest record is always kept,
   * even one larger than this.
   */
  capacityBytes?: number;
  /** The simulation's seed, written into the trace (null: a native recording). */
  seed?: number | null;
}

export type TraceListener = (record: TraceRecord) => void;

export class TraceRecorder implements TraceSink {
  readonly capacity: number;
  readonly capacityBytes: number;
  readonly seed: number | null;
  readonly #reactors: TraceReactor[] = [];
  /** The records kept are #queue[#oldest…]; the slots before #oldest are dropped ones. */
  #queue: TraceRecord[] = [];
  #oldest = 0;
  #bytes = 0;
  #dropped = 0;
  readonly #listeners: TraceListener[] = [];

  constructor(options: TraceRecorderOptions = {}) {
    const op = 'TraceRecorder';
    checkOptions(options, ['capacity', 'capacityBytes', 'seed'], op);
    this.capacity = checkIntegerIn(options.capacity ?? DEFAULT_TRACE_CAPACITY, 1, MAX_TRACE_CAPACITY, 'capacity', op);
    this.capacityBytes = checkIntegerIn(options.capacityBytes ?? DEFAULT_TRACE_BYTES, 1, MAX_TRACE_BYTES, 'capacityBytes', op);
    const seed = options.seed ?? null;
    this.seed = seed === null ? null : checkIntegerIn(seed, 0, 0xffffffff, 'seed', op);
  }

  reactor(info: Omit<TraceReactor, 'r'>): number {
    if (typeof info !== 'object' || info === null) {
      throw new ReactorError(
        'EINVAL',
        `TraceRecorder.reactor: info must be the reactor's TraceReactor fields (reactors call this; pass the recorder as Reactor.create({ trace })), got ${String(info)}`,
      );
    }
    const r = this.#reactors.length;
    this.#reactors.push({ r, ...info });
    return r;
  }

  record(record: TraceRecord): void {
    if (typeof record !== 'object' || record === null) {
      throw new ReactorError(
        'EINVAL',
        `TraceRecorder.record: record must be a TraceRecord (reactors call this; pass the recorder as Reactor.create({ trace })), got ${String(record)}`,
      );
    }
    this.#queue.push(record);
    this.#bytes += traceRecordBytes(record);
    while (this.size > 1 && (this.size > this.capacity || this.#bytes > this.capacityBytes)) {
      this.#bytes -= traceRecordBytes(this.#queue[this.#oldest]);
      this.#queue[this.#oldest++] = undefined as never; // let the dropped record go
      this.#dropped++;
    }
    // Dropped slots are cut off once they are half the queue: amortised O(1) per record.
    if (this.#oldest > this.#queue.length / 2) {
      this.#queue = this.#queue.slice(this.#oldest);
      this.#oldest = 0;
    }
    for (const listener of this.#listeners) {
      try {
        listener(record);
      } catch (error) {
        // As diagnostics_channel does: an uncaught exception of its own, never one thrown into
        // the middle of the reactor call being recorded.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /**
   * Calls `listener` with every record from now on, in order, as it is recorded (before the
   * reactor call that made it returns); returns the function that unsubscribes it.
   */
  subscribe(listener: TraceListener): () => void {
    if (typeof listener !== 'function') {
      throw new ReactorError(
        'EINVAL',
        `TraceRecorder.subscribe: listener must be a function taking a TraceRecord, got ${String(listener)}`,
      );
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
    return this.#queue.length - this.#oldest;
  }

  /** Bytes kept now, as `capacityBytes` counts them. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Records lost to the capacities, oldest first. */
  get dropped(): number {
    return this.#dropped;
  }

  /** The trace so far (a copy: recording goes on). */
  toJSON(): Trace {
    const records = this.#queue.slice(this.#oldest);
    const trace: Trace = {
      format: TRACE_FORMAT,
      version: TRACE_VERSION,
      seed: this.seed,
      reactors: this.#reactors.map((r) => ({ ...r })),
      records,
    };
    if (this.#dropped > 0) trace.dropped = this.#dropped;
    return trace;
  }
}
