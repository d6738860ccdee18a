// The shim for `backend: 'sim'`: native/ C sources built by emscripten (shim-module.ts), their OS
// calls answered by a SimKernel (kernel-calls.ts). Same interface as the native addon's Shim.
import type { NativeShim, ShimLayout } from '../backend.js';
import { type SimKernel, E } from './kernel.js';
import { KernelCalls } from './kernel-calls.js';
import { sharedModule, type ShimModule } from './shim-module.js';
import { ENTRY_INTS, MECHANISM, EPOLL, PROVIDED_FIELD, PROVIDED_HEADER_INTS, PROVIDED_ENTRY_INTS } from '../seam.js';
import { ReactorError } from '../errors.js';
import { simulatedToken, listSimulated, unlistSimulated } from '../sim-door.js';
/** How a wait on a crashed host (Simulation.crash) ends. */
export function hostDown(host: string, op: string): ReactorError {
  return new ReactorError(
    'EHOSTDOWN',
    `${op}: host ${JSON.stringify(host)} crashed (sim.crash); create reactors on the host sim.restart(name) boots`,
  );
}

/** What SimShim.probe returns when its wait finds nothing to end with. */
export const NOTHING_FOUND = -1;

/**
 * Where a simulated waitAsync parks until virtual time brings it something (Simulation). The
 * promise it returns settles with what `waited` returns for the wait's results, or what `failed`
 * throws for its error (NativeShim.cycleAsync).
 */
export interface WaitScheduler {
  park<T>(shim: SimShim, timeoutMs: number, waited: (results: number) => T, failed: (error: unknown) => never): Promise<T>;
}

export class SimShim implements NativeShim {
  readonly wakeToken = simulatedToken();
  readonly #module: ShimModule;
  /** This reactor's view of its kernel, switched into the shared module before each call. */
  readonly #calls: KernelCalls;
  readonly #shim: number;
  /** Where the shim's count of always-ready fds is (a probe of such a shim must enter it). */
  readonly #alwaysCountAt: number;
  readonly #providedAt: number;
  readonly #core: Int32Array;
  readonly #layout: ShimLayout;
  readonly #kernel: SimKernel;
  readonly #wakeFd: number;
  #open = true;
  /** Its scheduler's record of its waits, reused from wait to wait (scheduler.ts, which alone sets it); null until one parks. */
  parkedWait: object | null = null;

  readonly #scheduler: WaitScheduler | undefined;
  /**
   * Whether a parked wait must be probed on every scheduler turn: completion ports and rings change as
   * deliveries land, apart from their kernel's files, so no kernel change marks them.
   */
  readonly probedAlways: boolean;

  static async create(kernel: SimKernel, coreMemory: ArrayBuffer, layout: ShimLayout, scheduler?: WaitScheduler): Promise<SimShim> {
    const module = await sharedModule();
    return new SimShim(module, kernel, coreMemory, layout, scheduler);
  }

  private constructor(module: ShimModule, kernel: SimKernel, coreMemory: ArrayBuffer, layout: ShimLayout, scheduler?: WaitScheduler) {
    this.#scheduler = scheduler;
    this.#module = module;
    this.#calls = new KernelCalls(kernel, new Uint8Array(coreMemory), module);
    module.use(this.#calls);
    this.#kernel = kernel;
    this.#core = new Int32Array(coreMemory);
    this.#layout = layout;
    this.probedAlways = layout.mechanism === MECHANISM.iocp || layout.mechanism === MECHANISM.io_uring;
    this.#shim = module.open(
      layout.model,
      layout.mechanism,
      layout.poolSize,
      layout.maxSockets,
      layout.requestCapacity,
      layout.resultCapacity,
    );
    if (this.#shim === 0) {
      throw new ReactorError(
        'ENOSPC',
        `createReactor: the simulated shim has no room for another reactor with maxSockets ${layout.maxSockets} and poolSize ${layout.poolSize}: every simulated reactor of a thread shares one wasm heap, and each keeps state for all the sockets maxSockets allows; give simulated reactors the maxSockets they need (the default is sized for production), or destroy reactors no longer used`,
      );
    }
    const x = module.exports;
    this.#wakeFd = x._sim_shim_wake_fd(this.#shim);
    this.#alwaysCountAt = x._sim_shim_always_count_at(this.#shim);
    this.#providedAt = x._sim_shim_provided(this.#shim);
    listSimulated(this.wakeToken, this);
  }

  apply(requests: number): number {
    if (!this.#usable()) return -E.EBADF;
    this.#enter(requests);
    return this.#leave(this.#module.exports._sim_shim_apply(this.#shim, requests));
  }

  cycle(requests: number, timeoutMs: number): number {
    if (!this.#usable()) return -E.EBADF;
    if (requests === 0 && timeoutMs === 0 && this.#probeFindsNothing()) return 0;
    return this.#cycle(requests, timeoutMs);
  }

  /** A cycle of the shim: the requests in, its wait, the results out. */
  #cycle(requests: number, timeoutMs: number): number {
    this.#enter(requests);
    const results = this.#module.exports._sim_shim_cycle(this.#shim, requests, timeoutMs);
    // A probe's wait left untaken would skip the interrupt draw of the next one: the run would fork.
    if (this.#kernel.probePending)
      throw new Error('io-reactor: the shim did not take the wait its probe began; this is a bug, please report it');
    return this.#leave(results);
  }

  /**
   * The scheduler's look at this shim's parked wait: a cycle with nothing to apply and no time to
   * wait. Returns what the wait ends with (the events found; 0 for a wakeup or a closed reactor),
   * or NOTHING_FOUND, and the wait stays parked. Throws when its host crashed.
   */
  probe(): number {
    if (!this.#usable()) return 0;
    // The wakeup's eventfd is on the epoll's ready list while signalled: a probe that finds
    // nothing found no wakeup either.
    if (this.#probeFindsNothing()) return NOTHING_FOUND;
    const woken = this.signalled; // read first: the cycle drains the wakeup
    const n = this.#cycle(0, 0);
    return n > 0 || woken ? n : NOTHING_FOUND;
  }

  /**
   * A cycle with nothing to apply and no time to wait is one epoll_wait in the shim (posix_driver.c,
   * posix_harvest): when the kernel says that wait finds nothing, the shim has nothing to do and
   * is not entered. Most probes of parked waits are such, one per change on their host.
   */
  #probeFindsNothing(): boolean {
    const ep = this.#calls.epoll;
    if (ep < 0 || this.#layout.mechanism !== MECHANISM.epoll) return false;
    if (this.#module.heap32[this.#alwaysCountAt >> 2] !== 0) return false;
    return !this.#kernel.epollProbe(ep);
  }

  /** False when closed; throws when its host crashed. */
  #usable(): boolean {
    if (!this.#open) return false;
    if (this.crashed) throw hostDown(this.#kernel.host, 'wait');
    return true;
  }

  /** Switches the shared module to this reactor and copies its requests in. */
  #enter(requests: number): void {
    const m = this.#module;
    m.use(this.#calls);
    const heap = m.heap32;
    const core = this.#core;
    let to = m.requestsAt >> 2;
    let from = this.#layout.requestsAt >> 2;
    for (let i = 0, ints = requests * ENTRY_INTS; i < ints; i++) heap[to + i] = core[from + i];
    // The provided ring, as the core filled it for this wait: its header, then `count` entries.
    to = this.#providedAt >> 2;
    from = this.#layout.providedAt >> 2;
    for (let i = 0, ints = PROVIDED_HEADER_INTS + PROVIDED_ENTRY_INTS * core[from + PROVIDED_FIELD.count]; i < ints; i++)
      heap[to + i] = core[from + i];
  }

  /** Copies the call's results back into the core's memory. */
  #leave(results: number): number {
    const heap = this.#module.heap32;
    const core = this.#core;
    const from = this.#module.resultsAt >> 2;
    const to = this.#layout.resultsAt >> 2;
    for (let i = 0, ints = results * ENTRY_INTS; i < ints; i++) core[to + i] = heap[from + i];
    return results;
  }

  /**
   * Alone, a simulated wait never blocks the event loop: the async wait is the sync one. Under a
   * Simulation, a wait with nothing to report parks until the scheduler finds it something, so
   * hosts take turns in virtual-time order.
   */
  cycleAsync<T>(requests: number, timeoutMs: number, waited: (results: number) => T, failed: (error: unknown) => never): Promise<T> {
    if (this.crashed) return Promise.reject(hostDown(this.#kernel.host, 'waitAsync')).catch(failed);
    if (!this.#scheduler) return Promise.resolve(this.cycle(requests, timeoutMs)).then(waited);
    const results = this.cycle(requests, 0);
    if (results > 0 || timeoutMs === 0) return Promise.resolve(results).then(waited);
    return this.#scheduler.park(this, timeoutMs, waited, failed);
  }

  /** Whether its host crashed: a wait must end with an error, not park. */
  get crashed(): boolean {
    return this.#kernel.crashed;
  }

  /** The kernel it waits on. */
  get kernel(): SimKernel {
    return this.#kernel;
  }

  /** Whether a wakeup is pending (the scheduler ends a parked wait for it). */
  get signalled(): boolean {
    if (!this.#open) return false;
    if (this.#layout.mechanism === MECHANISM.iocp) return this.#calls.ports.some((p) => p.wakePending);
    return (this.#kernel.readiness(this.#wakeFd) & EPOLL.EPOLLIN) !== 0;
  }

  wakeup(): number {
    if (!this.#open) return -E.EBADF;
    this.#module.use(this.#calls);
    return this.#module.exports._sim_shim_wake(this.#shim);
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    unlistSimulated(this.wakeToken);
    this.#module.use(this.#calls);
    this.#module.exports._sim_shim_close(this.#shim);
    // The module outlives every simulation of the thread: the calls it last served would keep theirs alive.
    this.#module.use(null);
  }

  get waitsInterrupted(): number {
    return 0;
  }
}
