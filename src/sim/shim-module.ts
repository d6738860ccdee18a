// The emscripten build of the shim (build/sim/shim.mjs): compiled once per process, and one
// instance of it serves every simulated reactor of the thread, each switched in as it calls.

/** The exports of native/sim/sim_entry.c, and the heap views emscripten keeps current. */
interface ShimExports {
  HEAP32: Int32Array;
  HEAPU32: Uint32Array;
  /** The OS calls native/sim/sim_os.js makes: the calling reactor's (kernel-calls.ts). */
  kernel: object | null;
  _sim_shim_open(model: number, mechanism: number, pool: number, sockets: number, requests: number, results: number): number;
  _sim_shim_requests(): number;
  _sim_shim_results(): number;
  _sim_shim_provided(shim: number): number;
  _sim_shim_always_count_at(shim: number): number;
  _sim_shim_wake_fd(shim: number): number;
  _sim_shim_wake(shim: number): number;
  _sim_shim_apply(shim: number, requests: number): number;
  _sim_shim_cycle(shim: number, requests: number, timeoutMs: number): number;
  _sim_shim_close(shim: number): void;
}

type Instantiate = (imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => object;
type ModuleFactory = (overrides: { kernel: null; instantiateWasm: Instantiate }) => Promise<ShimExports>;

/** The module every simulated reactor of this thread shares. */
export class ShimModule {
  /** Where the request and result buffers that every shim shares are (a later open may move them). */
  requestsAt = 0;
  resultsAt = 0;

  /** Emscripten's views of the heap, kept here: a look-up on its module object is a slow one, and every call reads them. */
  #heap32: Int32Array;
  #heapU32: Uint32Array;
  /** The reactor switched in (its kernel calls), so switching to it again costs nothing. */
  #current: object | null = null;

  constructor(readonly exports: ShimExports) {
    this.#heap32 = exports.HEAP32;
    this.#heapU32 = exports.HEAPU32;
  }

  /** The heap as i32s. A grown heap detaches the old views (length 0): emscripten's new ones are taken then. */
  get heap32(): Int32Array {
    if (this.#heap32.length === 0) this.#heap32 = this.exports.HEAP32;
    return this.#heap32;
  }

  get heapU32(): Uint32Array {
    if (this.#heapU32.length === 0) this.#heapU32 = this.exports.HEAPU32;
    return this.#heapU32;
  }

  /** Switches the module to a reactor: the OS calls it makes go to `calls` (native/sim/sim_os.js); null: to none. */
  use(calls: object | null): void {
    if (this.#current === calls) return;
    this.#current = calls;
    this.exports.kernel = calls;
  }

  /** A shim planned as `sim_shim_open` takes it: its handle, or 0. */
  open(model: number, mechanism: number, poolSize: number, maxSockets: number, requestCapacity: number, resultCapacity: number): number {
    const x = this.exports;
    const shim = x._sim_shim_open(model, mechanism, poolSize, maxSockets, requestCapacity, resultCapacity);
    this.requestsAt = x._sim_shim_requests();
    this.resultsAt = x._sim_shim_results();
    return shim;
  }
}

let factory: Promise<ModuleFactory> | undefined;
let compiled: Promise<WebAssembly.Module> | undefined;
let shared: Promise<ShimModule> | undefined;

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
export function sharedModule(): Promise<ShimModule> {
  shared ??= shimFactory().then(async (create) => new ShimModule(await create({ kernel: null, instantiateWasm })));
  return shared;
}
