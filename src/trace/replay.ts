// Replay: drives a fresh core through a trace's app calls, its shim replaced by the recorded raw
// results (src/trace/replay-shim.ts), offline, and checks that every wait delivers the recorded
// events. A native run recorded with `trace` thus reproduces its event sequence with no sockets.
import { openReactorOn, type Reactor } from '../reactor.js';
import { ReactorError } from '../errors.js';
import { show as showValue } from '../validate.js';
import type { IoEvent } from '../events.js';
import type { CallRecord, EventRecord, Trace, TraceReactor, TraceRecord } from './format.js';
import { checkTraceOf } from './check.js';
import { ReplayBackend, divergence, type RecordedCycle } from './replay-shim.js';
import { decodeBase64 } from './base64.js';
import { ERRNO } from '../seam.js';

/** A replayed event: the IoEvent the app got, its buffer copied, its context the add's label. */
export type ReplayedEvent = IoEvent<string>;

export interface ReplayedReactor {
  r: number;
  events: ReplayedEvent[];
}

function checkTrace(trace: Trace): void {
  checkTraceOf(trace, 'replay');
  if (trace.dropped) {
    throw new ReactorError(
      'EINVAL',
      `replay: the trace lost its first ${trace.dropped} records to the recorder's capacity; record again with a larger TraceRecorder capacity or capacityBytes`,
    );
  }
}

function cyclesOf(records: TraceRecord[], r: number): Map<number, RecordedCycle> {
  const cycles = new Map<number, RecordedCycle>();
  for (const x of records) {
    if ((x.k !== 'request' && x.k !== 'result') || x.r !== r) continue;
    if (x.cycle === undefined)
      throw new ReactorError('EINVAL', `replay: reactor ${r}'s ${x.k} records carry no cycle; the trace predates replay`);
    let cycle = cycles.get(x.cycle);
    if (!cycle) cycles.set(x.cycle, (cycle = { requests: [], results: [] }));
    if (x.k === 'request') cycle.requests.push(x);
    else cycle.results.push(x);
  }
  return cycles;
}

const same = (e: ReplayedEvent, x: EventRecord): boolean =>
  e.fd === x.fd &&
  e.type === x.type &&
  e.bytesTransferred === x.bytes &&
  (e.error?.code ?? null) === x.code &&
  (e.error?.osCode ?? 0) === x.osCode &&
  e.acceptedFd === x.acceptedFd;

function show(e: ReplayedEvent | EventRecord | undefined): string {
  if (!e) return 'nothing';
  if ('k' in e) return `fd ${e.fd} type ${e.type} bytes ${e.bytes} code ${e.code}`;
  return `fd ${e.fd} type ${e.type} bytes ${e.bytesTransferred} code ${e.error?.code ?? null}`;
}

/** Replays one reactor of the trace; throws EREPLAY at the first difference from the recording. */
async function replayReactor(info: TraceReactor, records: TraceRecord[]): Promise<ReplayedReactor> {
  // A reactor is numbered when its creation is called, so one whose creation failed is in the
  // trace with no records; one that did nothing has nothing to check either.
  if (!records.some((x) => x.r === info.r)) return { r: info.r, events: [] };
  const backend = new ReplayBackend(info.r, cyclesOf(records, info.r));
  const { model, mechanism, poolSize, bufferSize, maxSockets, writeEvents } = info;
  const reactor = await openReactorOn<string>(backend, { model, mechanism, poolSize, bufferSize, maxSockets, writeEvents });
  const events: ReplayedEvent[] = [];
  let delivered: ReplayedEvent[] = [];
  let expected: EventRecord[] = [];
  let pendingAsync: Promise<IoEvent<string>[]> | null = null;
  const keep = (got: IoEvent<string>[]): void => {
    delivered = got.map((e) => ({ ...e, buffer: e.buffer ? e.buffer.slice() : null }));
    events.push(...delivered);
  };
  for (const x of records) {
    if (x.r !== info.r) continue;
    backend.time = x.t;
    if (x.k === 'call') {
      const result = call(reactor, backend, x);
      if (result) pendingAsync = result;
    } else if (x.k === 'event') {
      expected.push(x);
    } else if (x.k === 'counters') {
      if (pendingAsync) {
        backend.shim!.finishAsync();
        keep(await pendingAsync);
        pendingAsync = null;
      }
      for (let i = 0; i < Math.max(delivered.length, expected.length); i++) {
        if (!delivered[i] || !expected[i] || !same(delivered[i], expected[i])) {
          throw divergence(info.r, `at ${x.t} ms wait event ${i} is ${show(delivered[i])}, the recording has ${show(expected[i])}`);
        }
      }
      expected = [];
    }
  }
  reactor.destroy();
  return { r: info.r, events };

  /** Makes the recorded call; a waitAsync's promise is returned, to settle at its counters. */
  function call(r: Reactor<string>, b: ReplayBackend, x: CallRecord): Promise<IoEvent<string>[]> | null {
    let outcome: Promise<IoEvent<string>[]> | null = null;
    let error: string | undefined;
    try {
      switch (x.op) {
        case 'add':
          b.kinds.set(x.fd!, x.kind ?? -ERRNO.EBADF);
          r.add(x.fd!, x.label ?? '', x.events!);
          break;
        case 'modify':
          r.modify(x.fd!, x.events!);
          break;
        case 'remove':
          r.remove(x.fd!);
          break;
        case 'postRead':
          r.postRead(x.fd!);
          break;
        case 'postWrite':
          r.postWrite(x.fd!, decodeBase64(x.data ?? '') ?? new Uint8Array(0));
          break;
        case 'wakeup':
          r.wakeup();
          break;
        case 'destroy':
          r.destroy();
          break;
        case 'close':
          r.os.close(x.fd!);
          break;
        case 'wait':
          if (x.async && !x.error) outcome = r.waitAsync(x.timeoutMs ?? null, x.maxEvents);
          else if (!x.async) keep(r.wait(x.timeoutMs ?? null, x.maxEvents));
          break;
      }
    } catch (e) {
      if (e instanceof ReactorError && e.code === 'EREPLAY') throw e;
      error = e instanceof ReactorError ? e.code : String(e);
    }
    if (error !== x.error && !(x.async && x.error)) {
      throw divergence(
        info.r,
        `the ${x.op} call at ${x.t} ms ${error ? `was refused with ${error}` : 'succeeded'}, in the recording ${x.error ? `refused with ${x.error}` : 'it succeeded'}`,
      );
    }
    return outcome;
  }
}

/**
 * Replays every reactor of `trace` (or only reactor `r`) offline and returns the events each
 * delivered. Refuses an incomplete trace; throws ReactorError EREPLAY where the replay differs.
 */
export async function replay(trace: Trace, r?: number): Promise<ReplayedReactor[]> {
  checkTrace(trace);
  if (r !== undefined && (typeof r !== 'number' || !Number.isInteger(r) || r < 0)) {
    throw new ReactorError(
      'EINVAL',
      `replay: r must be a reactor's number in the trace (an integer >= 0, its records' "r") or left out for all, got ${showValue(r)}`,
    );
  }
  const reactors = r === undefined ? trace.reactors : trace.reactors.filter((x) => x.r === r);
  if (reactors.length === 0)
    throw new ReactorError(
      'EINVAL',
      `replay: the trace has no reactor ${r}; its reactors are ${trace.reactors.map((x) => x.r).join(', ')}`,
    );
  const out: ReplayedReactor[] = [];
  for (const info of reactors) out.push(await replayReactor(info, trace.records));
  return out;
}
