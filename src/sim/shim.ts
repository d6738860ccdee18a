// The shim for `backend: 'sim'`: native/ C sources built by emscripten (build/sim/shim.mjs),
// their OS calls answered by a SimKernel. Same interface as the native addon's Shim.
import type { NativeShim, ShimLayout } from '../backend.js';
import { type SimKernel, SIM_BUFFER_BASE, E } from './kernel.js';
import { CompletionPort } from './iocp.js';
import { PollList } from './poll.js';
import { SimRing } from './uring.js';
import { ENTRY_INTS, MECHANISM, EPOLL, PROVIDED_FIELD, PROVIDED_HEADER_INTS, PROVIDED_ENTRY_INTS } from '../seam.js';
import { ReactorError } from '../errors.js';
import { simulatedToken, listSimulated, unlistSimulated } from '../sim-door.js';

interface ShimModule {
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  HEAPU32: Uint32Array;
  _sim_shim_open(model: number, mechanism: number, pool: number, sockets: number, requests: number, results: number): number;
  /** The request and result buffers every shim of the module shares (native/sim/sim_entry.c). */
  _sim_shim_requests(): number;
  _sim_shim_results(): number;
  _sim_shim_provided(shim: number): number;
  _sim_shim_wake_fd(shim: number): number;
  _sim_shim_wake(shim: number): number;
  _sim_shim_apply(shim: number, requests: number): number;
  _sim_shim_cycle(shim: number, requests: number, timeoutMs: number): number;
  _sim_shim_close(shim: number): void;
}

type Instantiate = (imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => object;
/** `kernel`: the OS calls native/sim/sim_os.js makes, switched to each reactor's before it calls in. */
type ModuleFactory = (overrides: {
  kernel: object | null;
  instantiateWasm: Instantiate;
}) => Promise<ShimModule & { kernel: object | null }>;
let factory: Promise<ModuleFactory> | undefined;
let compiled: Promise<WebAssembly.Module> | undefined;
let shared: Promise<ShimModule & { kernel: object | null }> | undefined;

function shimFactory(): Promise<ModuleFactory> {
  const url = new URL('../../../sim/shim.mjs', import.meta.url).href;
  factory ??= import(url).then((m: { default: ModuleFactory }) => m.default);
  return factory;
}

/** The shim's wasm, compiled once per process (build/sim/shim-wasm.mjs: its bytes as base64). */
function shimWasm(): Promise<WebAssembly.Module> {
  const url = new URL('../../../sim/shim-wasm.mjs', import.meta.url).href;
  compiled ??= import(url).then((m: { default: string }) => WebAssembly.compile(Uint8Array.from(atob(m.default), (c) => c.charCodeAt(0))));
  return compiled;
}

/** Emscripten's hook: instantiate the compiled shim instead of decoding and compiling it again. */
const instantiateWasm: Instantiate = (imports, receive) => {
  void shimWasm().then(async (module) => receive(await WebAssembly.instantiate(module, imports), module));
  return {};
};

/**
 * The one instance of the shim module that serves every simulated reactor of this thread: an
 * instance per reactor cost a compile-sized instantiation and a heap each, and a 3000-host
 * simulation has 3000 reactors. A closed reactor's shim is freed inside it at once: a wait still
 * parked for it finds the reactor closed and never calls in.
 */
function sharedModule(): Promise<ShimModule & { kernel: object | null }> {
  shared ??= shimFactory().then((create) => create({ kernel: null, instantiateWasm }));
  return shared;
}

/**
 * The kernel as one reactor's shim sees it: pointers into this shim's heap or the core's memory.
 * The completion ports and rings it opens go to `ports` and `rings`; a handle is the place there
 * plus one.
 */
function kernelCalls(kernel: SimKernel, core: Uint8Array, heap: () => ShimModule, ports: CompletionPort[], rings: SimRing[]): object {
  const coreOffset = (ptr: number): number => ptr - SIM_BUFFER_BASE;
  const port = (handle: number): CompletionPort => ports[handle - 1];
  // Reused from wait to wait: a kernel call allocates nothing.
  let found = new Uint32Array(2);
  const polled = new PollList();
  const ring = (handle: number): SimRing => rings[handle - 1];
  const u64 = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  return {
    get now() {
      return kernel.now;
    },
    accept: (fd: number) => kernel.accept(fd),
    readInto: (fd: number, ptr: number, len: number) => kernel.read(fd, core, coreOffset(ptr), len),
    writeFrom: (fd: number, ptr: number, len: number) => kernel.write(fd, core.subarray(coreOffset(ptr), coreOffset(ptr) + len)),
    isRegularFile: (fd: number) => kernel.isRegularFile(fd),
    socketError: (fd: number) => kernel.socketError(fd),
    eventfd: () => kernel.eventfd(),
    eventfdSignal: (fd: number) => kernel.eventfdSignal(fd),
    eventfdDrain: (fd: number) => kernel.eventfdDrain(fd),
    close: (fd: number) => kernel.close(fd),
    epollCreate: () => kernel.epollCreate(),
    epollControl: (ep: number, op: 'add' | 'modify' | 'remove', fd: number, events: number, tag: number) =>
      kernel.epollControl(ep, op, fd, events, tag),
    epollWait: (ep: number, ready: number, max: number, timeoutMs: number) => {
      if (found.length < 2 * max) found = new Uint32Array(2 * max);
      const n = kernel.epollWait(ep, timeoutMs, max, found);
      // os_ready: u32 events, tag.
      const u32 = heap().HEAPU32;
      for (let i = 0, at = ready >> 2; i < 2 * n; i++) u32[at + i] = found[i];
      return n;
    },
    poll: (fds: number, count: number, timeoutMs: number) => {
      // os_pollfd: i32 fd; i16 events, revents.
      const m = heap();
      polled.resize(count);
      for (let i = 0; i < count; i++) {
        polled.fds[i] = m.HEAP32[(fds >> 2) + i * 2];
        polled.events[i] = m.HEAPU32[(fds >> 2) + i * 2 + 1] & 0xffff;
      }
      const n = kernel.poll(polled, timeoutMs);
      for (let i = 0; i < count; i++) {
        const at = (fds >> 2) + i * 2 + 1;
        m.HEAP32[at] = (m.HEAP32[at] & 0xffff) | (polled.revents[i] << 16);
      }
      return n;
    },
    iocpOpen: (maxOps: number, handleAt: number) => {
      ports.push(new CompletionPort(kernel, core, maxOps));
      heap().HEAP32[handleAt >> 2] = ports.length;
      return 0;
    },
    iocpShut: (handle: number) => port(handle).shut(),
    iocpAssociate: (handle: number, fd: number, stream: number) => port(handle).associate(fd, stream !== 0),
    iocpDissociate: (handle: number, fd: number) => port(handle).dissociate(fd),
    iocpRecv: (handle: number, fd: number, ptr: number, len: number, op: number) => port(handle).recv(fd, coreOffset(ptr), len, op),
    iocpRecvNow: (handle: number, fd: number, ptr: number, len: number) => port(handle).recvNow(fd, coreOffset(ptr), len),
    iocpSend: (handle: number, fd: number, ptr: number, len: number, op: number) => port(handle).send(fd, coreOffset(ptr), len, op),
    iocpAccept: (handle: number, fd: number, op: number) => port(handle).accept(fd, op),
    iocpPost: (handle: number) => port(handle).post(),
    iocpWait: (handle: number, out: number, max: number, timeoutMs: number) => {
      const done = port(handle).wait(max, timeoutMs);
      const m = heap();
      // os_completion: u32 op, bytes, error; i32 accepted.
      done.forEach((c, i) => {
        const at = (out >> 2) + i * 4;
        m.HEAPU32[at] = c.op;
        m.HEAPU32[at + 1] = c.bytes;
        m.HEAPU32[at + 2] = c.error;
        m.HEAP32[at + 3] = c.accepted;
      });
      return done.length;
    },
    uringOpen: (entries: number, handleAt: number) => {
      rings.push(new SimRing(kernel, core, entries));
      heap().HEAP32[handleAt >> 2] = rings.length;
      return 0;
    },
    uringShut: (handle: number) => ring(handle).shut(),
    uringReserve: (handle: number, count: number) => ring(handle).reserve(count),
    uringSend: (handle: number, fd: number, ptr: number, len: number, linked: number, lo: number, hi: number) =>
      ring(handle).send(fd, coreOffset(ptr), len, linked !== 0, u64(lo, hi)),
    uringBuffersOpen: (handle: number, entries: number) => ring(handle).buffersOpen(entries),
    uringBuffersDrop: (handle: number, count: number) => ring(handle).buffersDrop(count),
    uringBufferAdd: (handle: number, ptr: number, len: number, id: number) => ring(handle).bufferAdd(coreOffset(ptr), len, id),
    uringRecv: (handle: number, fd: number, len: number, lo: number, hi: number) => ring(handle).recv(fd, len, u64(lo, hi)),
    uringAccept: (handle: number, fd: number, lo: number, hi: number) => ring(handle).acceptMultishot(fd, u64(lo, hi)),
    uringPoll: (handle: number, fd: number, events: number, multishot: number, lo: number, hi: number) =>
      ring(handle).poll(fd, events, multishot !== 0, u64(lo, hi)),
    uringCancel: (handle: number, targetLo: number, targetHi: number, lo: number, hi: number) =>
      ring(handle).cancel(u64(targetLo, targetHi), u64(lo, hi)),
    uringEnter: (handle: number, out: number, max: number, timeoutMs: number) => {
      const done = ring(handle).enter(max, timeoutMs);
      if (typeof done === 'number') return done;
      const m = heap();
      // os_uring_cqe: u64 tag (low half first), i32 res, u32 flags.
      done.forEach((c, i) => {
        const at = (out >> 2) + i * 4;
        m.HEAPU32[at] = Number(c.tag & 0xffffffffn);
        m.HEAPU32[at + 1] = Number(c.tag >> 32n);
        m.HEAP32[at + 2] = c.res;
        m.HEAPU32[at + 3] = c.flags;
      });
      return done.length;
    },
  };
}

/** How a wait on a crashed host (Simulation.crash) ends. */
export function hostDown(host: string, op: string): ReactorError {
  return new ReactorError(
    'EHOSTDOWN',
    `${op}: host ${JSON.stringify(host)} crashed (sim.crash); create reactors on the host sim.restart(name) boots`,
  );
}

/** Where a simulated waitAsync parks until virtual time brings it something (Simulation). */
export interface WaitScheduler {
  park(shim: SimShim, timeoutMs: number): Promise<number>;
}

export class SimShim implements NativeShim {
  readonly wakeToken = simulatedToken();
  readonly #module: ShimModule & { kernel: object | null };
  /** This reactor's view of its kernel, switched into the shared module before each call. */
  readonly #calls: object;
  readonly #shim: number;
  readonly #core: Int32Array;
  readonly #layout: ShimLayout;
  readonly #kernel: SimKernel;
  readonly #ports: CompletionPort[];
  readonly #wakeFd: number;
  #open = true;

  readonly #scheduler: WaitScheduler | undefined;

  static async create(kernel: SimKernel, coreMemory: ArrayBuffer, layout: ShimLayout, scheduler?: WaitScheduler): Promise<SimShim> {
    const module = await sharedModule();
    return new SimShim(module, kernel, coreMemory, layout, scheduler);
  }

  private constructor(
    module: ShimModule & { kernel: object | null },
    kernel: SimKernel,
    coreMemory: ArrayBuffer,
    layout: ShimLayout,
    scheduler?: WaitScheduler,
  ) {
    const ports: CompletionPort[] = [];
    const rings: SimRing[] = [];
    this.#scheduler = scheduler;
    this.#module = module;
    this.#calls = kernelCalls(kernel, new Uint8Array(coreMemory), () => module, ports, rings);
    module.kernel = this.#calls;
    this.#kernel = kernel;
    this.#ports = ports;
    this.#core = new Int32Array(coreMemory);
    this.#layout = layout;
    this.#shim = module._sim_shim_open(
      layout.model,
      layout.mechanism,
      layout.poolSize,
      layout.maxSockets,
      layout.requestCapacity,
      layout.resultCapacity,
    );
    if (this.#shim === 0) throw new Error('io-reactor: the simulated shim could not open (out of simulated fds?)');
    this.#wakeFd = module._sim_shim_wake_fd(this.#shim);
    listSimulated(this.wakeToken, this);
  }

  apply(requests: number): number {
    if (!this.#enter(requests)) return -E.EBADF;
    return this.#leave(this.#module._sim_shim_apply(this.#shim, requests));
  }

  cycle(requests: number, timeoutMs: number): number {
    if (!this.#enter(requests)) return -E.EBADF;
    return this.#leave(this.#module._sim_shim_cycle(this.#shim, requests, timeoutMs));
  }

  /** Switches the shared module to this reactor and copies its requests in; false when closed. */
  #enter(requests: number): boolean {
    if (!this.#open) return false;
    if (this.crashed) throw hostDown(this.#kernel.host, 'wait');
    const m = this.#module;
    m.kernel = this.#calls;
    const heap = m.HEAP32;
    const core = this.#core;
    let to = m._sim_shim_requests() >> 2;
    let from = this.#layout.requestsAt >> 2;
    for (let i = 0, ints = requests * ENTRY_INTS; i < ints; i++) heap[to + i] = core[from + i];
    // The provided ring, as the core filled it for this wait: its header, then `count` entries.
    to = m._sim_shim_provided(this.#shim) >> 2;
    from = this.#layout.providedAt >> 2;
    for (let i = 0, ints = PROVIDED_HEADER_INTS + PROVIDED_ENTRY_INTS * core[from + PROVIDED_FIELD.count]; i < ints; i++)
      heap[to + i] = core[from + i];
    return true;
  }

  /** Copies the call's results back into the core's memory. */
  #leave(results: number): number {
    const heap = this.#module.HEAP32;
    const core = this.#core;
    const from = this.#module._sim_shim_results() >> 2;
    const to = this.#layout.resultsAt >> 2;
    for (let i = 0, ints = results * ENTRY_INTS; i < ints; i++) core[to + i] = heap[from + i];
    return results;
  }

  /**
   * Alone, a simulated wait never blocks the event loop: the async wait is the sync one. Under a
   * Simulation, a wait with nothing to report parks until the scheduler finds it something, so
   * hosts take turns in virtual-time order.
   */
  cycleAsync(requests: number, timeoutMs: number): Promise<number> {
    if (this.crashed) return Promise.reject(hostDown(this.#kernel.host, 'waitAsync'));
    if (!this.#scheduler) return Promise.resolve(this.cycle(requests, timeoutMs));
    const results = this.cycle(requests, 0);
    if (results > 0 || timeoutMs === 0) return Promise.resolve(results);
    return this.#scheduler.park(this, timeoutMs);
  }

  /** Whether its host crashed: a wait must end with an error, not park. */
  get crashed(): boolean {
    return this.#kernel.crashed;
  }

  /** The kernel it waits on. */
  get kernel(): SimKernel {
    return this.#kernel;
  }

  /**
   * Whether a parked wait must be probed on every scheduler turn: completion ports and rings change as
   * deliveries land, apart from their kernel's files, so no kernel change marks them.
   */
  get probedAlways(): boolean {
    const m = this.#layout.mechanism;
    return m === MECHANISM.iocp || m === MECHANISM.io_uring;
  }

  /** Whether a wakeup is pending (the scheduler ends a parked wait for it). */
  get signalled(): boolean {
    if (!this.#open) return false;
    if (this.#layout.mechanism === MECHANISM.iocp) return this.#ports.some((p) => p.wakePending);
    return (this.#kernel.readiness(this.#wakeFd) & EPOLL.EPOLLIN) !== 0;
  }

  wakeup(): number {
    if (!this.#open) return -E.EBADF;
    this.#module.kernel = this.#calls;
    return this.#module._sim_shim_wake(this.#shim);
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    unlistSimulated(this.wakeToken);
    this.#module.kernel = this.#calls;
    this.#module._sim_shim_close(this.#shim);
  }

  get waitsInterrupted(): number {
    return 0;
  }
}
