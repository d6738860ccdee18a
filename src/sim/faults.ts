// Injected faults. Every occasion a fault could strike is numbered per kind, and every injection
// is recorded as (kind, occasion), so a run can be replayed from an explicit schedule (exactly
// those injections, nothing else) and a failing schedule can be shrunk. Rates draw from one
// random stream per kind, so enabling one kind never reshuffles the network's or another kind's.
import { Random, nameHash } from './random.js';
import { ReactorError } from '../errors.js';
import { show } from '../validate.js';
import type { FaultRates, FaultReport } from '../faults.js';

export type FaultKind =
  | 'partialWrite'
  | 'reset'
  | 'refuse'
  | 'interrupt'
  | 'acceptAbort'
  | 'stall'
  | 'partition'
  | 'cancelRace'
  | 'partialRead'
  | 'emfile'
  | 'enobufs'
  | 'halfClose'
  | 'crash';
export const FAULT_KINDS: readonly FaultKind[] = [
  'partialWrite',
  'reset',
  'refuse',
  'interrupt',
  'acceptAbort',
  'stall',
  'partition',
  'cancelRace',
  'partialRead',
  'emfile',
  'enobufs',
  'halfClose',
  'crash',
];

/** How long a stalled segment is held back, in virtual ms. */
export const STALL_MS = 200;
/** How long a one-way partition lasts, in virtual ms. */
export const PARTITION_MS = 500;

/** One injected fault: its kind and the index (from 0) of its occasion among that kind's. */
export interface Injection {
  kind: FaultKind;
  occasion: number;
}

/**
 * One kind's occasions: each strike numbers the next and says whether it suffers the fault. A
 * subsystem that asks on its hot path (a write's partialWrite) keeps its kind's (Faults.of).
 */
export class FaultOccasions {
  occasions = 0;
  /** The nameHash of the draws' stream names up to the occasion's number. */
  readonly #drawHash: number;

  /** `scheduled`: with a schedule, the occasions to strike (null: rates decide). */
  constructor(
    readonly kind: FaultKind,
    readonly rate: number,
    readonly stream: Random,
    readonly scheduled: ReadonlySet<number> | null,
    readonly seed: number,
    readonly injected: (injection: Injection) => void,
  ) {
    this.#drawHash = nameHash(`fault:${kind}#`);
  }

  /** Whether this occasion suffers the fault. Every occasion is counted, struck or not. */
  strike(): boolean {
    const occasion = this.occasions++;
    const hit = this.scheduled ? this.scheduled.has(occasion) : this.rate > 0 && this.stream.float() < this.rate;
    if (hit) this.injected({ kind: this.kind, occasion });
    return hit;
  }

  /** Faults.draw for this kind. */
  draw(): number {
    return new Random(this.seed, nameHash(String(this.occasions - 1), this.#drawHash)).float();
  }
}

export class Faults {
  readonly #kinds = new Map<FaultKind, FaultOccasions>();
  /** With a schedule: per kind, the occasions to strike; without one, rates decide. */
  readonly #schedule: Map<FaultKind, Set<number>> | null;
  readonly #injected: Injection[] = [];
  #observer: ((injection: Injection) => void) | null = null;
  readonly #inject = (injection: Injection): void => {
    this.#injected.push(injection);
    this.#observer?.(injection);
  };

  constructor(seed: number, rates: FaultRates = {}, schedule?: readonly Injection[]) {
    if (typeof rates !== 'object' || rates === null || Array.isArray(rates)) {
      throw new ReactorError('EINVAL', `faults: must be an object of rates such as { resetRate: 0.01 }, got ${show(rates)}`);
    }
    if (schedule !== undefined && !Array.isArray(schedule)) {
      throw new ReactorError(
        'EINVAL',
        `faults: faultSchedule must be an array of { kind, occasion } (what faultInjections() returns), got ${show(schedule)}`,
      );
    }
    const unknown = Object.keys(rates).filter((k) => !FAULT_KINDS.some((kind) => `${kind}Rate` === k));
    if (unknown.length > 0) {
      throw new ReactorError(
        'EINVAL',
        `faults: unknown ${unknown.join(', ')}; the faults are ${FAULT_KINDS.map((k) => `${k}Rate`).join(', ')}`,
      );
    }
    const rateOf = (kind: FaultKind): number => {
      const rate = (rates as Record<string, number | undefined>)[`${kind}Rate`] ?? 0;
      if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
        throw new ReactorError('EINVAL', `faults: ${kind}Rate must be a probability from 0 to 1, got ${String(rate)}`);
      }
      return rate;
    };
    const kindRates = FAULT_KINDS.map(rateOf);
    this.#schedule = schedule ? scheduleByKind(schedule) : null;
    if (this.#schedule && Object.keys(rates).length > 0) {
      throw new ReactorError(
        'EINVAL',
        'faults: give either rates or a schedule, not both; a schedule injects exactly its faults and nothing else',
      );
    }
    const none: ReadonlySet<number> = new Set();
    FAULT_KINDS.forEach((kind, i) => {
      const scheduled = this.#schedule ? (this.#schedule.get(kind) ?? none) : null;
      this.#kinds.set(kind, new FaultOccasions(kind, kindRates[i], new Random(seed, `fault:${kind}`), scheduled, seed, this.#inject));
    });
  }

  /** `kind`'s occasions, for a subsystem that asks on its hot path. */
  of(kind: FaultKind): FaultOccasions {
    return this.#kinds.get(kind)!;
  }

  /** Whether this occasion suffers the fault. Every occasion is counted, struck or not. */
  strike(kind: FaultKind): boolean {
    return this.#kinds.get(kind)!.strike();
  }

  /** Whether `kind` can strike at all: a rate above 0, or a schedule that names it. */
  mayStrike(kind: FaultKind): boolean {
    return this.#schedule ? this.#schedule.has(kind) : this.#kinds.get(kind)!.rate > 0;
  }

  /** Calls `observer` at each injected fault (a trace records them); one observer at a time. */
  observe(observer: ((injection: Injection) => void) | null): void {
    this.#observer = observer;
  }

  /**
   * A uniform draw for the detail of the injection just struck (how much of a partial write
   * goes, or of a partial read is taken). It derives from the injection's identity alone, so a
   * schedule replays it exactly.
   */
  draw(kind: FaultKind): number {
    return this.#kinds.get(kind)!.draw();
  }

  /** Every injection so far, in the order they happened: a schedule that replays them. */
  injections(): Injection[] {
    return this.#injected.map((i) => ({ ...i }));
  }

  report(): FaultReport {
    const out: FaultReport = {};
    for (const kind of FAULT_KINDS) {
      out[kind] = {
        rate: this.#schedule ? null : this.#kinds.get(kind)!.rate,
        injected: this.#injected.filter((i) => i.kind === kind).length,
      };
    }
    return out;
  }
}

function scheduleByKind(schedule: readonly Injection[]): Map<FaultKind, Set<number>> {
  const byKind = new Map<FaultKind, Set<number>>();
  for (const entry of schedule) {
    if (!FAULT_KINDS.includes(entry?.kind) || !Number.isInteger(entry.occasion) || entry.occasion < 0) {
      throw new ReactorError(
        'EINVAL',
        `faults: a schedule entry is { kind, occasion } with kind one of ${FAULT_KINDS.join(', ')} and occasion an integer >= 0, got ${show(entry)}`,
      );
    }
    if (!byKind.has(entry.kind)) byKind.set(entry.kind, new Set());
    byKind.get(entry.kind)!.add(entry.occasion);
  }
  return byKind;
}
