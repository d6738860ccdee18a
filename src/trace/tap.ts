// Records one reactor into a TraceSink: the app's calls, the requests the core hands the shim,
// the raw results it gets back (with received bytes), the delivered events and counters after
// each wait. The observer (src/reactor-observer.ts) of a reactor created with `trace`.
import type { NativeShim, OsCalls, ShimLayout } from '../backend.js';
import type { ObservedCall, ReactorObserver } from '../reactor-observer.js';
import type { CallRecord, TraceSink } from './format.js';
import { isFieldSink, resultHasBuffer } from './field-sink.js';
import { writerFor, type TraceWriter } from './writer.js';
import { loopbackFor, wiredOs, type LoopbackWire, type WireSide } from './loopback.js';
import { encodeBase64 } from './base64.js';
import { ReactorError } from '../errors.js';
import { portableCodeName } from '../codes.js';
import { REQUEST, RESULT, ENTRY_INTS, REQUEST_FIELD, RESULT_FIELD, EVENT_FIELD } from '../seam.js';
import { providedOffset } from '../core.js';
import { MAX_FD } from '../limits.js';

/** What the tap reads of the core after a wait. */
export interface CoreProbe {
  poolInUse(): number;
  readyQueued(): number;
}

export interface TapSetup {
  sink: TraceSink;
  /** The reactor's number, from `sink.reactor(info)` when its creation was called. */
  r: number;
  memory: ArrayBuffer;
  layout: ShimLayout;
  now: () => number;
  os: OsCalls;
  probe: CoreProbe;
  /** The host the reactor's trace names ('native', or the simulated host). */
  host: string;
  /**
   * Whether the tap writes the wire itself: a native reactor's loopback connections (loopback.ts).
   * A simulated network writes its own segments and takes, below every reactor.
   */
  linksLoopback: boolean;
}

/** An inner wait's failure, passed on unchanged to the reactor's own continuation. */
const rethrow = (error: unknown): never => {
  throw error;
};
const isFd = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_FD;

/**
 * The shim as a tap sees it, each request and result recorded around the inner shim's work: a
 * class, as an object literal with getters was built through the runtime, per reactor.
 */
class TappedShim implements NativeShim {
  readonly #tap: ReactorTap;
  readonly #inner: NativeShim;

  constructor(tap: ReactorTap, inner: NativeShim) {
    this.#tap = tap;
    this.#inner = inner;
  }

  apply(requests: number): number {
    this.#tap.requested(requests);
    return this.#tap.resulted(this.#inner.apply(requests));
  }

  cycle(requests: number, timeoutMs: number): number {
    this.#tap.requested(requests);
    return this.#tap.resulted(this.#inner.cycle(requests, timeoutMs));
  }

  cycleAsync<T>(requests: number, timeoutMs: number, waited: (results: number) => T, failed: (error: unknown) => never): Promise<T> {
    const tap = this.#tap;
    tap.requested(requests);
    if (!tap.readsShimRecords) return this.#inner.cycleAsync(requests, timeoutMs, waited, failed);
    // The results of every wait a turn ends are recorded before any of them delivers its events.
    return this.#inner.cycleAsync(requests, timeoutMs, tap.recordResults, rethrow).then(waited, failed);
  }

  wakeup(): number {
    return this.#inner.wakeup();
  }

  close(): void {
    this.#inner.close();
  }

  get wakeToken(): number {
    return this.#inner.wakeToken;
  }

  get waitsInterrupted(): number {
    return this.#inner.waitsInterrupted;
  }
}

export class ReactorTap implements ReactorObserver {
  readonly r: number;
  readonly #writer: TraceWriter;
  readonly #i32: Int32Array;
  readonly #u8: Uint8Array;
  readonly #setup: TapSetup;
  /** Shim cycles started so far; the current one is #cycles - 1. */
  #cycles = 0;
  /** Context → bytes of its send, until it completes. */
  readonly #sending = new Map<number, number>();
  /** Context → where its send's bytes are in the core's memory, until it completes (linking the wire only). */
  readonly #sendingFrom = new Map<number, number>();
  readonly #wire: LoopbackWire | null;
  readonly #side: WireSide;
  /** The wire as a cycle's results see it: at the time they were read, as their records are. */
  readonly #resultSide: WireSide;
  #resultsAt = 0;
  #bytesInFlight = 0;
  /** Fd → its context and the label last written for it, so a context whose name changed renames its lane. */
  readonly #contexts = new Map<number, { context: unknown; label: string }>();
  /** Fds with events in the last wait: the app has handled them since, and may have named them. */
  readonly #handled = new Set<number>();
  /** Whether the sink keeps renames: else #handled stays empty. */
  readonly #renames: boolean;
  /** Whether the sink reads this reactor's requests and results (FieldSink.readsShimRecords). */
  readonly #shimRecords: boolean;
  /** Whether the sink reads a call's details (FieldSink.readsCallDetails): a verdict-only run's oracle does not. */
  readonly #callDetails: boolean;

  constructor(setup: TapSetup) {
    this.#setup = setup;
    this.#writer = writerFor(setup.sink);
    this.#renames = !isFieldSink(setup.sink) || setup.sink.keepsLabels;
    this.#shimRecords = !isFieldSink(setup.sink) || setup.sink.readsShimRecords(setup.layout.model);
    this.#callDetails = !isFieldSink(setup.sink) || setup.sink.readsCallDetails;
    this.r = setup.r;
    this.#i32 = new Int32Array(setup.memory);
    this.#u8 = new Uint8Array(setup.memory);
    this.#wire = setup.linksLoopback ? loopbackFor(setup.sink) : null;
    this.#side = { host: setup.host, now: setup.now };
    this.#resultSide = { host: setup.host, now: () => this.#resultsAt };
  }

  /** The OS calls the app makes through reactor.os, seen through the tap when it links the wire. */
  os(inner: OsCalls): OsCalls {
    return this.#wire === null ? inner : wiredOs(inner, this.#wire, this.#side);
  }

  /** The shim, seen through the tap. */
  shim(inner: NativeShim): NativeShim {
    return new TappedShim(this, inner);
  }

  /** The shim took `count` requests (TappedShim). */
  requested(count: number): void {
    this.#requests(count);
  }

  /** The shim wrote `count` results (TappedShim); returns them. */
  resulted(count: number): number {
    this.#results(count);
    return count;
  }

  /** Whether the sink reads the requests and results: else an async wait need not hand its results over first. */
  get readsShimRecords(): boolean {
    return this.#shimRecords;
  }

  /** Records an async wait's results before any wait of the turn delivers its events. */
  readonly recordResults = (results: number): number => this.resulted(results);

  /** After each wait: the events it returns (ENTRY_INTS each, from `at`), then the counters. */
  delivered(count: number, at: number): void {
    const i32 = this.#i32;
    const t = this.#setup.now();
    const writer = this.#writer;
    for (let i = 0; i < count; i++, at += ENTRY_INTS) {
      const fd = i32[at + EVENT_FIELD.fd];
      const code = i32[at + EVENT_FIELD.code];
      if (this.#renames) this.#handled.add(fd);
      writer.event(
        t,
        this.r,
        fd,
        i32[at + EVENT_FIELD.slot],
        i32[at + EVENT_FIELD.ctx],
        i32[at + EVENT_FIELD.type],
        i32[at + EVENT_FIELD.bytes],
        code === 0 ? null : portableCodeName(code),
        i32[at + EVENT_FIELD.osCode],
        i32[at + EVENT_FIELD.accepted],
      );
    }
    const probe = this.#setup.probe;
    writer.counters(t, this.r, probe.poolInUse(), this.#setup.layout.poolSize, probe.readyQueued(), this.#bytesInFlight);
  }

  call<T>(op: ObservedCall, args: readonly unknown[], run: () => T): T {
    this.#refuseFromSink(op);
    if (this.#writer.inCall) return run(); // made by the call being recorded
    const record = this.#callRecord(op, args);
    this.#writer.beginCall(this.r);
    try {
      return run();
    } catch (e) {
      record.error = e instanceof ReactorError ? e.code : ((e as Error)?.name ?? String(e));
      throw e;
    } finally {
      this.#writer.endCall(record);
    }
  }

  callAsync<T>(args: readonly unknown[], run: () => Promise<T>): Promise<T> {
    try {
      this.#refuseFromSink('waitAsync');
    } catch (e) {
      return Promise.reject(e);
    }
    const record = this.#callRecord('wait', args);
    if (this.#callDetails) record.async = true;
    const cycles = this.#cycles;
    this.#writer.beginCall(this.r);
    const done = run();
    if (this.#cycles > cycles) {
      this.#writer.endCall(record);
      return done;
    }
    // Refused before it reached the shim: the code is known once the promise settles.
    this.#writer.endCall(null);
    return done.catch((e: unknown) => {
      record.t = this.#setup.now();
      record.error = e instanceof ReactorError ? e.code : ((e as Error)?.name ?? String(e));
      this.#writer.emit(record);
      throw e;
    });
  }

  /**
   * A reactor call from inside the sink (a TraceRecorder listener) would run in the middle of
   * another call's records, out of their order, or recurse without end: refused, and defer it.
   */
  #refuseFromSink(op: string): void {
    if (this.#writer.delivering) {
      throw new ReactorError(
        'EBUSY',
        `${op}: called from inside a trace listener, while the reactor is recording; a listener must not call a traced reactor: defer the call (queueMicrotask or setImmediate)`,
      );
    }
  }

  #callRecord(op: ObservedCall, args: readonly unknown[]): CallRecord {
    if (op === 'wait') this.#renamed();
    const [first, second, third] = args;
    const fd = op !== 'wait' && typeof first === 'number' ? first : undefined;
    // One shape for every call, and no fd kind or label looked up for a sink that reads none.
    if (!this.#callDetails) return { k: 'call', t: this.#setup.now(), r: this.r, op, fd, error: undefined };
    const record: CallRecord = { k: 'call', t: this.#setup.now(), r: this.r, op };
    if (fd !== undefined) record.fd = fd;
    if (op === 'add') {
      if (isFd(first)) record.kind = this.#setup.os.fdKind(first);
      if (typeof third === 'number') record.events = third;
      record.label = contextLabel(second);
      if (this.#renames && isFd(first)) this.#contexts.set(first, { context: second, label: record.label });
    } else if (op === 'modify' && typeof second === 'number') {
      record.events = second;
    } else if (op === 'postWrite' && second instanceof Uint8Array) {
      record.data = encodeBase64(second);
    } else if (op === 'wait') {
      if (first === null || typeof first === 'number') record.timeoutMs = first;
      if (typeof second === 'number') record.maxEvents = second;
    }
    return record;
  }

  /** Writes a LabelRecord for each fd handled since the last wait whose context now has another name. */
  #renamed(): void {
    // Empty unless the sink keeps labels: no iterator made for nothing at every wait.
    if (this.#handled.size === 0) return;
    for (const fd of this.#handled) {
      const known = this.#contexts.get(fd);
      if (known === undefined || typeof known.context !== 'object' || known.context === null) continue;
      const label = contextLabel(known.context);
      if (label === known.label) continue;
      known.label = label;
      this.#writer.emit({ k: 'label', t: this.#setup.now(), r: this.r, fd, label });
    }
    this.#handled.clear();
  }

  #requests(count: number): void {
    const cycle = this.#cycles++;
    if (count === 0 || !this.#shimRecords) return;
    const i32 = this.#i32;
    const t = this.#setup.now();
    let at = this.#setup.layout.requestsAt >> 2;
    for (let i = 0; i < count; i++, at += ENTRY_INTS) {
      const kind = i32[at + REQUEST_FIELD.kind];
      const target = i32[at + REQUEST_FIELD.target];
      const len = i32[at + REQUEST_FIELD.len];
      if (kind === REQUEST.send) {
        this.#sending.set(target, len);
        this.#bytesInFlight += len;
        if (this.#wire !== null) this.#sendingFrom.set(target, i32[at + REQUEST_FIELD.ptr]);
      }
      this.#writer.request(t, this.r, kind, i32[at + REQUEST_FIELD.fd], target, len, i32[at + REQUEST_FIELD.mask], cycle);
    }
  }

  #results(count: number): void {
    if (count <= 0 || !this.#shimRecords) return;
    const cycle = this.#cycles - 1;
    const i32 = this.#i32;
    const t = this.#setup.now();
    this.#resultsAt = t;
    let at = this.#setup.layout.resultsAt >> 2;
    for (let i = 0; i < count; i++, at += ENTRY_INTS) {
      const kind = i32[at + RESULT_FIELD.kind];
      const fd = i32[at + RESULT_FIELD.fd];
      const target = i32[at + RESULT_FIELD.target];
      const value = i32[at + RESULT_FIELD.value];
      const osCode = i32[at + RESULT_FIELD.osCode];
      const accepted = i32[at + RESULT_FIELD.accepted];
      const buffer = i32[at + RESULT_FIELD.buffer];
      let data: Uint8Array | null = null;
      if (resultHasBuffer(kind) && buffer >= 0 && value > 0) {
        const ptr = providedOffset(i32, this.#setup.layout.providedAt, buffer);
        data = this.#u8.subarray(ptr, ptr + value);
      }
      if (kind === RESULT.complete) {
        const sent = this.#sending.get(target);
        if (sent !== undefined) {
          this.#sending.delete(target);
          this.#bytesInFlight -= sent;
        }
      }
      this.#writer.result(t, this.r, kind, fd, target, value, osCode, accepted, i32[at + RESULT_FIELD.gen], cycle, buffer, data);
      if (this.#wire !== null) this.#wired(kind, fd, target, value, osCode, accepted);
    }
  }

  /** What a completion did on the wire: a send's bytes left, a read took bytes or the end of stream, an accept. */
  #wired(kind: number, fd: number, target: number, value: number, osCode: number, accepted: number): void {
    const wire = this.#wire!;
    if (kind === RESULT.recv) {
      if (value > 0 || osCode === 0) wire.received(this.#resultSide, fd, value);
    } else if (kind === RESULT.complete) {
      const from = this.#sendingFrom.get(target);
      if (from !== undefined) {
        this.#sendingFrom.delete(target);
        wire.sent(this.#resultSide, fd, this.#u8.subarray(from, from + Math.max(value, 0)));
      } else if (accepted >= 0) wire.accepted(this.#resultSide, accepted, this.#setup.os);
    }
  }
}

/**
 * A context's name for its lane: its `name` or `label` (a string), its own toString(), its class,
 * else its keys ({ conn, reader }); a symbol by its description (Symbol('listener') → listener).
 * Never where it was registered: a stack differs between Node and the page's bundle, and the same
 * seed must give the same trace in both.
 */
function contextLabel(context: unknown): string {
  if (typeof context === 'symbol') return context.description ?? 'symbol';
  if (typeof context !== 'object' || context === null) return String(context);
  const { name, label } = context as { name?: unknown; label?: unknown };
  if (typeof name === 'string') return name;
  if (typeof label === 'string') return label;
  const { toString: describe } = context as { toString?: unknown };
  if (typeof describe === 'function' && describe !== Object.prototype.toString) return String(context);
  const made = context.constructor?.name;
  return made && made !== 'Object' ? made : `{ ${Object.keys(context).slice(0, 4).join(', ')} }`;
}
