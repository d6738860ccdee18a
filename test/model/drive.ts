// Runs one sequence of steps on a real reactor (native, over socket pairs) and on the reference
// model, and throws at the first disagreement: a refusal, an event, a byte, or stats().
import fc from 'fast-check';
import { EventType, Reactor, ReactorError, type IoEvent, type Mechanism } from '../../src/index.js';
import { ReactorModel, type Model, type ModelEvent, type Refusal } from './reactor-model.js';

export const PAIRS = 4;
export const BUFFER_SIZE = 512;
/** Enough contexts that the steps' reads and writes never exhaust the pool. */
export const POOL_SIZE = 64;
const MAX_SEND_BYTES = 3 * BUFFER_SIZE;
/** Reads posted at once across the pairs, kept under the pool with room for writes. */
const READS_POSTED_MAX = 16;

export type Step =
  | { op: 'add'; pair: number; mask: number }
  | { op: 'modify'; pair: number; mask: number }
  | { op: 'remove'; pair: number }
  | { op: 'peerSend'; pair: number; bytes: number }
  | { op: 'recv'; pair: number; max: number }
  | { op: 'postRead'; pair: number }
  | { op: 'postWrite'; pair: number; bytes: number }
  | { op: 'wait' };

const pair = fc.integer({ min: 0, max: PAIRS - 1 });
const mask = fc.constantFrom(0, EventType.READ, EventType.WRITE, EventType.READ | EventType.WRITE);

export function stepArbitrary(model: Model): fc.Arbitrary<Step> {
  const common = [
    fc.record({ op: fc.constant('add' as const), pair, mask }),
    fc.record({ op: fc.constant('remove' as const), pair }),
    fc.record({ op: fc.constant('peerSend' as const), pair, bytes: fc.integer({ min: 1, max: MAX_SEND_BYTES }) }),
    fc.constant({ op: 'wait' as const }),
  ];
  if (model === 'readiness') {
    return fc.oneof(...common, fc.record({ op: fc.constant('modify' as const), pair, mask }),
      fc.record({ op: fc.constant('recv' as const), pair, max: fc.integer({ min: 1, max: MAX_SEND_BYTES }) }));
  }
  return fc.oneof(...common, fc.record({ op: fc.constant('postRead' as const), pair }),
    fc.record({ op: fc.constant('postWrite' as const), pair, bytes: fc.integer({ min: 0, max: MAX_SEND_BYTES }) }));
}

/** The portable code of what `call` threw, or null when it returned. */
function refusalOf(call: () => unknown): Refusal {
  try {
    call();
    return null;
  } catch (e) {
    if (e instanceof ReactorError) return e.code;
    throw e;
  }
}

function agree<T>(what: string, real: T, model: T): void {
  const [a, b] = [JSON.stringify(real), JSON.stringify(model)];
  if (a !== b) throw new Error(`${what}: the reactor gave ${a}, the model ${b}`);
}

/** Events in the model's order-free form: by fd, and within an fd, writes before reads, in order. */
function normalized(events: ModelEvent[]): ModelEvent[] {
  return events.map((e, i) => ({ e, i })).sort((x, y) => x.e.fd - y.e.fd || (y.e.type & EventType.WRITE) - (x.e.type & EventType.WRITE) || x.i - y.i).map(({ e }) => e);
}

/** Byte k of what a peer sends: a running count, so a lost, doubled or reordered byte shows. */
const byteAt = (k: number): number => (k * 7 + (k >> 8)) & 0xff;

/** Runs `steps`; returns how many ran. Throws at the first disagreement, naming the step. */
export async function runSteps(model: Model, mechanism: Mechanism, steps: Step[]): Promise<number> {
  const r = await Reactor.create<number>({ model, mechanism, bufferSize: BUFFER_SIZE, poolSize: POOL_SIZE });
  const m = new ReactorModel(model, BUFFER_SIZE, POOL_SIZE);
  const pairs = Array.from({ length: PAIRS }, () => r.os.socketPair());
  const sent = new Array<number>(PAIRS).fill(0);
  const taken = new Array<number>(PAIRS).fill(0);
  const fdToPair = new Map(pairs.map(([fd], i) => [fd, i]));
  let readsPosted = 0;
  const check = (bytes: Uint8Array, p: number, where: string): void => {
    for (const b of bytes) if (b !== byteAt(taken[p]++)) throw new Error(`${where}: byte ${taken[p] - 1} of pair ${p} is ${b}, expected ${byteAt(taken[p] - 1)}`);
  };
  try {
    for (const [i, step] of steps.entries()) {
      const at = `step ${i} ${JSON.stringify(step)}`;
      const fd = 'pair' in step ? pairs[step.pair][0] : -1;
      switch (step.op) {
        case 'add': agree(at, refusalOf(() => r.add(fd, step.pair, step.mask)), m.add(fd, step.pair, step.mask)); break;
        case 'modify': agree(at, refusalOf(() => r.modify(fd, step.mask)), m.modify(fd, step.mask)); break;
        case 'remove': agree(at, r.remove(fd), m.remove(fd)); break;
        case 'peerSend': {
          const data = Uint8Array.from({ length: step.bytes }, (_, k) => byteAt(sent[step.pair] + k));
          agree(at, r.os.send(pairs[step.pair][1], data), step.bytes);
          sent[step.pair] += step.bytes;
          m.peerSent(fd, step.bytes);
          break;
        }
        case 'recv': {
          const got = r.os.recv(fd, step.max) ?? new Uint8Array(0);
          agree(at, got.length, m.recv(fd, step.max));
          check(got, step.pair, at);
          break;
        }
        case 'postRead':
          if (readsPosted >= READS_POSTED_MAX) break;
          agree(at, refusalOf(() => r.postRead(fd)), m.postRead(fd));
          break;
        case 'postWrite':
          agree(at, refusalOf(() => r.postWrite(fd, new Uint8Array(step.bytes))), m.postWrite(fd, step.bytes));
          break;
        case 'wait': {
          for (const [, peer] of pairs) while ((r.os.recv(peer, 65536)?.length ?? 0) > 0);
          const events: IoEvent<number>[] = r.wait(0);
          const real = events.map((e) => ({ fd: e.fd, context: e.context, type: e.type, bytes: model === 'completion' ? e.bytesTransferred : 0 }));
          agree(at, normalized(real), normalized(m.wait()));
          for (const e of events) if (model === 'completion' && e.type & EventType.READ) check(e.buffer!, fdToPair.get(e.fd)!, at);
          break;
        }
      }
      const stats = r.stats();
      agree(`${at}: stats`, { registered: stats.registered, readyQueued: stats.readyQueued }, { registered: m.registered, readyQueued: 0 });
      readsPosted = m.readsPosted;
    }
  } finally {
    for (const [a, b] of pairs) {
      r.os.close(a);
      r.os.close(b);
    }
    r.destroy();
  }
  return steps.length;
}
