// Loads build/core.wasm: the reactor's state machine. Sized once here, never grown after.
// With IO_REACTOR_DEBUG=1 (every test run) it loads build/core-debug.wasm, which checks its
// invariants with assertions that the release build compiles out.
import { PROVIDED_FIELD, PROVIDED_ENTRY_FIELD, PROVIDED_HEADER_INTS, PROVIDED_ENTRY_INTS } from './seam.js';

/** The core's exports (assembly/index.ts). */
export interface CoreExports {
  memory: WebAssembly.Memory;
  plan(poolSize: number, bufferSize: number, maxSockets: number): number;
  init(model: number, mechanism: number, codeSpace: number, quietWrites: number): number;
  add(fd: number, events: number, kind: number): number;
  modify(fd: number, events: number): number;
  remove(fd: number): number;
  slotOf(fd: number): number;
  postRead(fd: number): number;
  postWrite(fd: number, len: number, from: number): number;
  beginWait(): void;
  lendBuffers(): number;
  endWait(results: number, performed: number): number;
  collect(maxEvents: number): number;
  requestsAt(): number;
  requestCapacity(): number;
  pendingRequests(): number;
  freeRequestEntries(): number;
  resultsAt(): number;
  resultCapacity(): number;
  deliveredAt(): number;
  writeScratchAt(): number;
  providedAt(): number;
  contextBufferAt(ctx: number): number;
  poolInUse(): number;
  poolHighWater(): number;
  poolHeld(): number;
  poolFree(): number;
  readsWaiting(): number;
  registered(): number;
  readyQueued(): number;
  poolQueued(): number;
  tableRows(table: number): number;
  tableCell(table: number, row: number, column: number): number;
  translateError(codeSpace: number, osCode: number): number;
  translateFailure(codeSpace: number, osCode: number): number;
  translateSuccess(op: number, bytes: number): number;
  translateRevents(usePoll: number, revents: number): number;
}

export interface CoreSizes {
  poolSize: number;
  bufferSize: number;
  maxSockets: number;
}

const WASM_PAGE = 65536;
let compiled: Promise<WebAssembly.Module> | undefined;

/** The core's file in build/: the asserting one when IO_REACTOR_DEBUG=1 (in Node). */
export function coreFile(): string {
  return globalThis.process?.env?.IO_REACTOR_DEBUG === '1' ? 'core-debug.wasm' : 'core.wasm';
}

function coreModule(): Promise<WebAssembly.Module> {
  compiled ??= wasmBytes(new URL(`../../${coreFile()}`, import.meta.url)).then((bytes) => WebAssembly.compile(bytes));
  return compiled;
}

/** An AssemblyScript string in the core's memory: UTF-16, its byte length just before it. */
function coreString(memory: WebAssembly.Memory, ptr: number): string {
  if (ptr === 0) return '';
  const view = new DataView(memory.buffer);
  const units = view.getUint32(ptr - 4, true) >> 1;
  return String.fromCharCode(...Array.from({ length: units }, (_, i) => view.getUint16(ptr + i * 2, true)));
}

/** In Node the core is a file of the build; in the visualizer's page its server serves it. */
async function wasmBytes(url: URL): Promise<BufferSource> {
  if (url.protocol === 'file:') return (await import('node:fs/promises')).readFile(url);
  const response = await fetch(url);
  if (!response.ok)
    throw new Error(`io-reactor: fetching ${url} failed (${response.status}); serve build/core.wasm there as application/wasm`);
  return response.arrayBuffer();
}

/**
 * Whether the compiled core may be instantiated synchronously: Node allows it for any size, and
 * it skips a task of the event loop per reactor (a simulation opens one per host). A browser's
 * main thread may refuse it.
 */
const SYNC_INSTANTIATION = typeof globalThis.process?.versions?.node === 'string';

/** The pages of memory the core's own data takes before plan() lays out the rest (its import's minimum). */
const CORE_DATA_PAGES = 1;

/** A core instance only to ask plan() what memory sizes need (plan reads and writes no memory). */
let planner: CoreExports | undefined;

/**
 * A fresh core instance whose memory fits `sizes`; null when they do not fit. The memory is made
 * at that size, never grown: growing a memory detaches its old ArrayBuffer, and once any buffer is
 * detached V8 checks for it at every typed array access in the process, the app's included.
 */
export async function instantiateCore(sizes: CoreSizes): Promise<CoreExports | null> {
  const module = await coreModule();
  planner ??= await instantiateWith(module, new WebAssembly.Memory({ initial: CORE_DATA_PAGES }));
  const bytes = planner.plan(sizes.poolSize, sizes.bufferSize, sizes.maxSockets);
  if (bytes === 0) return null;
  const core = await instantiateWith(module, new WebAssembly.Memory({ initial: Math.ceil(bytes / WASM_PAGE) }));
  core.plan(sizes.poolSize, sizes.bufferSize, sizes.maxSockets);
  return core;
}

async function instantiateWith(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<CoreExports> {
  const imports = {
    env: {
      memory,
      abort(message: number, file: number, line: number, column: number): never {
        throw new Error(
          `io-reactor core aborted: ${coreString(memory, message)} (${coreString(memory, file)}:${line}:${column}); this is a bug in io-reactor, please report it`,
        );
      },
    },
  };
  const instance = SYNC_INSTANTIATION ? new WebAssembly.Instance(module, imports) : await WebAssembly.instantiate(module, imports);
  return instance.exports as unknown as CoreExports;
}

/** Translation table ids (assembly/translate.ts). */
export const TABLE = { epoll: 0, poll: 1, errno: 2, win32: 3, completion: 4 } as const;

/** A translation table's rows, for inspection and tests. */
export function tableRows(core: CoreExports, table: number): number[][] {
  const columns = table === TABLE.epoll || table === TABLE.poll ? 2 : 3;
  const rows: number[][] = [];
  for (let r = 0; r < core.tableRows(table); r++) {
    rows.push(Array.from({ length: columns }, (_, c) => core.tableCell(table, r, c)));
  }
  return rows;
}

/** Where provided buffer `id` lies in the core's memory, from the ring the core filled for this
 * wait (assembly/provided.ts); -1 if it was not lent. For the trace, which records and replays
 * the bytes a recv result brought. */
export function providedOffset(i32: Int32Array, providedAt: number, id: number): number {
  const ring = providedAt >> 2;
  const first = ring + PROVIDED_HEADER_INTS;
  for (let i = 0, n = i32[ring + PROVIDED_FIELD.count]; i < n; i++) {
    const entry = first + i * PROVIDED_ENTRY_INTS;
    if (i32[entry + PROVIDED_ENTRY_FIELD.id] === id) return i32[entry + PROVIDED_ENTRY_FIELD.offset];
  }
  return -1;
}
