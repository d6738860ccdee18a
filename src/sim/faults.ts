// Injected faults: each kind has a rate, draws from its own random stream (so enabling one never
// reshuffles the network's or another fault's draws), and is counted for the coverage report.
import { Random } from './random.js';
import { ReactorError } from '../errors.js';

export interface FaultRates {
  /** A send is taken only in part (the app must send the rest). */
  partialWriteRate?: number;
  /** A data segment resets the connection instead of arriving: both ends see ECONNRESET. */
  resetRate?: number;
  /** A connect is refused. */
  refuseRate?: number;
  /** A wait is interrupted by a signal (the shim resumes it with the time left). */
  interruptRate?: number;
  /** A pending connection is aborted before accept takes it. */
  acceptAbortRate?: number;
  /** An IOCP cancel lands late: the operation may still finish with its result instead of 995. */
  cancelRaceRate?: number;
}

export type FaultKind = 'partialWrite' | 'reset' | 'refuse' | 'interrupt' | 'acceptAbort' | 'cancelRace';
const KINDS: FaultKind[] = ['partialWrite', 'reset', 'refuse', 'interrupt', 'acceptAbort', 'cancelRace'];

export interface FaultReport {
  /** Per kind: its rate, and how often it was injected. */
  [kind: string]: { rate: number; injected: number };
}

export class Faults {
  readonly #rates = new Map<FaultKind, number>();
  readonly #streams = new Map<FaultKind, Random>();
  readonly #counts = new Map<FaultKind, number>();
  #observer: ((kind: FaultKind) => void) | null = null;

  constructor(seed: number, rates: FaultRates = {}) {
    for (const kind of KINDS) {
      const rate = (rates as Record<string, number | undefined>)[`${kind}Rate`] ?? 0;
      if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
        throw new ReactorError('EINVAL', `faults: ${kind}Rate must be a probability from 0 to 1, got ${String(rate)}`);
      }
      this.#rates.set(kind, rate);
      this.#streams.set(kind, new Random(seed, `fault:${kind}`));
      this.#counts.set(kind, 0);
    }
    const unknown = Object.keys(rates).filter((k) => !KINDS.some((kind) => `${kind}Rate` === k));
    if (unknown.length > 0) {
      throw new ReactorError('EINVAL', `faults: unknown ${unknown.join(', ')}; the faults are ${KINDS.map((k) => `${k}Rate`).join(', ')}`);
    }
  }

  /** Whether this occasion suffers the fault; a rate of 0 draws nothing. */
  strike(kind: FaultKind): boolean {
    const rate = this.#rates.get(kind)!;
    if (rate === 0 || this.#streams.get(kind)!.float() >= rate) return false;
    this.#counts.set(kind, this.#counts.get(kind)! + 1);
    this.#observer?.(kind);
    return true;
  }

  /** Calls `observer` at each injected fault (a trace records them); one observer at a time. */
  observe(observer: ((kind: FaultKind) => void) | null): void {
    this.#observer = observer;
  }

  /** A uniform draw from the fault's own stream (for how much of a partial write goes). */
  draw(kind: FaultKind): number {
    return this.#streams.get(kind)!.float();
  }

  report(): FaultReport {
    const out: FaultReport = {};
    for (const kind of KINDS) out[kind] = { rate: this.#rates.get(kind)!, injected: this.#counts.get(kind)! };
    return out;
  }
}
