// The shim for `backend: 'sim'`: native/ C sources built by emscripten (build/sim/shim.mjs),
// their OS calls answered by a SimKernel. Same interface as the native addon's Shim.
import type { NativeShim, ShimLayout } from '../backend.js';
import { SimKernel, SIM_BUFFER_BASE, E } from './kernel.js';
import { CompletionPort } from './iocp.js';
import { ENTRY_INTS, MECHANISM, EPOLL, PROVIDED_FIELD, PROVIDED_HEADER_INTS, PROVIDED_ENTRY_INTS } from '../seam.js';
import { ReactorError } from '../errors.js';
import { simulatedToken, listSimulated, unlistSimulated } from '../sim-door.js';

interface ShimModule {
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  HEAPU32: Uint32Array;
  _sim_shim_open(model: number, mechanism: number, pool: number, sockets: number, requests: number, results: number): number;
  _sim_shim_requests(shim: number): number;
  _sim_shim_results(shim: number): number;
  _sim_shim_provided(shim: number): number;
  _sim_shim_wake_fd(shim: number): number;
  _sim_shim_wake(shim: number): number;
  _sim_shim_apply(shim: number, requests: number): number;
  _sim_shim_cycle(shim: number, requests: number, timeoutMs: number): number;
  _sim_shim_close(shim: number): void;
}

type Instantiate = (imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => object;
type ModuleFactory = (overrides: { kernel: object; instantiateWasm: Instantiate }) => Promise<ShimModule>;
let factory: Promise<ModuleFactory> | undefined;
let compiled: Promise<WebAssembly.Module> | undefined;

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
 * The kernel as one reactor's shim sees it: pointers into this shim's heap or the core's memory.
 * The completion ports it opens go to `ports`; a port's handle is its place there plus one.
 */
function kernelCalls(kernel: SimKernel, core: Uint8Array, heap: () => ShimModule, ports: CompletionPort[]): object {
  const coreOffset = (ptr: number): number => ptr - SIM_BUFFER_BASE;
  const port = (handle: number): CompletionPort => ports[handle - 1];
  return {
    get now() { return kernel.now; },
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
      const found = kernel.epollWait(ep, timeoutMs, max);
      if (typeof found === 'number') return found;
      const u32 = heap().HEAPU32;
      found.forEach((r, i) => { u32[(ready >> 2) + i * 2] = r.events; u32[(ready >> 2) + i * 2 + 1] = r.tag; });
      return found.length;
    },
    poll: (fds: number, count: number, timeoutMs: number) => {
      const m = heap();
      const entries = Array.from({ length: count }, (_, i) => ({
        fd: m.HEAP32[(fds >> 2) + i * 2], events: m.HEAPU32[(fds >> 2) + i * 2 + 1] & 0xffff, revents: 0,
      }));
      const n = kernel.poll(entries, timeoutMs);
      const i16 = new Int16Array(m.HEAPU8.buffer);
      entries.forEach((e, i) => { i16[(fds >> 1) + i * 4 + 3] = e.revents; });
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
  };
}

/** How a wait on a crashed host (Simulation.crash) ends. */
export function hostDown(host: string, op: string): ReactorError {
  return new ReactorError('EHOSTDOWN', `${op}: host ${JSON.stringify(host)} crashed (sim.crash); create reactors on the host sim.restart(name) boots`);
}

/** Where a simulated waitAsync parks until virtual time brings it something (Simulation). */
export interface WaitScheduler {
  park(shim: SimShim, timeoutMs: number): Promise<number>;
}

export class SimShim implements NativeShim {
  readonly wakeToken = simulatedToken();
  readonly #module: ShimModule;
  readonly #shim: number;
  readonly #core: Int32Array;
  readonly #layout: ShimLayout;
  readonly #kernel: SimKernel;
  readonly #ports: CompletionPort[];
  #open = true;

  readonly #scheduler: WaitScheduler | undefined;

  static async create(kernel: SimKernel, coreMemory: ArrayBuffer, layout: ShimLayout, scheduler?: WaitScheduler): Promise<SimShim> {
    const holder: { module?: ShimModule } = {};
    const ports: CompletionPort[] = [];
    const module = await (await shimFactory())({ kernel: kernelCalls(kernel, new Uint8Array(coreMemory), () => holder.module!, ports), instantiateWasm });
    holder.module = module;
    return new SimShim(module, kernel, ports, coreMemory, layout, scheduler);
  }

  private constructor(module: ShimModule, kernel: SimKernel, ports: CompletionPort[], coreMemory: ArrayBuffer, layout: ShimLayout, scheduler?: WaitScheduler) {
    this.#scheduler = scheduler;
    this.#module = module;
    this.#kernel = kernel;
    this.#ports = ports;
    this.#core = new Int32Array(coreMemory);
    this.#layout = layout;
    this.#shim = module._sim_shim_open(layout.model, layout.mechanism, layout.poolSize, layout.maxSockets,
      layout.requestCapacity, layout.resultCapacity);
    if (this.#shim === 0) throw new Error('io-reactor: the simulated shim could not open (out of simulated fds?)');
    listSimulated(this.wakeToken, this);
  }

  apply(requests: number): number {
    return this.#across(requests, () => this.#module._sim_shim_apply(this.#shim, requests));
  }

  cycle(requests: number, timeoutMs: number): number {
    return this.#across(requests, () => this.#module._sim_shim_cycle(this.#shim, requests, timeoutMs));
  }

  /** Copies the requests into the shim's memory, runs `call`, copies its results back. */
  #across(requests: number, call: () => number): number {
    if (!this.#open) return -E.EBADF;
    if (this.crashed) throw hostDown(this.#kernel.host, 'wait');
    const m = this.#module;
    const ints = requests * ENTRY_INTS;
    m.HEAP32.set(this.#core.subarray(this.#layout.requestsAt >> 2, (this.#layout.requestsAt >> 2) + ints), m._sim_shim_requests(this.#shim) >> 2);
    // The provided ring, as the core filled it for this wait: its header, then `count` entries.
    const ring = this.#layout.providedAt >> 2;
    const ringInts = PROVIDED_HEADER_INTS + PROVIDED_ENTRY_INTS * this.#core[ring + PROVIDED_FIELD.count];
    m.HEAP32.set(this.#core.subarray(ring, ring + ringInts), m._sim_shim_provided(this.#shim) >> 2);
    const results = call();
    const from = m._sim_shim_results(this.#shim) >> 2;
    this.#core.set(m.HEAP32.subarray(from, from + results * ENTRY_INTS), this.#layout.resultsAt >> 2);
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

  /**
   * Its kernel's version (see SimKernel.version), or null when that does not tell: completion
   * ports change as deliveries land, apart from the kernel's files.
   */
  get kernelVersion(): number | null {
    return this.#layout.mechanism === MECHANISM.iocp ? null : this.#kernel.version;
  }

  /** Whether a wakeup is pending (the scheduler ends a parked wait for it). */
  get signalled(): boolean {
    if (!this.#open) return false;
    if (this.#layout.mechanism === MECHANISM.iocp) return this.#ports.some((p) => p.wakePending);
    return (this.#kernel.readiness(this.#module._sim_shim_wake_fd(this.#shim)) & EPOLL.EPOLLIN) !== 0;
  }

  wakeup(): number {
    return this.#open ? this.#module._sim_shim_wake(this.#shim) : -E.EBADF;
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    unlistSimulated(this.wakeToken);
    this.#module._sim_shim_close(this.#shim);
  }

  get waitsInterrupted(): number {
    return 0;
  }
}
