// A TraceSink that takes the tap's records field by field: a run that only checks its trace (the
// oracle) or hashes it (TraceDigest), as every run of a sweep does, makes no record objects and
// no base64 text. TraceWriter makes the records for any other sink.
import type { CallRecord, TraceSink } from './format.js';
import { RESULT } from '../seam.js';
import { EventType } from '../events.js';

export interface FieldSink extends TraceSink {
  /** Whether a context's new name (a LabelRecord) reaches anything that keeps it: else the tap spares looking. */
  readonly keepsLabels: boolean;
  /**
   * Whether it reads more of a CallRecord than its time, op, fd and error (the add's kind and
   * label, a mask, a write's data, a wait's timeout): else the tap spares making them.
   */
  readonly readsCallDetails: boolean;
  /**
   * Whether it reads the requests and results (RequestRecord, ResultRecord) of a reactor in
   * `model` (MODEL): else the tap spares reading them, and an async wait the turn it would take
   * to hand over its results.
   */
  readsShimRecords(model: number): boolean;
  /**
   * An app call of reactor `r` began: the records that follow until endCall are what it caused,
   * and are written after the call's own record, as TraceWriter orders them.
   */
  beginCall(r: number): void;
  /** The call ended: its record (null: refused before the shim, given later to record()). */
  endCall(call: CallRecord | null): void;
  /** A RequestRecord's fields. */
  request(t: number, r: number, kind: number, fd: number, target: number, len: number, mask: number, cycle: number): void;
  /**
   * A ResultRecord's fields; `buffer` counts only for a recv (resultHasBuffer), and `data` is the
   * bytes it brought, a view of the core's memory valid during the call only.
   */
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
  ): void;
  /** An EventRecord's fields; `acceptedFd` counts only for an accept (eventHasAcceptedFd). */
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
  ): void;
  /** A CounterRecord's fields. */
  counters(t: number, r: number, poolInUse: number, poolSize: number, readyQueued: number, bytesInFlight: number): void;
}

export function isFieldSink(sink: TraceSink): sink is FieldSink {
  return typeof (sink as Partial<FieldSink>).beginCall === 'function' && typeof (sink as Partial<FieldSink>).counters === 'function';
}

/** Whether a result of `kind` names the provided buffer it filled (ResultRecord.buffer). */
export const resultHasBuffer = (kind: number): boolean => kind === RESULT.recv;

/** Whether an event of `type` names the fd it accepted (EventRecord.acceptedFd). */
export const eventHasAcceptedFd = (type: number): boolean => (type & EventType.ACCEPT) !== 0;
