// Orders the records of everything writing to one sink (its reactors, the fault hook): while an
// app call runs, what it causes is held back so the call's own record comes first; records then
// reach the sink in the order they happened, and their times never go backwards. A FieldSink
// takes the tap's records as fields and orders a call's records itself; any other sink gets
// record objects, made here.
import type { CallRecord, EventRecord, ResultRecord, TraceRecord, TraceSink } from './format.js';
import { isFieldSink, resultHasBuffer, eventHasAcceptedFd, type FieldSink } from './field-sink.js';
import { encodeBase64 } from './base64.js';

export class TraceWriter {
  readonly #sink: TraceSink;
  readonly #fields: FieldSink | null;
  #held: TraceRecord[] | null = null;
  #inCall = false;
  #caller = -1;
  /** Sink calls under way: the sink (a TraceRecorder's listeners) is running its code. */
  #delivering = 0;

  constructor(sink: TraceSink) {
    this.#sink = sink;
    this.#fields = isFieldSink(sink) ? sink : null;
  }

  get sink(): TraceSink {
    return this.#sink;
  }

  /** Whether an app call is being recorded (a call it makes itself is part of it). */
  get inCall(): boolean {
    return this.#inCall;
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

  request(t: number, r: number, kind: number, fd: number, target: number, len: number, mask: number, cycle: number): void {
    const fields = this.#fields;
    if (fields === null) {
      this.emit({ k: 'request', t, r, kind, fd, target, len, mask, cycle });
      return;
    }
    this.#delivering++;
    try {
      fields.request(t, r, kind, fd, target, len, mask, cycle);
    } finally {
      this.#delivering--;
    }
  }

  result(
    t: number,
    r: number,
    kind: number,
    fd: number,
    target: number,
    value: number,
    osCode: number,
    accepted: number,
    gen: number,
    cycle: number,
    buffer: number,
    data: Uint8Array | null,
  ): void {
    const fields = this.#fields;
    if (fields === null) {
      const record: ResultRecord = { k: 'result', t, r, kind, fd, target, value, osCode, accepted, gen, cycle };
      if (resultHasBuffer(kind)) record.buffer = buffer;
      if (data !== null) record.data = encodeBase64(data);
      this.emit(record);
      return;
    }
    this.#delivering++;
    try {
      fields.result(t, r, kind, fd, target, value, osCode, accepted, gen, cycle, buffer, data);
    } finally {
      this.#delivering--;
    }
  }

  event(
    t: number,
    r: number,
    fd: number,
    slot: number,
    ctx: number,
    type: number,
    bytes: number,
    code: string | null,
    osCode: number,
    acceptedFd: number,
  ): void {
    const fields = this.#fields;
    if (fields === null) {
      const record: EventRecord = { k: 'event', t, r, fd, slot, ctx, type, bytes, code, osCode };
      if (eventHasAcceptedFd(type)) record.acceptedFd = acceptedFd;
      this.emit(record);
      return;
    }
    this.#delivering++;
    try {
      fields.event(t, r, fd, slot, ctx, type, bytes, code, osCode, acceptedFd);
    } finally {
      this.#delivering--;
    }
  }

  counters(t: number, r: number, poolInUse: number, poolSize: number, readyQueued: number, bytesInFlight: number): void {
    const fields = this.#fields;
    if (fields === null) {
      this.emit({ k: 'counters', t, r, poolInUse, poolSize, readyQueued, bytesInFlight });
      return;
    }
    this.#delivering++;
    try {
      fields.counters(t, r, poolInUse, poolSize, readyQueued, bytesInFlight);
    } finally {
      this.#delivering--;
    }
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
    this.#inCall = true;
    this.#caller = r;
    if (this.#fields === null) this.#held = [];
    else this.#fields.beginCall(r);
  }

  /** Writes the call (null: written later, by emit), then what it caused. */
  endCall(call: CallRecord | null): void {
    this.#inCall = false;
    this.#caller = -1;
    const fields = this.#fields;
    if (fields !== null) {
      this.#delivering++;
      try {
        fields.endCall(call);
      } finally {
        this.#delivering--;
      }
      return;
    }
    const held = this.#held ?? [];
    this.#held = null;
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
