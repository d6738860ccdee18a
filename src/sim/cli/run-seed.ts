// One run of a sweep: a scenario on a fresh Simulation of one seed, faults by rates or by an
// explicit schedule, the oracle on, with what the sweep needs back: the verdict, the injections,
// a digest (and the trace itself, when asked, to save for the visualizer).
import { Simulation } from '../simulation.js';
import { scenarios } from '../scenarios/index.js';
import type { Injection } from '../faults.js';
import type { ScenarioOutcome } from '../scenario.js';
import { TraceDigest } from '../../trace/digest.js';
import { traceHash } from '../../trace/hash.js';
import type { Trace } from '../../trace/format.js';
import type { SweepConfig } from './config.js';

export interface RunResult {
  seed: number;
  ok: boolean;
  failure?: string;
  /** The faults injected, in order: a schedule that replays this run. */
  injections: Injection[];
  /**
   * traceHash of the run's trace: every call, request, OS result, event and fault, timed; null
   * when the run was asked for its verdict only.
   */
  digest: string | null;
  /** The run's trace, when runSeed was asked to keep it. */
  trace?: Trace;
}

/**
 * What a run keeps of its trace: all of it (to save for the visualizer), its digest (to compare
 * with another run's), or nothing but the verdict (the seeds the determinism check leaves alone,
 * a shrink's tries): the digest costs a tenth of a run, a kept trace more than the run.
 */
export type Recording = 'trace' | 'digest' | 'verdict';

export async function runSeed(
  config: SweepConfig,
  seed: number,
  schedule?: Injection[],
  recording: Recording = 'digest',
): Promise<RunResult> {
  // A full trace and a digest give the same digest.
  const digest = recording === 'digest' ? new TraceDigest({ seed }) : null;
  const trace = recording === 'trace' ? true : (digest ?? undefined);
  const { latencyMs, deliveryWindowMs } = config;
  const sim = new Simulation(
    schedule
      ? { seed, latencyMs, deliveryWindowMs, faultSchedule: schedule, trace, oracle: true }
      : { seed, latencyMs, deliveryWindowMs, faults: config.faults, trace, oracle: true },
  );
  let outcome: ScenarioOutcome;
  try {
    outcome = await scenarios[config.scenario].run(sim, {
      model: config.model,
      mechanism: config.mechanism,
      size: config.size,
      bug: config.bug,
    });
  } catch (e) {
    outcome = { ok: false, failure: `the scenario threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` };
  }
  const injections = sim.faultInjections();
  if (recording !== 'trace') return { seed, ok: outcome.ok, failure: outcome.failure, injections, digest: digest?.hex() ?? null };
  const kept = sim.trace();
  const hashed = traceHash(kept);
  if (!outcome.ok)
    kept.failure = { message: outcome.failure ?? 'the scenario failed', at: lastRecordBy(kept, outcome.failedAtMs ?? Infinity) };
  return { seed, ok: outcome.ok, failure: outcome.failure, injections, digest: hashed, trace: kept };
}

/** The last record at or before `ms` (the first, when none is): where a failed run had got to. */
function lastRecordBy(trace: Trace, ms: number): number {
  let at = 0;
  while (at + 1 < trace.records.length && trace.records[at + 1].t <= ms) at++;
  return at;
}
