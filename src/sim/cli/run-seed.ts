// One run of a sweep: a scenario on a fresh Simulation of one seed, faults by rates or by an
// explicit schedule, with what the sweep needs back: the verdict, the injections, a digest.
import { Simulation } from '../simulation.js';
import { scenarios } from '../scenarios/index.js';
import type { Injection } from '../faults.js';
import { TraceDigest } from '../../trace/digest.js';
import type { SweepConfig } from './config.js';

export interface RunResult {
  seed: number;
  ok: boolean;
  failure?: string;
  /** The faults injected, in order: a schedule that replays this run. */
  injections: Injection[];
  /** traceHash of the run's trace: every call, request, OS result, event and fault, timed. */
  digest: string;
}

export async function runSeed(config: SweepConfig, seed: number, schedule?: Injection[]): Promise<RunResult> {
  // The digest, not the trace: a sweep compares runs, and keeping every record costs more than the run.
  const digest = new TraceDigest({ seed });
  const sim = new Simulation(schedule
    ? { seed, latencyMs: config.latencyMs, faultSchedule: schedule, trace: digest }
    : { seed, latencyMs: config.latencyMs, faults: config.faults, trace: digest });
  let outcome;
  try {
    outcome = await scenarios[config.scenario].run(sim, { model: config.model, size: config.size, bug: config.bug });
  } catch (e) {
    outcome = { ok: false, failure: `the scenario threw: ${e instanceof Error ? e.stack ?? e.message : String(e)}` };
  }
  return { seed, ok: outcome.ok, failure: outcome.failure, injections: sim.faultInjections(), digest: digest.hex() };
}
