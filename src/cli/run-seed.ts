// One run of a sweep: a scenario on a fresh Simulation of one seed, faults by rates or by an
// explicit schedule, with what the sweep needs back: the verdict, the injections, a digest.
import { Simulation } from '../sim/simulation.js';
import { scenarios } from '../sim/scenarios/index.js';
import type { Injection } from '../sim/faults.js';
import { digest, type SweepConfig } from './config.js';

export interface RunResult {
  seed: number;
  ok: boolean;
  failure?: string;
  /** The faults injected, in order: a schedule that replays this run. */
  injections: Injection[];
  /** Digest of what the run did (verdict, virtual end time, injections and their counts). */
  digest: string;
}

export async function runSeed(config: SweepConfig, seed: number, schedule?: Injection[]): Promise<RunResult> {
  const sim = new Simulation(schedule
    ? { seed, latencyMs: config.latencyMs, faultSchedule: schedule }
    : { seed, latencyMs: config.latencyMs, faults: config.faults });
  let outcome;
  try {
    outcome = await scenarios[config.scenario].run(sim, { model: config.model, size: config.size, bug: config.bug });
  } catch (e) {
    outcome = { ok: false, failure: `the scenario threw: ${e instanceof Error ? e.stack ?? e.message : String(e)}` };
  }
  const injections = sim.faultInjections();
  const seen = JSON.stringify([outcome.ok, outcome.failure ?? null, sim.now, injections]);
  return { seed, ok: outcome.ok, failure: outcome.failure, injections, digest: digest(seen) };
}
