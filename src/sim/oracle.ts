// The oracle: invariants of a simulated run, checked as it happens. It reads the run's trace (a
// TraceSink in front of the Simulation's own) and sees every byte a connection takes (a kernel
// observer) and every byte an app receives (os.recv, completion READ events), and stops the run at
// the first InvariantViolation, naming the seed, the virtual time and the fd. It goes on across
// sim.crash and sim.restart: a crashed host's reactors are dead (their pools and events are no
// longer counted), its open connections must reset at their peers, and the host restarted under
// its name starts clean.
import type { Reactor, ReactorStats } from '../reactor.js';
import type { CallRecord, TraceReactor, TraceRecord, TraceSink } from '../trace/format.js';
import { isFieldSink, type FieldSink } from '../trace/field-sink.js';
import { writerFor, type TraceWriter } from '../trace/writer.js';
import type { KernelObserver, SimKernel } from './kernel.js';
import type { Stream } from './stream.js';
import { ByteQueue } from './byte-queue.js';
import { decodeBase64 } from '../trace/base64.js';
import { EventType } from '../events.js';
import { MODEL, REQUEST, RESULT } from '../seam.js';

export const INVARIANTS = {
  bytes: 'within a connection no byte is lost, duplicated or reordered',
  pool: 'the pool returns to its baseline when the app is quiet',
  removed: 'no event arrives for an fd after remove',
  stats: 'stats() agrees with the truth',
  crash: "a crashed host's open connections reset at their peers",
  restart: 'a restarted host starts clean: no fds but stdin, nothing registered',
} as const;

/** The fds a freshly booted host has open: stdin. */
const FRESH_HOST_FILES = 1;
/** Room for the sent bytes one delivery is compared with, at first: a chat's reads are short. */
const SENT_BYTES_FIRST = 1024;

/** Where os.recv found what it reports: a function, not a closure made at every receive. */
const recvWhere = (kernel: SimKernel, fd: number): string => `host ${kernel.host} fd ${fd} (os.recv)`;

export class InvariantViolation extends Error {
  constructor(
    readonly invariant: string,
    readonly seed: number,
    readonly timeMs: number,
    readonly where: string,
    readonly detail: string,
  ) {
    super(`invariant violated: ${invariant} (seed ${seed}, t=${timeMs} ms, ${where}): ${detail}`);
    this.name = 'InvariantViolation';
  }
}

/** One direction of a connection, named by its receiving end: sent bytes not yet delivered. */
interface Direction {
  /** Bytes sent and not yet delivered, oldest first: a copy, as the sender may reuse its buffer. */
  queue: ByteQueue;
  delivered: number;
}

/** What the oracle knows of one reactor, from its trace. */
interface Watched {
  info: TraceReactor;
  /** The kernel it was created on: after a restart its host's name names another. */
  kernel: SimKernel;
  reactor: Reactor<unknown> | null;
  destroyed: boolean;
  /** Its host crashed: its pool and events are no longer counted. */
  crashed: boolean;
  registered: Set<number>;
  /** Context → fd of each send or accept handed to the shim and not yet completed. */
  inFlight: Map<number, number>;
  /** Buffers recv results filled (until their event), and the bytes they brought. */
  received: Map<number, Uint8Array>;
  /**
   * The app changed what it asked for (a post, add, modify or remove) since its last wait: the
   * requests are not yet handed to the shim, so their contexts cannot be accounted for.
   */
  unhanded: boolean;
  /**
   * An add, remove or close since stats() was last checked: only these change what stats()
   * must say is registered, so it is checked at the wait after one (and when the app is quiet),
   * not at every wait (a call into one of a thousand core instances is a slow one).
   */
  registrationsChanged: boolean;
}

export interface OracleSetup {
  seed: number;
  now: () => number;
  kernelOf: (host: string) => SimKernel;
  /** Where the trace goes on to (the Simulation's recorder or sink), if anywhere. */
  downstream: TraceSink | null;
}

/**
 * A FieldSink: a sweep's runs feed it the tap's records as fields, and it hands them on through
 * the downstream's writer (as fields to a digest, as records to a recorder).
 */
export class Oracle implements FieldSink {
  #violation: InvariantViolation | null = null;
  readonly #setup: OracleSetup;
  readonly #downstream: TraceWriter | null;
  readonly keepsLabels: boolean;
  /** It checks a call by its op, fd and outcome: the details are for a downstream. */
  readonly readsCallDetails: boolean;
  /** By reactor number: an array, as a Map look-up per record cost more than the check it served. */
  readonly #watched: (Watched | undefined)[] = [];
  /** Receiving ends whose sender's host crashed with the connection open: a clean end is a lie. */
  readonly #owedReset = new WeakSet<object>();
  #nextReactor = 0;
  /** What #deliver compares a delivery with: the sent bytes it takes, kept from check to check. */
  #sentBytes = new Uint8Array(SENT_BYTES_FIRST);

  constructor(setup: OracleSetup) {
    this.#setup = setup;
    const { downstream } = setup;
    this.#downstream = downstream && writerFor(downstream);
    this.keepsLabels = downstream !== null && (!isFieldSink(downstream) || downstream.keepsLabels);
    this.readsCallDetails = downstream !== null;
  }

  /** What it checks of requests and results (sends and accepts in flight, bytes read) is the completion model's. */
  readsShimRecords(model: number): boolean {
    return this.#downstream !== null || model === MODEL.completion;
  }

  /** The first violation found, if any (it was thrown where found, and the app may have caught it). */
  get violation(): InvariantViolation | null {
    return this.#violation;
  }

  reactor(info: Omit<TraceReactor, 'r'>): number {
    const r = this.#setup.downstream ? this.#setup.downstream.reactor(info) : this.#nextReactor++;
    this.#watched[r] = {
      info: { r, ...info },
      kernel: this.#setup.kernelOf(info.host),
      reactor: null,
      destroyed: false,
      crashed: false,
      registered: new Set(),
      inFlight: new Map(),
      received: new Map(),
      unhanded: false,
      registrationsChanged: true,
    };
    return r;
  }

  record(x: TraceRecord): void {
    this.#downstream?.emit(x);
    const w = this.#watched[x.r];
    if (!w) return;
    if (x.k === 'call') this.#call(w, x);
    else if (x.k === 'request') this.#request(w, x.kind, x.fd, x.target);
    else if (x.k === 'result') {
      const data = x.data === undefined ? null : decodeBase64(x.data);
      this.#result(w, x.kind, x.target, x.buffer ?? -1, data);
    } else if (x.k === 'event') this.#event(w, x.fd, x.ctx, x.type, x.bytes, x.code);
    else if (x.k === 'counters') this.#counters(w, x.poolInUse, x.poolSize);
  }

  // The call's own record is checked at its end, with its outcome; what it caused, as it came.
  beginCall(r: number): void {
    this.#downstream?.beginCall(r);
  }

  endCall(call: CallRecord | null): void {
    this.#downstream?.endCall(call);
    const w = call && this.#watched[call.r];
    if (w) this.#call(w, call!);
  }

  request(t: number, r: number, kind: number, fd: number, target: number, len: number, mask: number, cycle: number): void {
    this.#downstream?.request(t, r, kind, fd, target, len, mask, cycle);
    const w = this.#watched[r];
    if (w) this.#request(w, kind, fd, target);
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
    this.#downstream?.result(t, r, kind, fd, target, value, osCode, accepted, gen, cycle, buffer, data);
    const w = this.#watched[r];
    // A copy: the bytes are the core's buffer, which its next read fills.
    if (w) this.#result(w, kind, target, buffer, data ? data.slice() : null);
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
    this.#downstream?.event(t, r, fd, slot, ctx, type, bytes, code, osCode, acceptedFd);
    const w = this.#watched[r];
    if (w) this.#event(w, fd, ctx, type, bytes, code);
  }

  counters(t: number, r: number, poolInUse: number, poolSize: number, readyQueued: number, bytesInFlight: number): void {
    this.#downstream?.counters(t, r, poolInUse, poolSize, readyQueued, bytesInFlight);
    const w = this.#watched[r];
    if (w) this.#counters(w, poolInUse, poolSize);
  }

  #request(w: Watched, kind: number, fd: number, target: number): void {
    if (kind !== REQUEST.send && kind !== REQUEST.accept) return;
    w.inFlight.set(target, fd);
    // A context is reused: forget what its previous operation left.
    w.received.delete(target);
  }

  /** `data`: the bytes a recv brought into `buffer` (null: none), the oracle's own. */
  #result(w: Watched, kind: number, target: number, buffer: number, data: Uint8Array | null): void {
    if (kind === RESULT.complete) w.inFlight.delete(target);
    else if (kind === RESULT.recv && buffer >= 0) w.received.set(buffer, data ?? new Uint8Array(0));
  }

  /** A reactor of the simulation, for its stats (the trace names it by reactor.traceId). */
  attach(reactor: Reactor<unknown>): void {
    const w = reactor.traceId === null ? undefined : this.#watched[reactor.traceId];
    if (w) w.reactor = reactor;
  }

  /** The kernel's view: each byte a connection takes is owed to its receiving app. */
  readonly kernelObserver: KernelObserver = {
    sent: (to, from, offset, n) => this.#direction(to).queue.push(from, offset, n),
  };

  /** An app on `kernel`'s host got `bytes` from os.recv on fd (empty: end of stream). */
  received(kernel: SimKernel, fd: number, bytes: Uint8Array): void {
    const to = kernel.connectionOf(fd);
    if (!to) return;
    if (bytes.length === 0) this.#endOfStream(recvWhere(kernel, fd), to);
    else {
      const broken = this.#deliver(to, bytes);
      if (broken !== null) this.#fail(INVARIANTS.bytes, recvWhere(kernel, fd), broken);
    }
  }

  /**
   * `host` is crashing (before its kernel resets anything): its reactors are dead from now on, and
   * each connection they watch that could still send is owed a reset at its peer.
   */
  crashed(host: string): void {
    for (const w of this.#watched) {
      if (!w || w.info.host !== host || w.kernel.crashed || w.crashed) continue;
      w.crashed = true;
      for (const fd of w.registered) {
        const end = w.kernel.connectionOf(fd) as Stream | null;
        // A FIN already sent may be read before the reset: a clean end is then the truth.
        if (end?.peer && end.peer.owner !== w.kernel && !end.shutWrite) this.#owedReset.add(end.peer);
      }
    }
  }

  /** `host` booted again on `kernel`: it starts clean. */
  restarted(host: string, kernel: SimKernel): void {
    if (kernel.openFiles !== FRESH_HOST_FILES) {
      this.#fail(
        INVARIANTS.restart,
        `host ${host}`,
        `the restarted host has ${kernel.openFiles} fds open, not ${FRESH_HOST_FILES} (stdin)`,
      );
    }
    for (const w of this.#watched) {
      if (w && w.info.host === host && w.kernel !== kernel && !w.crashed && !w.destroyed) {
        this.#fail(INVARIANTS.restart, this.#where(w), 'a reactor of the host before its crash is still counted live');
      }
    }
  }

  /** The checks that hold only when the app is quiet: every reactor's pool at its baseline. */
  checkQuiet(): void {
    this.check();
    for (const w of this.#watched) {
      if (!w?.reactor || w.destroyed || w.crashed || w.reactor.destroyed) continue;
      const s = w.reactor.stats();
      this.#checkStats(w, s);
      // A program that ended right after a post never waits again: nothing to account yet.
      if (w.unhanded) continue;
      let inFlight = 0;
      for (const fd of w.inFlight.values()) if (w.registered.has(fd)) inFlight++;
      const accounted = inFlight + s.poolHeld + s.poolQueued;
      if (s.poolInUse !== accounted) {
        this.#fail(
          INVARIANTS.pool,
          this.#where(w),
          `${s.poolInUse} contexts in use, ${accounted} accounted for (${inFlight} sends and accepts in flight on registered fds, ${s.poolHeld} delivered buffers, ${s.poolQueued} queued completions): ${s.poolInUse - accounted} leaked`,
        );
      }
    }
  }

  /** Throws the violation found so far, if any. */
  check(): void {
    if (this.#violation) throw this.#violation;
  }

  #call(w: Watched, x: Extract<TraceRecord, { k: 'call' }>): void {
    if (x.op === 'wait') w.unhanded = false;
    else if (x.op !== 'wakeup') w.unhanded = true;
    if (x.op === 'add' || x.op === 'remove' || x.op === 'close') w.registrationsChanged = true;
    if (x.error) return;
    if (x.op === 'add') w.registered.add(x.fd!);
    else if (x.op === 'remove' || x.op === 'close') w.registered.delete(x.fd!);
    else if (x.op === 'destroy') w.destroyed = true;
  }

  #event(w: Watched, fd: number, ctx: number, type: number, bytes: number, code: string | null): void {
    // A wait that ended before the crash may still hand its events to the dead program: unchecked.
    if (w.crashed) return;
    if (!w.registered.has(fd)) {
      this.#fail(
        INVARIANTS.removed,
        this.#whereFd(w, fd),
        `an event of type ${type} was delivered for an fd that is not registered (removed, closed or never added)`,
      );
    }
    // A read that ended without data (end of stream, failure) comes without a buffer and counts no
    // bytes; a write's event also comes without one, and its bytes are those that left, even when
    // it failed (a CLOSE after a partial send): not bytes received.
    const bufferless = ctx < 0 && w.info.model === 'completion' && (type & EventType.CLOSE) !== 0 && bytes === 0;
    const data = w.received.get(ctx);
    const unfilledRead = bytes > 0 && (type & EventType.READ) !== 0;
    if (!data && !bufferless && !unfilledRead) return;
    w.received.delete(ctx);
    const to = w.kernel.connectionOf(fd);
    if (!to) return;
    if (bytes > 0) {
      if (!data || data.length < bytes || !(type & EventType.READ)) {
        this.#fail(INVARIANTS.bytes, this.#whereFd(w, fd), `a ${bytes}-byte event on context ${ctx} that no recv result filled`);
      }
      const broken = this.#deliver(to, data.subarray(0, bytes));
      if (broken !== null) this.#fail(INVARIANTS.bytes, this.#whereFd(w, fd), broken);
    } else if (type & EventType.CLOSE && code === null) {
      this.#endOfStream(this.#whereFd(w, fd), to);
    }
  }

  /** After each wait: `poolInUse` and `poolSize` as the core counts them (stats() reads the same). */
  #counters(w: Watched, poolInUse: number, poolSize: number): void {
    if (!w.reactor || w.destroyed || w.crashed) return;
    if (w.registrationsChanged) {
      w.registrationsChanged = false;
      this.#checkStats(w, w.reactor.stats());
    }
    if (poolInUse < w.inFlight.size || poolInUse > poolSize) {
      this.#fail(
        INVARIANTS.stats,
        this.#where(w),
        `stats().poolInUse is ${poolInUse}, with ${w.inFlight.size} operations in flight and a pool of ${poolSize}`,
      );
    }
  }

  #checkStats(w: Watched, { registered }: ReactorStats): void {
    if (registered !== w.registered.size) {
      this.#fail(
        INVARIANTS.stats,
        this.#where(w),
        `stats().registered is ${registered}, but the app has ${w.registered.size} fds registered (${[...w.registered].join(', ') || 'none'})`,
      );
    }
  }

  #direction(to: object): Direction {
    const end = to as Stream;
    return (end.observed ??= { queue: new ByteQueue(), delivered: 0 }) as Direction;
  }

  /** Checks that `bytes` are the next the connection's sender sent: null, or what is wrong. */
  #deliver(to: object, bytes: Uint8Array): string | null {
    const d = this.#direction(to);
    const n = Math.min(bytes.length, d.queue.length);
    if (this.#sentBytes.length < n) this.#sentBytes = new Uint8Array(Math.max(n, 2 * this.#sentBytes.length));
    const sent = this.#sentBytes;
    d.queue.take(sent, 0, n);
    for (let i = 0; i < n; i++) {
      if (sent[i] !== bytes[i]) {
        return `byte ${d.delivered + i} of the stream was delivered as ${bytes[i]} but sent as ${sent[i]}: reordered, duplicated or corrupted`;
      }
    }
    if (n < bytes.length) return `${bytes.length - n} bytes delivered beyond the ${d.delivered + n} that were sent: duplicated or invented`;
    d.delivered += n;
    return null;
  }

  #endOfStream(where: string, to: object): void {
    // A reset stream ends so once its error was reported (to a send, or to the readiness event's
    // SO_ERROR), as on Linux: the bytes it cut off were lost to the reset, not hidden by a clean end.
    if ((to as Stream).resetReceived) return;
    if (this.#owedReset.has(to))
      this.#fail(
        INVARIANTS.crash,
        where,
        'the app was told the stream ended cleanly, but the host at its other end crashed with it open: a crash resets',
      );
    const d = this.#direction(to);
    const left = d.queue.length;
    if (left > 0)
      this.#fail(
        INVARIANTS.bytes,
        where,
        `the app was told the stream ended cleanly after ${d.delivered} bytes, with ${left} sent bytes never delivered: lost`,
      );
  }

  #whereFd(w: Watched, fd: number): string {
    return `${this.#where(w)} fd ${fd}`;
  }

  #where(w: Watched): string {
    return `host ${w.info.host} reactor ${w.info.r} (${w.info.model})`;
  }

  #fail(invariant: string, where: string, detail: string): never {
    this.#violation ??= new InvariantViolation(invariant, this.#setup.seed, this.#setup.now(), where, detail);
    throw this.#violation;
  }
}
