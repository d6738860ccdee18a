// Orders the records of everything writing to one sink (its reactors, the fault hook): while an
// app call runs, what it causes is held back so the call's own record comes first; records then
// reach the sink in the order they happened, and their times never go backwards.
import type { CallRecord, TraceRecord, TraceSink } from './format.js';

export class TraceWriter {
  readonly #sink: TraceSink;
  #held: TraceRecord[] | null = null;

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

  emit(record: TraceRecord): void {
    if (this.#held !== null) this.#held.push(record);
    else this.#sink.record(record);
  }

  beginCall(): void {
    this.#held = [];
  }

  /** Writes the call (null: written later, by emit), then what it caused. */
  endCall(call: CallRecord | null): void {
    const held = this.#held ?? [];
    this.#held = null;
    if (call !== null) this.#sink.record(call);
    for (const record of held) this.#sink.record(record);
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
