// The Reactor: the public face of the core (decisions, in WASM) and the shim (system calls,
// native). One native call per wait; everything else is a WASM call into fixed memory.
import { instantiateCore, type CoreExports } from './core.js';
import { nativeBackend, nativeBinding } from './native.js';
import type { Backend, NativeShim } from './backend.js';
import { openLoneSimBackend, wakeSimulated, LONE_SIM_HOST } from './sim-door.js';
import type { FaultReport } from './faults.js';
import { ReactorError } from './errors.js';
import { EventType, type IoEvent } from './events.js';
import { portableCodeName } from './codes.js';
import { resolveOptions, type ReactorOptions, type ResolvedOptions } from './options.js';
import type { Model, Mechanism, BackendName } from './model.js';
import { checkFd, checkEvents, checkTimeout, checkMaxEvents, checkBytes } from './validate.js';
import {
  MODEL,
  MECHANISM,
  CORE_ERRORS,
  ERR_REQUESTS_FULL,
  ERR_NOBUFS,
  ERR_NOENT,
  ERR_INVAL,
  ENTRY_INTS,
  EVENT_FIELD,
  codeSpaceOf,
} from './seam.js';
import { DEFAULT_MAX_EVENTS } from './limits.js';
import { ReactorOs } from './os.js';
import { ReactorTap } from './trace/tap.js';
import type { TraceSink } from './trace/format.js';
import type { ReactorObserver } from './reactor-observer.js';

export interface ReactorStats {
  backend: BackendName;
  model: Model;
  mechanism: Mechanism;
  poolSize: number;
  bufferSize: number;
  /** Contexts taken: in flight, completed and queued, or delivered with a buffer still valid. */
  poolInUse: number;
  poolHighWater: number;
  /** Delivered buffers, valid until the next wait. */
  poolHeld: number;
  /** Completed operations whose events wait in the ready queue with their context. */
  poolQueued: number;
  /** Completion: ready reads waiting for a free buffer, and a listener's accepts waiting for a context. */
  readsWaiting: number;
  /** Completion: bytes of postWrite data queued until contexts are free (at most maxQueuedWriteBytes). */
  queuedWriteBytes: number;
  registered: number;
  maxSockets: number;
  /** Events ready and not yet delivered (left over by maxEvents). */
  readyQueued: number;
  /** Waits resumed after a signal interrupted them. */
  waitsInterrupted: number;
}

// Set by Reactor's static block, the one place with access to its private #open.
let openOn: (backend: Backend, options?: ReactorOptions) => Promise<Reactor<unknown>>;

/**
 * Internal entry, not exported from the package: a reactor over a given backend, for a
 * Simulation's hosts, a replay, or a test's shim. Apps call Reactor.create.
 */
export function openReactorOn<C = unknown>(backend: Backend, options?: ReactorOptions): Promise<Reactor<C>> {
  return openOn(backend, options) as Promise<Reactor<C>>;
}

export class Reactor<C = unknown> {
  /** Socket helpers: non-blocking sockets by fd, usable with this reactor. */
  readonly os: ReactorOs;
  readonly model: Model;
  readonly mechanism: Mechanism;
  /** 'native' (the real OS) or 'sim' (a simulated kernel in virtual time). */
  readonly backend: BackendName;

  readonly #core: CoreExports;
  readonly #backend: Backend;
  readonly #shim: NativeShim;
  readonly #options: ResolvedOptions;
  readonly #i32: Int32Array;
  readonly #u8: Uint8Array;
  readonly #contexts: (C | undefined)[] = [];
  /** Where the core writes delivered events, in int32s (fixed by its layout). */
  readonly #deliveredAt: number;
  /** Where the core lists the buffers of a started write's contexts, in int32s (fixed by its layout). */
  readonly #writeScratch: number;
  /** Per pool context, the view its last delivered buffer was (see #bufferOf). */
  readonly #views: (Uint8Array | undefined)[] = [];
  /** Sees this reactor's calls (its trace tap, when created with `trace`); null otherwise. */
  readonly #observer: ReactorObserver | null;
  /** This reactor's `r` in its trace; null when created without `trace`. */
  readonly #traceId: number | null;
  #destroyed = false;
  #waitingAsync = false;
  #closeAfterWait: (() => number)[] = [];
  #nudged = false;
  /** postWrite data waiting for free contexts, in the order it was posted. */
  readonly #queuedWrites: { fd: number; data: Uint8Array }[] = [];
  #queuedWriteBytes = 0;

  /** Creates a reactor; memory for every limit is taken here, once. */
  static async create<C = unknown>(options?: ReactorOptions): Promise<Reactor<C>> {
    const resolved = resolveOptions(options);
    if (resolved.backend === 'sim') return Reactor.#open<C>(resolved, LONE_SIM_HOST, () => openLoneSimBackend(resolved));
    const backend = nativeBackend();
    return Reactor.#open<C>(resolved, backend.host, () => backend);
  }

  static {
    // Object.assign, not { ...options, backend }: V8 (Node 20) builds a spread with more
    // properties after it on a slow path, ten times the cost; a simulation opens a reactor per host.
    openOn = (backend, options) =>
      Reactor.#open(resolveOptions(Object.assign({}, options, { backend: 'sim' })), backend.host, () => backend);
  }

  /**
   * Reactors open one at a time, in the order they were asked for: a simulated host hands out
   * fds as shims open, so opening in whichever order instantiations finish would make the same
   * seed run differently.
   */
  static #opening: Promise<unknown> = Promise.resolve();

  static #open<C>(resolved: ResolvedOptions, host: string, backend: () => Backend | Promise<Backend>): Promise<Reactor<C>> {
    // Numbered at the call, for the same reason.
    const traced = resolved.trace
      ? {
          sink: resolved.trace,
          r: resolved.trace.reactor({
            host,
            backend: resolved.backend,
            model: resolved.model,
            mechanism: resolved.mechanism,
            poolSize: resolved.poolSize,
            bufferSize: resolved.bufferSize,
            maxSockets: resolved.maxSockets,
          }),
        }
      : null;
    const opened = Reactor.#opening.then(async () => Reactor.#openNow<C>(resolved, await backend(), traced));
    // Settled to nothing: the chain outlives every reactor, and one it held kept its whole
    // simulation (a thousand hosts) alive into the next seed of a sweep.
    Reactor.#opening = opened.then(
      () => undefined,
      () => undefined,
    );
    return opened;
  }

  static async #openNow<C>(
    resolved: ResolvedOptions,
    backend: Backend,
    traced: { sink: TraceSink; r: number } | null,
  ): Promise<Reactor<C>> {
    const core = await (backend.takeCore ?? instantiateCore)(resolved);
    if (!core) {
      throw new ReactorError(
        'EINVAL',
        `Reactor.create: poolSize ${resolved.poolSize} × bufferSize ${resolved.bufferSize} with maxSockets ${resolved.maxSockets} needs more than 2 GiB; lower them`,
      );
    }
    const model = MODEL[resolved.model];
    const mechanism = MECHANISM[resolved.mechanism];
    if (core.init(model, mechanism, codeSpaceOf(mechanism)) !== 0) {
      throw new Error('io-reactor core refused its own layout: this is a bug, please report it');
    }
    const layout = {
      model,
      mechanism,
      poolSize: resolved.poolSize,
      maxSockets: resolved.maxSockets,
      requestsAt: core.requestsAt(),
      requestCapacity: core.requestCapacity(),
      resultsAt: core.resultsAt(),
      resultCapacity: core.resultCapacity(),
      providedAt: core.providedAt(),
    };
    let shim: NativeShim;
    try {
      shim = await backend.createShim(core.memory.buffer, layout);
    } catch (e) {
      backend.releaseCore?.(core); // no reactor holds it
      throw e;
    }
    if (!traced) return new Reactor<C>(core, resolved, shim, backend, null, null);
    // Named, not spread: V8 (Node 20) builds a spread with more properties after it on a slow path.
    const tap = new ReactorTap({
      sink: traced.sink,
      r: traced.r,
      memory: core.memory.buffer,
      layout,
      now: backend.now,
      os: backend.os,
      probe: core,
      host: backend.host,
      linksLoopback: resolved.backend === 'native',
    });
    return new Reactor<C>(core, resolved, shim, backend, tap, traced.r);
  }

  private constructor(
    core: CoreExports,
    options: ResolvedOptions,
    shim: NativeShim,
    backend: Backend,
    observer: ReactorObserver | null,
    traceId: number | null,
  ) {
    this.#observer = observer;
    this.#traceId = traceId;
    this.#core = core;
    this.#options = options;
    this.#shim = observer === null ? shim : observer.shim(shim);
    this.#backend = backend;
    this.model = options.model;
    this.mechanism = options.mechanism;
    this.backend = options.backend;
    this.#i32 = new Int32Array(core.memory.buffer);
    this.#u8 = new Uint8Array(core.memory.buffer);
    this.#deliveredAt = core.deliveredAt() >> 2;
    this.#writeScratch = core.writeScratchAt() >> 2;
    this.os = new ReactorOs(
      {
        isRegistered: (fd) => !this.#destroyed && this.#core.slotOf(fd) >= 0,
        closeRegistered: (fd, close) => {
          if (this.#observer !== null) return this.#observer.call('close', [fd, close], () => this.#closeRegistered(fd, close));
          this.#closeRegistered(fd, close);
        },
      },
      observer === null ? backend.os : observer.os(backend.os),
    );
  }

  // The app's calls are the observer's points: each public one hands its body (#add for add, ...)
  // to the observer if there is one, so a reactor without one runs only the body.

  /** Registers `fd` for `events`, with `context` returned on each of its events. */
  add(fd: number, context: C, events: number): void {
    if (this.#observer !== null) return this.#observer.call('add', [fd, context, events], () => this.#add(fd, context, events));
    this.#add(fd, context, events);
  }

  #add(fd: number, context: C, events: number): void {
    const op = 'add';
    this.#alive(op);
    checkFd(fd, op);
    checkEvents(events, op);
    const kind = this.#backend.os.fdKind(fd);
    if (kind < 0) {
      throw new ReactorError(
        'EBADF',
        `add: fd ${fd} is not open (errno ${-kind}); add sockets from reactor.os, stdin (0), or another open descriptor`,
        -kind,
      );
    }
    let slot = this.#core.add(fd, events, kind);
    if (this.#flushedIfFull(slot)) slot = this.#core.add(fd, events, kind);
    if (slot < 0) this.#refuse(op, slot, fd);
    this.#contexts[slot] = context;
    this.#nudge();
  }

  /** Changes the events an fd is watched for. */
  modify(fd: number, events: number): void {
    if (this.#observer !== null) return this.#observer.call('modify', [fd, events], () => this.#modify(fd, events));
    this.#modify(fd, events);
  }

  #modify(fd: number, events: number): void {
    const op = 'modify';
    this.#alive(op);
    checkFd(fd, op);
    checkEvents(events, op);
    let rc = this.#core.modify(fd, events);
    if (this.#flushedIfFull(rc)) rc = this.#core.modify(fd, events);
    if (rc < 0) this.#refuse(op, rc, fd);
    this.#nudge();
  }

  /**
   * Unregisters an fd; false when it was not registered. Pending operations are cancelled and no
   * event for it is delivered after this returns; their contexts come back once the OS confirms.
   */
  remove(fd: number): boolean {
    if (this.#observer !== null) return this.#observer.call('remove', [fd], () => this.#remove(fd));
    return this.#remove(fd);
  }

  #remove(fd: number): boolean {
    const op = 'remove';
    this.#alive(op);
    checkFd(fd, op);
    const slot = this.#core.slotOf(fd);
    let rc = this.#core.remove(fd);
    if (this.#flushedIfFull(rc)) rc = this.#core.remove(fd);
    if (rc < 0) this.#refuse(op, rc, fd);
    if (rc === 1) {
      this.#contexts[slot] = undefined;
      this.#dropQueuedWrites(fd);
    }
    this.#nudge();
    return rc === 1;
  }

  /** Completion model: posts a read (an accept, on a listener); one event when it finishes. */
  postRead(fd: number): void {
    if (this.#observer !== null) return this.#observer.call('postRead', [fd], () => this.#postRead(fd));
    this.#postRead(fd);
  }

  #postRead(fd: number): void {
    const op = 'postRead';
    this.#alive(op);
    checkFd(fd, op);
    let rc = this.#core.postRead(fd);
    if (this.#flushedIfFull(rc)) rc = this.#core.postRead(fd);
    if (rc < 0) this.#refuse(op, rc, fd);
    this.#nudge();
  }

  /**
   * Completion model: writes all of `data` (copied now, any length the pool can hold) and reports
   * one WRITE event when the whole write is done. When the pool has no free contexts for it, the
   * write queues behind earlier ones (up to maxQueuedWriteBytes); past that, or larger than the
   * whole pool, ENOBUFS with nothing sent.
   */
  postWrite(fd: number, data: Uint8Array): void {
    if (this.#observer !== null) return this.#observer.call('postWrite', [fd, data], () => this.#postWrite(fd, data));
    this.#postWrite(fd, data);
  }

  #postWrite(fd: number, data: Uint8Array): void {
    const op = 'postWrite';
    this.#alive(op);
    checkFd(fd, op);
    const length = checkBytes(data, op);
    if (length === 0) throw new ReactorError('EINVAL', 'postWrite: data is empty; there is nothing to write');
    // With nothing queued ahead, the core is asked at once: it refuses an unregistered fd and the
    // readiness model itself, so the common write pays for no check twice.
    const started = this.#queuedWrites.length === 0 ? this.#begin(fd, data, length) : ERR_NOBUFS;
    if (started > 0) {
      this.#nudge();
      return;
    }
    const o = this.#options;
    if (this.#core.slotOf(fd) < 0) this.#refuse(op, ERR_NOENT, fd);
    if (this.model !== 'completion') this.#refuse(op, ERR_INVAL, fd);
    if (Math.ceil(length / o.bufferSize) > o.poolSize) this.#refuse(op, ERR_NOBUFS, fd, length);
    if (started !== ERR_NOBUFS) this.#refuse(op, started, fd, length);
    if (this.#queuedWriteBytes + length > o.maxQueuedWriteBytes) this.#refuse(op, ERR_NOBUFS, fd, length, true);
    this.#queuedWrites.push({ fd, data: data.slice() });
    this.#queuedWriteBytes += length;
  }

  /** Hands a queued write to the core and copies its bytes into the contexts; false when none are free. */
  #startWrite(fd: number, data: Uint8Array): boolean {
    const parts = this.#begin(fd, data, data.length);
    if (parts === ERR_NOBUFS) return false;
    if (parts < 0) this.#refuse('postWrite', parts, fd, data.length);
    return true;
  }

  /**
   * Asks the core for the contexts of a write of `data`'s `length` bytes and, when it gives them,
   * copies the bytes in: the parts it started, or the core's refusal (ERR_NOBUFS: none free now).
   */
  #begin(fd: number, data: Uint8Array, length: number): number {
    let parts = this.#core.postWrite(fd, length);
    if (this.#flushedIfFull(parts)) parts = this.#core.postWrite(fd, length);
    if (parts > 0) this.#copyIn(data, parts);
    return parts;
  }

  /** Copies a started write's bytes into its `parts` contexts, whose buffers the core listed in the write scratch. */
  #copyIn(data: Uint8Array, parts: number): void {
    const scratch = this.#writeScratch;
    // The common write fits one context: copied whole, without a subarray made for it.
    if (parts === 1) {
      this.#u8.set(data, this.#i32[scratch]);
      return;
    }
    const size = this.#options.bufferSize;
    for (let i = 0; i < parts; i++) {
      this.#u8.set(data.subarray(i * size, Math.min(data.length, (i + 1) * size)), this.#i32[scratch + i]);
    }
  }

  /** Queued writes go out in order while contexts are free (before the wait provides the rest to reads). */
  #startQueuedWrites(): void {
    const queue = this.#queuedWrites;
    let started = 0;
    while (started < queue.length && this.#startWrite(queue[started].fd, queue[started].data)) {
      this.#queuedWriteBytes -= queue[started].data.length;
      started++;
    }
    queue.splice(0, started);
  }

  /** A removed fd's queued writes never go out, as its requests not yet performed. */
  #dropQueuedWrites(fd: number): void {
    const queue = this.#queuedWrites;
    if (queue.length === 0) return;
    const kept = queue.filter((w) => w.fd !== fd);
    for (const w of queue) if (w.fd === fd) this.#queuedWriteBytes -= w.data.length;
    queue.splice(0, queue.length, ...kept);
  }

  /**
   * Waits up to `timeoutMs` (fractions round up; null blocks until an event or a wakeup) and
   * returns up to `maxEvents` events. Buffers of returned events stay valid until the next wait.
   */
  wait(timeoutMs: number | null, maxEvents?: number): IoEvent<C>[] {
    if (this.#observer !== null) return this.#observer.call('wait', [timeoutMs, maxEvents], () => this.#wait(timeoutMs, maxEvents));
    return this.#wait(timeoutMs, maxEvents);
  }

  #wait(timeoutMs: number | null, maxEvents: number = DEFAULT_MAX_EVENTS): IoEvent<C>[] {
    const op = 'wait';
    this.#alive(op);
    if (this.#waitingAsync) throw new ReactorError('EBUSY', 'wait: a waitAsync is in progress; await it before waiting again');
    const timeout = checkTimeout(timeoutMs, op);
    checkMaxEvents(maxEvents, op);
    const requests = this.#beginWait();
    const results = this.#shim.cycle(requests, this.#core.readyQueued() > 0 ? 0 : timeout);
    this.#core.endWait(results, requests);
    return this.#deliver(maxEvents);
  }

  /** Same as wait, but the wait runs off the main thread: Node's event loop keeps running. */
  waitAsync(timeoutMs: number | null, maxEvents?: number): Promise<IoEvent<C>[]> {
    if (this.#observer !== null) return this.#observer.callAsync([timeoutMs, maxEvents], () => this.#waitAsync(timeoutMs, maxEvents));
    return this.#waitAsync(timeoutMs, maxEvents);
  }

  /**
   * A plain function that hands the shim's wait two continuations made once, not an async one: an
   * async function's own promise and await cost a fifth of what a simulated wait allocates. The
   * shim settles the promise it returns with them, so a simulated wait makes that one promise.
   */
  #waitAsync(timeoutMs: number | null, maxEvents: number = DEFAULT_MAX_EVENTS): Promise<IoEvent<C>[]> {
    const op = 'waitAsync';
    let began = false;
    try {
      this.#alive(op);
      if (this.#waitingAsync) throw new ReactorError('EBUSY', 'waitAsync: another waitAsync is in progress; await it first');
      const timeout = checkTimeout(timeoutMs, op);
      checkMaxEvents(maxEvents, op);
      this.#asyncRequests = this.#beginWait();
      this.#asyncMaxEvents = maxEvents;
      began = this.#waitingAsync = true;
      this.#nudged = false;
      return this.#shim.cycleAsync(this.#asyncRequests, this.#core.readyQueued() > 0 ? 0 : timeout, this.#asyncWaited, this.#asyncFailed);
    } catch (e) {
      // A wait this call began is over; an EBUSY leaves the one in progress alone.
      if (began) this.#waitingAsync = false;
      return Promise.reject(e);
    }
  }

  /** The waitAsync in progress: the requests it took, and its maxEvents. */
  #asyncRequests = 0;
  #asyncMaxEvents = 0;

  readonly #asyncWaited = (results: number): IoEvent<C>[] => {
    this.#waitingAsync = false;
    // Requests made while it waited stay queued for the next wait.
    this.#core.endWait(results, this.#asyncRequests);
    if (this.#closeAfterWait.length > 0) this.#closeDeferred();
    if (this.#destroyed) {
      this.#backend.releaseCore?.(this.#core);
      return [];
    }
    return this.#deliver(this.#asyncMaxEvents);
  };

  readonly #asyncFailed = (error: unknown): never => {
    this.#waitingAsync = false;
    throw error;
  };

  /** Ends a wait in progress early (with no event); callable from any thread via `wakeupToken`. */
  wakeup(): void {
    if (this.#observer !== null) return this.#observer.call('wakeup', [], () => this.#wakeup());
    this.#wakeup();
  }

  #wakeup(): void {
    this.#alive('wakeup');
    this.#shim.wakeup();
  }

  /** This reactor's `r` in its trace (null when created without `trace`). */
  get traceId(): number | null {
    return this.#traceId;
  }

  /** The reactor's clock in ms: monotonic real time natively, virtual time in simulation. */
  now(): number {
    return this.#backend.now();
  }

  /** backend 'sim': each fault kind's rate and how often it was injected; null natively. */
  faultReport(): FaultReport | null {
    return this.#backend.faultReport();
  }

  /** Pass to a worker thread; there `wakeup(token)` wakes this reactor. */
  get wakeupToken(): number {
    this.#alive('wakeupToken');
    return this.#shim.wakeToken;
  }

  /** Releases the OS handles. Idempotent. Registered fds stay open: they are the app's. */
  destroy(): void {
    if (this.#observer !== null) return this.#observer.call('destroy', [], () => this.#destroy());
    this.#destroy();
  }

  #destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#shim.close();
    this.#contexts.length = 0;
    this.#views.length = 0;
    // A pending waitAsync still ends its wait on the core: it lets go of it then.
    if (!this.#waitingAsync) this.#backend.releaseCore?.(this.#core);
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  stats(): ReactorStats {
    this.#alive('stats');
    const c = this.#core;
    return {
      backend: this.backend,
      model: this.model,
      mechanism: this.mechanism,
      poolSize: this.#options.poolSize,
      bufferSize: this.#options.bufferSize,
      poolInUse: c.poolInUse(),
      poolHighWater: c.poolHighWater(),
      poolHeld: c.poolHeld(),
      poolQueued: c.poolQueued(),
      readsWaiting: c.readsWaiting(),
      queuedWriteBytes: this.#queuedWriteBytes,
      registered: c.registered(),
      maxSockets: this.#options.maxSockets,
      readyQueued: c.readyQueued(),
      waitsInterrupted: this.#shim.waitsInterrupted,
    };
  }

  /**
   * os.close of a registered fd. The shim must forget the fd while it is still open: closed
   * first, its number could be reused by a new socket that the shim would then serve (or the
   * kernel keep watching, when the file is shared with another process).
   */
  #closeRegistered(fd: number, close: (fd: number) => number): void {
    this.remove(fd);
    if (this.#waitingAsync) {
      this.#closeAfterWait.push(() => close(fd));
      return;
    }
    this.#flush();
    close(fd);
  }

  #alive(op: string): void {
    if (this.#destroyed) throw new ReactorError('EDESTROYED', `${op}: this reactor was destroyed; create a new one with Reactor.create()`);
  }

  /** Held buffers come back first, so queued writes can take them before reads are lent the rest. */
  #beginWait(): number {
    this.#core.beginWait();
    if (this.#queuedWrites.length > 0) this.#startQueuedWrites();
    return this.#core.lendBuffers();
  }

  /**
   * True when a core call found the request buffer full: the requests went to the shim, so the
   * caller makes the call once more. The call is made by the caller, not passed in as a closure:
   * V8 allocated one per postRead and postWrite.
   */
  #flushedIfFull(rc: number): boolean {
    if (rc !== ERR_REQUESTS_FULL) return false;
    this.#flush();
    return true;
  }

  #flush(): void {
    if (this.#waitingAsync) {
      throw new ReactorError('EBUSY', 'the request queue is full while waitAsync is pending; await it, then retry');
    }
    const requests = this.#core.pendingRequests();
    this.#core.endWait(this.#shim.apply(requests), requests);
  }

  /** Closes what os.close deferred during the async wait, once the shim has let go of the fds. */
  #closeDeferred(): void {
    if (!this.#destroyed) this.#flush();
    const closes = this.#closeAfterWait;
    this.#closeAfterWait = [];
    for (const close of closes) close();
  }

  /** Requests made during a waitAsync would wait for its timeout: wake it once so they go now. */
  #nudge(): void {
    if (this.#waitingAsync && !this.#nudged) {
      this.#nudged = true;
      this.#shim.wakeup();
    }
  }

  #refuse(op: string, rc: number, fd: number, bytes = 0, queueFull = false): never {
    const code = CORE_ERRORS[rc] ?? 'EINVAL';
    const o = this.#options;
    const why: Record<string, string> = {
      EEXIST: `fd ${fd} is already registered; use modify() to change its events`,
      ENOENT: `fd ${fd} is not registered; add() it first`,
      ENOSPC: `all ${o.maxSockets} registrations are in use (maxSockets); remove fds you no longer watch, or create the reactor with a larger maxSockets`,
      ENOBUFS: queueFull
        ? `${bytes} more bytes would pass maxQueuedWriteBytes ${o.maxQueuedWriteBytes} (${this.#queuedWriteBytes} bytes already wait for free contexts); nothing was sent or queued: wait for WRITE completions (the peer may not be reading), or create the reactor with a larger maxQueuedWriteBytes`
        : `${bytes} bytes need ${Math.ceil(bytes / o.bufferSize)} contexts of ${o.bufferSize} bytes, more than the whole pool (poolSize ${o.poolSize}); nothing was sent: write less at once, or create the reactor with a larger poolSize or bufferSize`,
      EINVAL:
        this.model === 'readiness' && (op === 'postRead' || op === 'postWrite')
          ? `${op} belongs to the completion model; in readiness, read or write with reactor.os when the fd is ready, or create the reactor with model: 'completion'`
          : `invalid arguments`,
    };
    throw new ReactorError(code, `${op}: ${why[code] ?? 'refused'}`);
  }

  #deliver(maxEvents: number): IoEvent<C>[] {
    const core = this.#core;
    const count = core.collect(maxEvents);
    const i32 = this.#i32;
    const contexts = this.#contexts;
    const events: IoEvent<C>[] = new Array(count);
    // Locals, not the imported objects: V8 would load (and check) those again for every event.
    const { fd: FD, slot: SLOT, type: TYPE, bytes: BYTES, ctx: CTX, code: CODE } = EVENT_FIELD;
    const ACCEPT = EventType.ACCEPT;
    const first = this.#deliveredAt;
    for (let i = 0, at = first; i < count; i++, at += ENTRY_INTS) {
      const fd = i32[at + FD];
      const context = contexts[i32[at + SLOT]] as C;
      const type = i32[at + TYPE];
      const bytesTransferred = i32[at + BYTES];
      const ctx = i32[at + CTX];
      const buffer = ctx >= 0 ? this.#bufferOf(ctx, bytesTransferred) : null;
      events[i] =
        (type & ACCEPT) === 0 && i32[at + CODE] === 0
          ? { fd, context, type, bytesTransferred, buffer }
          : unusualEvent(fd, context, type, bytesTransferred, buffer, i32, at);
    }
    if (this.#observer !== null) this.#observer.delivered(count, first);
    return events;
  }

  /**
   * Context `ctx`'s first `bytes` bytes, as a view kept per context: a message of the length the
   * context's last one had (an echo's, a protocol's fixed frames) reuses it rather than making a
   * view per event. Views never move: the memory never grows.
   */
  #bufferOf(ctx: number, bytes: number): Uint8Array {
    const kept = this.#views[ctx];
    if (kept !== undefined && kept.length === bytes) return kept;
    const at = this.#core.contextBufferAt(ctx);
    const view = this.#u8.subarray(at, at + bytes);
    this.#views[ctx] = view;
    return view;
  }
}

/**
 * An ACCEPT's or a failure's event: its own object literals, so the common event's shape never
 * gains properties later (V8 then allocates the common one inline instead of copying a
 * boilerplate per event). The keys and their order are the same as if added to the common one.
 */
function unusualEvent<C>(
  fd: number,
  context: C,
  type: number,
  bytesTransferred: number,
  buffer: Uint8Array | null,
  i32: Int32Array,
  at: number,
): IoEvent<C> {
  const code = i32[at + EVENT_FIELD.code];
  const error = code === 0 ? undefined : { code: portableCodeName(code), osCode: i32[at + EVENT_FIELD.osCode] };
  if ((type & EventType.ACCEPT) === 0) return { fd, context, type, bytesTransferred, buffer, error };
  const acceptedFd = i32[at + EVENT_FIELD.accepted];
  return error === undefined
    ? { fd, context, type, bytesTransferred, buffer, acceptedFd }
    : { fd, context, type, bytesTransferred, buffer, acceptedFd, error };
}

/** Wakes the reactor whose `wakeupToken` this is, from any thread; false if it is gone. */
export function wakeup(token: number): boolean {
  if (typeof token !== 'number' || !Number.isInteger(token) || token <= 0 || token > 0xffffffff) {
    throw new ReactorError('EINVAL', `wakeup: token must be a reactor's wakeupToken, got ${String(token)}`);
  }
  return wakeSimulated(token) ?? nativeBinding().wakeByToken(token) === 0;
}
