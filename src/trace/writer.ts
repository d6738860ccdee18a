// Orders the records of everything writing to one sink (its reactors, the fault hook): while an
// app call runs, what it causes is held back so the call's own record comes first; records then
// reach the sink in the order they happened, and their times never go backwards.
import type { CallRecord, TraceRecord, TraceSink } from './format.js';

export class TraceWriter {
  readonly #sink: TraceSink;
  #held: TraceRecord[] | null = null;
  #caller = -1;
  /** Sink calls under way: the sink (a TraceRecorder's listeners) is running its code. */
  #delivering = 0;

  constructor(sink: TraceSink) {
    this.#sink = sink;
  }

  get sink(): TraceSink {
    return this.#sink;
  }

  /** Whether an app call is being recorded (a call it makes itself is part of it). */
  get inCall(): boolean {
    return this.#held !== null;
  }

  /** Whether the sink is taking a record: what it does then is no app call of a reactor. */
  get delivering(): boolean {
    return this.#delivering > 0;
  }

  /** The reactor whose app call is being recorded, or -1. */
  get caller(): number {
    return this.#caller;
  }

  emit(record: TraceRecord): void {
    if (this.#held !== null) this.#held.push(record);
    else this.#deliver(record);
  }

  #deliver(record: TraceRecord): void {
    this.#delivering++;
    try {
      this.#sink.record(record);
    } finally {
      this.#delivering--;
    }
  }

  beginCall(r: number): void {
    this.#held = [];
    this.#caller = r;
  }

  /** Writes the call (null: written later, by emit), then what it caused. */
  endCall(call: CallRecord | null): void {
    const held = this.#held ?? [];
    this.#held = null;
    this.#caller = -1;
    if (call !== null) this.#deliver(call);
    for (const record of held) this.#deliver(record);
  }
}

const writers = new WeakMap<TraceSink, TraceWriter>();

/** The one writer of a sink, shared by all that record into it. */
export function writerFor(sink: TraceSink): TraceWriter {
  let writer = writers.get(sink);
  if (!writer) {
    writer = new TraceWriter(sink);
    writers.set(sink, writer);
  }
  return writer;
}
