// A sweep's configuration: what is run for every seed, its hash (printed with every failure),
// and the command line that reproduces one run of it.
import type { FaultRates } from '../../faults.js';
import type { Injection } from '../faults.js';
import type { Mechanism, Model } from '../../model.js';

export interface SweepConfig {
  scenario: string;
  model: Model;
  /** Unset: the simulation's default (epoll). */
  mechanism?: Mechanism;
  size?: number;
  bug?: string;
  faults: FaultRates;
  latencyMs: [number, number];
  /** Unset: the simulation's default window, the latency's minimum (0: exact arrival times). */
  deliveryWindowMs?: number;
}

/** One-way latency of every run, in virtual ms: enough spread to reorder across connections. */
export const SWEEP_LATENCY_MS: [number, number] = [1, 20];
/** Faults a sweep injects unless --faults says otherwise: those a correct app must survive. */
export const DEFAULT_FAULTS: FaultRates = { partialWriteRate: 0.05, stallRate: 0.02 };

/**
 * `--faults all`: every kind at once, each at a rate that strikes several times in a run; a
 * program that handles every fault passes every seed.
 */
export const ALL_FAULTS: FaultRates = {
  partialWriteRate: 0.05,
  resetRate: 0.02,
  refuseRate: 0.05,
  interruptRate: 0.05,
  acceptAbortRate: 0.05,
  stallRate: 0.02,
  partitionRate: 0.01,
  cancelRaceRate: 0.05,
  partialReadRate: 0.05,
  emfileRate: 0.05,
  enobufsRate: 0.05,
  halfCloseRate: 0.02,
  crashRate: 0.01,
};

/**
 * Which seeds a sweep runs twice to see that they run alike: all, none, or (the default) every
 * failing seed and one passing seed in DETERMINISM_SAMPLE_EVERY.
 */
export const DETERMINISM_CHECKS = ['all', 'sampled', 'off'] as const;
export type DeterminismCheck = (typeof DETERMINISM_CHECKS)[number];
export const DETERMINISM_SAMPLE_EVERY = 10;
/** 2^32 / φ, rounded to odd: Fibonacci hashing's multiplier, which picks the sampled seeds. */
const GOLDEN_RATIO_32 = 0x9e3779b1;

/**
 * Whether the check runs `seed` twice whatever its verdict: all of them, or the sampled share.
 * The share is picked by the fractional part of seed × the golden ratio (a Weyl sequence), not by
 * seed mod 10: a rotated sweep gives a seed's flavor by seed mod flavors, and with six flavors
 * every tenth seed would only ever check the even ones (the 10,000-seed sweep never checked
 * poll or io_uring). Seeds 5, 13, 26, 34, 47, 60... are sampled, every residue alike.
 */
export function checkedAhead(check: DeterminismCheck, seed: number): boolean {
  if (check !== 'sampled') return check === 'all';
  return (Math.imul(seed, GOLDEN_RATIO_32) >>> 0) / 2 ** 32 < 1 / DETERMINISM_SAMPLE_EVERY;
}

/** Whether a seed that ran with `result` runs again under the check. */
export function checksDeterminism(check: DeterminismCheck, result: { seed: number; ok: boolean }): boolean {
  return checkedAhead(check, result.seed) || (check !== 'off' && !result.ok);
}

/** FNV-1a, 32-bit, as 8 hex digits. */
function fnv1a(text: string, seed = 0x811c9dc5): string {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Two FNV-1a lanes over the config: 16 hex digits that name it in every failure report. */
export function configHash(config: SweepConfig): string {
  // An unset mechanism or window leaves the text (and so the hash) as it was before they were swept.
  const text = JSON.stringify([
    config.scenario,
    config.model,
    ...(config.mechanism ? [config.mechanism] : []),
    config.size ?? null,
    config.bug ?? null,
    Object.entries(config.faults).sort(([a], [b]) => (a < b ? -1 : 1)),
    config.latencyMs,
    ...(config.deliveryWindowMs !== undefined ? [config.deliveryWindowMs] : []),
  ]);
  return fnv1a(text) + fnv1a(text, 0x050c5d1f);
}

export function formatFaults(faults: FaultRates): string {
  const parts = Object.entries(faults).map(([k, v]) => `${k.replace(/Rate$/, '')}=${v}`);
  return parts.length ? parts.join(',') : 'none';
}

export function formatSchedule(schedule: readonly Injection[]): string {
  return schedule.length ? schedule.map((i) => `${i.kind}@${i.occasion}`).join(',') : 'none';
}

/** The command that runs `seed` of this config again (with `schedule`: exactly those faults). */
export function reproduceCommand(config: SweepConfig, seed: number, schedule?: readonly Injection[]): string {
  const parts = ['npx io-reactor sim', config.scenario, `--seed ${seed}`, `--model ${config.model}`];
  if (config.mechanism !== undefined) parts.push(`--mechanism ${config.mechanism}`);
  if (config.size !== undefined) parts.push(`--size ${config.size}`);
  if (config.bug !== undefined) parts.push(`--bug ${config.bug}`);
  if (config.deliveryWindowMs !== undefined) parts.push(`--delivery-window ${config.deliveryWindowMs}`);
  // The rates spelled out: what `all` means grows with the kinds, a printed command must not.
  parts.push(schedule ? `--schedule ${formatSchedule(schedule)}` : `--faults ${formatFaults(config.faults)}`);
  return parts.join(' ');
}

/**
 * The commands that write `seed`'s trace (its failure marked) and open it in the visualizer; `;`, not
 * `&&`: the first exits 1 when the seed fails, which is when its trace is wanted.
 */
export function traceCommand(config: SweepConfig, seed: number, schedule?: readonly Injection[]): string {
  const file = `${config.scenario}-${config.model}${config.mechanism ? `-${config.mechanism}` : ''}-${seed}.json`;
  return `${reproduceCommand(config, seed, schedule)} --trace ${file}; npx io-reactor viz ${file}`;
}
