// The core's own rate: raw shim results translated into events, with no system call and no
// shim. The WASM core is loaded directly; the benchmark plays the shim, writing raw results into
// the core's memory, then calls endWait(n) + collect(n) as Reactor.wait does.
//
//   readiness:  n RESULT.ready results (EPOLLIN) for n registered fds → n READ events per cycle.
//               The results are written once: endWait only reads them, so the loop times the core.
//   completion: n RESULT.recv results (64 bytes read into provided buffers) for the n armed reads →
//               n READ events with buffers; then, as an app and a shim would, postRead(fd) for each
//               event, beginWait() + lendBuffers() (held buffers return and are lent again), and the
//               next results are written from the new requests and the ring. The loop times it all.
import { performance } from 'node:perf_hooks';
import { instantiateCore, type CoreExports } from '../src/core.js';
import { MODEL, MECHANISM, CODES_ERRNO, KIND, REQUEST, RESULT, ENTRY_INTS as ENTRY } from '../src/seam.js';
import { EventType } from '../src/events.js';

const EPOLLIN = 0x001;
const FIRST_FD = 1000; // fake fds: the core never touches the OS
const MAX_CYCLES = 200_000_000; // every timing loop also stops after this many cycles

export interface CoreRateRow {
  model: 'readiness' | 'completion';
  /** Results per endWait (fds). */
  batch: number;
  cycles: number;
  results: number;
  seconds: number;
  /** Results translated and delivered per second. */
  rate: number;
  /** Nanoseconds per result inside endWait + collect alone (timed around those two calls; batches ≥ 64). */
  translateNs: number;
}

export interface CoreRateOptions {
  batches: number[];
  /** Time spent per measurement, after a warm-up of a fifth of it. */
  seconds: number;
}

async function freshCore(model: number, batch: number): Promise<CoreExports> {
  const core = await instantiateCore({ poolSize: Math.max(256, 4 * batch), bufferSize: 2048, maxSockets: Math.max(64, 2 * batch) });
  if (!core) throw new Error('core-rate: the core refused the sizes');
  if (core.init(model, MECHANISM.epoll, CODES_ERRNO, 0) !== 0) throw new Error('core-rate: core.init failed');
  return core;
}

/** Runs `cycle` (which handles `batch` results) until `seconds` pass or `maxCycles` ran. */
function timeCycles(cycle: () => void, seconds: number, maxCycles: number): { cycles: number; seconds: number } {
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  let cycles = 0;
  while (cycles < maxCycles) {
    // Check the clock every 16 cycles: at small batches a clock read per cycle would be measured too.
    for (let i = 0; i < 16; i++) cycle();
    cycles += 16;
    if (performance.now() >= end) break;
  }
  return { cycles, seconds: (performance.now() - t0) / 1000 };
}

async function readinessRate(batch: number, seconds: number): Promise<CoreRateRow> {
  const core = await freshCore(MODEL.readiness, batch);
  for (let i = 0; i < batch; i++) {
    if (core.add(FIRST_FD + i, EventType.READ, KIND.socket) < 0) throw new Error('core-rate: add refused');
  }
  const i32 = new Int32Array(core.memory.buffer);
  core.beginWait();
  const requests = core.lendBuffers();
  // The adds' requests carry each fd's slot and generation; the shim echoes them in results.
  let res = core.resultsAt() >> 2;
  let req = core.requestsAt() >> 2;
  let written = 0;
  for (let q = 0; q < requests; q++, req += ENTRY) {
    if (i32[req] !== REQUEST.add) continue;
    i32.set([RESULT.ready, i32[req + 1], i32[req + 2], EPOLLIN, 0, 0, i32[req + 6], 0], res);
    res += ENTRY;
    written++;
  }
  if (written !== batch) throw new Error(`core-rate: expected ${batch} add requests, saw ${written}`);
  core.endWait(0, core.pendingRequests()); // the shim took the adds; nothing happened yet

  const cycle = (): void => {
    core.beginWait();
    core.lendBuffers();
    core.endWait(batch, core.pendingRequests());
    if (core.collect(batch) !== batch) throw new Error('core-rate: readiness delivered fewer events than results');
  };
  timeCycles(cycle, seconds / 5, MAX_CYCLES);
  const t = timeCycles(cycle, seconds, MAX_CYCLES);
  const rate = (t.cycles * batch) / t.seconds;
  return {
    model: 'readiness',
    batch,
    cycles: t.cycles,
    results: t.cycles * batch,
    seconds: t.seconds,
    rate,
    translateNs: batch >= 64 ? 1e9 / rate : NaN,
  };
}

async function completionRate(batch: number, seconds: number): Promise<CoreRateRow> {
  const core = await freshCore(MODEL.completion, batch);
  for (let i = 0; i < batch; i++) {
    if (core.add(FIRST_FD + i, EventType.READ, KIND.socket) < 0) throw new Error('core-rate: add refused');
  }
  const i32 = new Int32Array(core.memory.buffer);
  const resultsAt = core.resultsAt() >> 2;
  const requestsAt = core.requestsAt() >> 2;
  const deliveredAt = core.deliveredAt() >> 2;
  const providedAt = core.providedAt() >> 2;

  /** Plays the shim: every read armed in this cycle finds 64 bytes, in the next provided buffer. */
  const completeRequests = (requests: number): number => {
    let res = resultsAt;
    let req = requestsAt;
    let n = 0;
    for (let q = 0; q < requests; q++, req += ENTRY) {
      if (i32[req] !== REQUEST.recv) continue;
      i32[res] = RESULT.recv;
      i32[res + 1] = i32[req + 1]; // fd
      i32[res + 2] = i32[req + 2]; // slot
      i32[res + 3] = 64; // bytes
      i32[res + 4] = 0; // os code
      i32[res + 5] = -1;
      i32[res + 6] = i32[req + 6]; // generation
      i32[res + 7] = i32[providedAt + 2 + 2 * n]; // the buffer taken
      res += ENTRY;
      n++;
    }
    return n;
  };
  const beginCycle = (): number => {
    core.beginWait();
    return completeRequests(core.lendBuffers());
  };

  let pending = beginCycle();
  if (pending !== batch) throw new Error(`core-rate: expected ${batch} posted reads, saw ${pending}`);

  let timeTranslate = false;
  let translateMs = 0;
  const cycle = (): void => {
    const t0 = timeTranslate ? performance.now() : 0;
    core.endWait(pending, core.pendingRequests());
    const count = core.collect(batch);
    if (timeTranslate) translateMs += performance.now() - t0;
    if (count !== batch) throw new Error('core-rate: completion delivered fewer events than results');
    // The app: each READ event's fd reposts its read.
    for (let i = 0, e = deliveredAt; i < count; i++, e += ENTRY) core.postRead(i32[e]);
    pending = beginCycle();
  };
  timeCycles(cycle, seconds / 5, MAX_CYCLES);
  const t = timeCycles(cycle, seconds, MAX_CYCLES);
  let translateNs = NaN;
  if (batch >= 64) {
    // A second pass with the clock read around endWait + collect only (too coarse below 64 results).
    timeTranslate = true;
    const u = timeCycles(cycle, seconds / 2, MAX_CYCLES);
    translateNs = (translateMs * 1e6) / (u.cycles * batch);
  }
  return {
    model: 'completion',
    batch,
    cycles: t.cycles,
    results: t.cycles * batch,
    seconds: t.seconds,
    rate: (t.cycles * batch) / t.seconds,
    translateNs,
  };
}

export async function coreRate(options: CoreRateOptions): Promise<CoreRateRow[]> {
  const rows: CoreRateRow[] = [];
  for (const batch of options.batches) {
    rows.push(await readinessRate(batch, options.seconds));
    rows.push(await completionRate(batch, options.seconds));
  }
  return rows;
}
