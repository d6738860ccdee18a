// Runs one sequence of steps on a real reactor (native or simulated, over socket pairs) and on the
// reference model, and throws at the first disagreement: a refusal, an event, a byte, or stats().
import fc from 'fast-check';
import { EventType, Reactor, ReactorError, type IoEvent, type Mechanism, type Model } from '../../src/index.js';
import { ReactorModel, type ModelEvent, type ModelStats, type Refusal } from './reactor-model.js';
import type { Backend } from '../helpers.js';

export type Config = [Model, Mechanism, Backend];

/**
 * How a sequence uses its reactor. 'wide': four pairs and a pool that reads never run out of (the
 * OS's order decides which fd gets the last buffer, so scarcity is tried on one fd only).
 * 'narrow': one pair and a pool of four, so reads wait for buffers and writes queue or are refused.
 */
export type Shape = 'wide' | 'narrow';

interface ShapeSizes {
  pairs: number;
  poolSize: number;
  maxQueuedWriteBytes: number;
}

export const BUFFER_SIZE = 512;
const SHAPES: Record<Shape, ShapeSizes> = {
  wide: { pairs: 4, poolSize: 64, maxQueuedWriteBytes: 0 },
  narrow: { pairs: 1, poolSize: 4, maxQueuedWriteBytes: 3 * BUFFER_SIZE },
};
const PAIRS_MAX = SHAPES.wide.pairs;
const MAX_SEND_BYTES = 3 * BUFFER_SIZE;
/** Reads posted at once across the pairs. */
const READS_POSTED_MAX = 16;
/** Registrations at most: the pairs, with room; a small table keeps a reactor cheap to create. */
const MAX_SOCKETS = 4 * PAIRS_MAX;
/** A wait that delivers everything ready. */
const MAX_EVENTS_ALL = 1024;
/** A woken wait must end long before this. */
const WOKEN_TIMEOUT_MS = 10_000;
/** Waits a finished sequence may take for its writes to complete, then its cancels to come back. */
const SETTLE_WAITS_MAX = 16;
const FINISHING_WAIT: Step = { op: 'wait', maxEvents: MAX_EVENTS_ALL, woken: false };

export type Step =
  | { op: 'add'; pair: number; mask: number }
  | { op: 'modify'; pair: number; mask: number }
  | { op: 'remove'; pair: number }
  | { op: 'peerSend'; pair: number; bytes: number }
  | { op: 'peerClose'; pair: number; reset: boolean }
  | { op: 'renew'; pair: number }
  | { op: 'recv'; pair: number; max: number }
  | { op: 'postRead'; pair: number }
  | { op: 'postWrite'; pair: number; bytes: number }
  | { op: 'wait'; maxEvents: number; woken: boolean }
  | { op: 'destroy' };

export interface Sequence {
  shape: Shape;
  steps: Step[];
}

const mask = fc.constantFrom(0, EventType.READ, EventType.WRITE, EventType.READ | EventType.WRITE);
/** Step weights: most steps often, closes and reopens now and then, destroy in about one sequence in ten. */
const OFTEN = 200;
const SOMETIMES = 20;
const SELDOM = 10;

/** Random steps for `model`; pair numbers are taken modulo the shape's pairs. */
export function stepArbitrary(model: Model): fc.Arbitrary<Step> {
  const pair = fc.integer({ min: 0, max: PAIRS_MAX - 1 });
  const readiness = model === 'readiness';
  const weighted = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ arbitrary, weight });
  return fc.oneof(
    weighted(OFTEN, fc.record({ op: fc.constant('add' as const), pair, mask })),
    weighted(readiness ? OFTEN : 4 * SELDOM, fc.record({ op: fc.constant('modify' as const), pair, mask })),
    weighted(8 * SELDOM, fc.record({ op: fc.constant('remove' as const), pair })),
    weighted(OFTEN, fc.record({ op: fc.constant('peerSend' as const), pair, bytes: fc.integer({ min: 1, max: MAX_SEND_BYTES }) })),
    weighted(SOMETIMES, fc.record({ op: fc.constant('peerClose' as const), pair, reset: fc.boolean() })),
    weighted(SOMETIMES, fc.record({ op: fc.constant('renew' as const), pair })),
    weighted(
      readiness ? OFTEN : SELDOM,
      fc.record({ op: fc.constant('recv' as const), pair, max: fc.integer({ min: 1, max: MAX_SEND_BYTES }) }),
    ),
    weighted(readiness ? SELDOM : OFTEN, fc.record({ op: fc.constant('postRead' as const), pair })),
    weighted(
      readiness ? SELDOM : OFTEN,
      fc.record({ op: fc.constant('postWrite' as const), pair, bytes: fc.integer({ min: 0, max: MAX_SEND_BYTES }) }),
    ),
    weighted(
      2 * OFTEN,
      fc.record({ op: fc.constant('wait' as const), maxEvents: fc.constantFrom(1, 2, 3, MAX_EVENTS_ALL), woken: fc.boolean() }),
    ),
    weighted(1, fc.constant({ op: 'destroy' as const })),
  );
}

export function sequenceArbitrary(model: Model, maxLength: number, minLength = 0): fc.Arbitrary<Sequence> {
  return fc.record({
    shape: fc.constantFrom<Shape>('wide', 'narrow'),
    steps: fc.array(stepArbitrary(model), { minLength, maxLength, size: 'max' }),
  });
}

/** The portable code of what `call` threw, or null when it returned. */
function refusalOf(call: () => unknown): Refusal {
  try {
    call();
    return null;
  } catch (e) {
    if (!(e instanceof ReactorError)) throw e;
    saw(`refusal ${e.code}`);
    return e.code;
  }
}

/** Throws when the reactor and the model differ; `where` names the step (built only then). */
function agree<T>(where: () => string, real: T, model: T): void {
  if (real === model) return;
  const [a, b] = [JSON.stringify(real), JSON.stringify(model)];
  if (a !== b) throw new Error(`${where()}: the reactor gave ${a}, the model ${b}`);
}

/**
 * Defects planted in the drive on purpose, to watch a disagreement be found, shrunk and repeated
 * (`npm run fuzz -- --bug B`): 'reset-as-close' tells the model a peer's reset was a plain close;
 * 'forget-high-water' starts the model's poolHighWater at 0, wrong only on a reactor that earlier
 * sequences used (a failure that needs its history).
 */
export const PLANTED_BUGS = ['reset-as-close', 'forget-high-water'] as const;
export type PlantedBug = (typeof PLANTED_BUGS)[number];

/** How often each kind of outcome was seen, so a run shows what it reached (see `npm run fuzz`). */
export const reached = new Map<string, number>();
const saw = (what: string): void => {
  reached.set(what, (reached.get(what) ?? 0) + 1);
};
const EVENT_NAMES = Object.entries(EventType) as [string, number][];

/** Byte k of what a peer sends: a running count, so a lost, doubled or reordered byte shows. */
const byteAt = (k: number): number => (k * 7 + (k >> 8)) & 0xff;

/** One reactor per configuration and shape, reused: a sequence leaves it idle (see `settle`). */
const reactors = new Map<string, Reactor<number>>();

async function reactorFor([model, mechanism, backend]: Config, shape: Shape): Promise<Reactor<number>> {
  const key = `${model}/${mechanism}/${backend}/${shape}`;
  let r = reactors.get(key);
  if (!r || r.destroyed) {
    const { poolSize, maxQueuedWriteBytes } = SHAPES[shape];
    r = await Reactor.create<number>({
      backend,
      model,
      mechanism,
      bufferSize: BUFFER_SIZE,
      poolSize,
      maxQueuedWriteBytes,
      maxSockets: MAX_SOCKETS,
    });
    reactors.set(key, r);
  }
  return r;
}

/** Destroys the reactors `runSteps` kept. */
export function releaseReactors(): void {
  for (const r of reactors.values()) r.destroy();
  reactors.clear();
}

/** After a sequence closed its fds: the reactor must deliver nothing more and get back every context. */
function settle(r: Reactor<number>): void {
  for (let i = 0; i < SETTLE_WAITS_MAX; i++) {
    const events = r.wait(0);
    if (events.length > 0)
      throw new Error(`after every fd was closed, a wait delivered ${JSON.stringify(events.map((e) => ({ fd: e.fd, type: e.type })))}`);
    const s = r.stats();
    if (s.poolInUse === 0 && s.readyQueued === 0 && s.readsWaiting === 0 && s.registered === 0 && s.queuedWriteBytes === 0) return;
  }
  throw new Error(`after every fd was closed and ${SETTLE_WAITS_MAX} waits, the reactor still holds ${JSON.stringify(r.stats())}`);
}

function statsOf(r: Reactor<number>): ModelStats | 'EDESTROYED' {
  if (r.destroyed) return refusalOf(() => r.stats()) as 'EDESTROYED';
  const { registered, readyQueued, poolInUse, poolHighWater, poolHeld, poolQueued, readsWaiting, queuedWriteBytes } = r.stats();
  return { registered, readyQueued, poolInUse, poolHighWater, poolHeld, poolQueued, readsWaiting, queuedWriteBytes };
}

interface Pair {
  fd: number;
  peer: number;
  peerOpen: boolean;
  /** Bytes its peer sent, bytes the fd took: the running count `byteAt` numbers. */
  sent: number;
  taken: number;
}

/**
 * Runs a sequence; returns how many steps ran. Throws at the first disagreement, naming the step.
 * `log`, when given, receives each step with what the reactor delivered and its stats(); `bug`
 * plants that defect.
 */
export async function runSteps(
  [model, mechanism, backend]: Config,
  { shape, steps }: Sequence,
  { log, bug }: { log?: (line: string) => void; bug?: PlantedBug } = {},
): Promise<number> {
  const r = await reactorFor([model, mechanism, backend], shape);
  const sizes = SHAPES[shape];
  const before = r.stats();
  const m = new ReactorModel(
    model,
    {
      bufferSize: BUFFER_SIZE,
      poolSize: sizes.poolSize,
      maxQueuedWriteBytes: sizes.maxQueuedWriteBytes,
      writesMayLag: mechanism === 'io_uring' || mechanism === 'iocp',
      readsTriedAtOnce: mechanism === 'io_uring',
    },
    bug === 'forget-high-water' ? 0 : before.poolHighWater,
  );
  const open = (): Pair => {
    const [fd, peer] = r.os.socketPair();
    return { fd, peer, peerOpen: true, sent: 0, taken: 0 };
  };
  const pairs = Array.from({ length: sizes.pairs }, open);
  const pairOf = (fd: number): Pair => pairs.find((p) => p.fd === fd)!;
  const check = (bytes: Uint8Array, p: Pair, where: () => string): void => {
    for (const b of bytes)
      if (b !== byteAt(p.taken++))
        throw new Error(`${where()}: byte ${p.taken - 1} of fd ${p.fd} is ${b}, expected ${byteAt(p.taken - 1)}`);
  };
  const drainPeers = (): void => {
    for (const p of pairs) if (p.peerOpen) while ((r.os.recv(p.peer, 65536)?.length ?? 0) > 0);
  };
  const runStep = (i: number, step: Step): void => {
    const at = (): string => `step ${i} ${JSON.stringify(step)}`;
    const p = 'pair' in step ? pairs[step.pair % pairs.length] : pairs[0];
    const fd = p.fd;
    let peak: [number, number] | null = null;
    switch (step.op) {
      case 'add':
        agree(
          at,
          refusalOf(() => r.add(fd, step.pair, step.mask)),
          m.add(fd, step.pair, step.mask),
        );
        break;
      case 'modify':
        agree(
          at,
          refusalOf(() => r.modify(fd, step.mask)),
          m.modify(fd, step.mask),
        );
        break;
      case 'remove':
        // A write the OS holds comes back when it confirms the cancel: with one fd, when is the OS's choice.
        if (shape === 'narrow' && m.writesInFlight > 0) return;
        agree(at, r.destroyed ? refusalOf(() => r.remove(fd)) : r.remove(fd), m.remove(fd));
        break;
      case 'peerSend': {
        if (!p.peerOpen) return;
        const data = new Uint8Array(step.bytes);
        for (let k = 0; k < data.length; k++) data[k] = byteAt(p.sent + k);
        agree(at, r.os.send(p.peer, data), step.bytes);
        p.sent += step.bytes;
        m.peerSent(fd, step.bytes);
        break;
      }
      case 'peerClose':
        // Bytes left unread at close reset the connection; none, and the fd reads end of stream.
        if (!p.peerOpen || shape === 'narrow') return;
        if (step.reset) agree(at, r.os.send(fd, Uint8Array.of(1)), 1);
        else while ((r.os.recv(p.peer, 65536)?.length ?? 0) > 0);
        r.os.close(p.peer);
        p.peerOpen = false;
        m.peerClosed(fd, step.reset && bug !== 'reset-as-close' ? 'reset' : 'closed');
        break;
      case 'renew': {
        if (shape === 'narrow' || r.destroyed) return;
        r.os.close(p.fd);
        if (p.peerOpen) r.os.close(p.peer);
        m.closed(p.fd);
        Object.assign(p, open());
        break;
      }
      case 'recv': {
        if (model !== 'readiness') return;
        let got: Uint8Array | null | 'ECONNRESET';
        try {
          got = r.os.recv(fd, step.max);
        } catch (e) {
          if (!(e instanceof ReactorError) || e.code !== 'ECONNRESET') throw e;
          got = 'ECONNRESET';
        }
        const why = m.recv(fd, step.max, got === null || got === 'ECONNRESET' ? got : got.length);
        if (why)
          throw new Error(`${at()}: the reactor's recv gave ${got === null || got === 'ECONNRESET' ? got : `${got.length} bytes`}; ${why}`);
        if (got instanceof Uint8Array) check(got, p, at);
        break;
      }
      case 'postRead':
        if (m.readsArmed >= READS_POSTED_MAX) return;
        agree(
          at,
          refusalOf(() => r.postRead(fd)),
          m.postRead(fd),
        );
        break;
      case 'postWrite': {
        // Wide: the pool keeps a buffer for every read posted (see Shape).
        if (shape === 'wide' && m.poolInUse + Math.ceil(step.bytes / BUFFER_SIZE) + READS_POSTED_MAX > sizes.poolSize) return;
        agree(
          at,
          refusalOf(() => r.postWrite(fd, new Uint8Array(step.bytes))),
          m.postWrite(fd, step.bytes),
        );
        break;
      }
      case 'wait': {
        drainPeers();
        if (r.destroyed) {
          agree(
            at,
            refusalOf(() => r.wait(0)),
            'EDESTROYED',
          );
          break;
        }
        // While the OS may have chosen something the events would not show, they all must show.
        const maxEvents = m.choicesPending ? MAX_EVENTS_ALL : step.maxEvents;
        let events: IoEvent<number>[];
        if (step.woken) {
          r.wakeup();
          const start = r.now();
          events = r.wait(WOKEN_TIMEOUT_MS, maxEvents);
          if (r.now() - start >= WOKEN_TIMEOUT_MS) throw new Error(`${at()}: wakeup() did not end the wait`);
        } else {
          events = r.wait(0, maxEvents);
        }
        const seen: ModelEvent[] = events.map((e) => ({
          fd: e.fd,
          context: e.context,
          type: e.type,
          bytes: e.bytesTransferred,
          error: e.error?.code ?? '',
        }));
        // The OS says why: Linux's SO_ERROR after a reset is ECONNRESET. (The simulator's reset
        // sets no socket error, so its ERROR events carry no code: a known gap, not checked.)
        const unexplained = backend === 'native' ? seen.find((e) => e.type & EventType.ERROR && e.error === '') : undefined;
        if (unexplained) throw new Error(`${at()}: ERROR without an error code: ${JSON.stringify(unexplained)}`);
        try {
          peak = m.wait(maxEvents, seen);
        } catch (e) {
          throw new Error(`${at()}: ${(e as Error).message}; the reactor delivered ${JSON.stringify(seen)}`);
        }
        log?.(`  delivered ${JSON.stringify(seen)}`);
        for (const e of seen)
          saw(
            `event ${EVENT_NAMES.filter(([, bit]) => e.type & bit)
              .map(([name]) => name)
              .join('|')}${e.error ? ` ${e.error}` : ''}`,
          );
        if (events.length === maxEvents && maxEvents < MAX_EVENTS_ALL) saw('wait cut short by maxEvents');
        if (step.woken) saw('woken wait');
        for (const q of pairs) q.taken += m.takeDropped(q.fd);
        for (const e of events) if (model === 'completion' && e.type & EventType.READ) check(e.buffer!, pairOf(e.fd), at);
        break;
      }
      case 'destroy':
        r.destroy();
        m.destroy();
        break;
    }
    const real = statsOf(r);
    log?.(`${at()} -> ${JSON.stringify(real)}`);
    if (real === 'EDESTROYED' || m.destroyed) {
      agree(() => `${at()}: stats`, real, m.stats());
      return;
    }
    if (real.readsWaiting > 0) saw('stats: readsWaiting > 0');
    if (real.queuedWriteBytes > 0) saw('stats: queuedWriteBytes > 0');
    if (real.poolQueued > 0) saw('stats: poolQueued > 0');
    if (real.poolHeld > 0) saw('stats: poolHeld > 0');
    if (step.op === 'peerClose') saw(step.reset ? 'peer reset' : 'peer closed');
    try {
      m.agreeStats(real, peak);
    } catch (e) {
      throw new Error(`${at()}: ${(e as Error).message}`);
    }
  };
  try {
    steps.forEach((step, i) => runStep(i, step));
    // Every write must complete (late, perhaps, where writes may lag) while the fd is registered.
    for (let k = 0; !m.destroyed && m.writesOutstanding > 0; k++) {
      if (k === SETTLE_WAITS_MAX) throw new Error(`after ${SETTLE_WAITS_MAX} more waits, ${m.writesOutstanding} writes never completed`);
      runStep(steps.length + k, FINISHING_WAIT);
    }
  } catch (e) {
    releaseReactors();
    throw e;
  } finally {
    for (const p of pairs) {
      r.os.close(p.fd);
      if (p.peerOpen) r.os.close(p.peer);
    }
  }
  if (!r.destroyed) settle(r);
  return steps.length;
}
