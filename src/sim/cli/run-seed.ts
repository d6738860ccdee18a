// One run of a sweep: a scenario on a fresh Simulation of one seed, faults by rates or by an
// explicit schedule, with what the sweep needs back: the verdict, the injections, a digest.
import { Simulation } from '../simulation.js';
import { scenarios } from '../scenarios/index.js';
import type { Injection } from '../faults.js';
import { traceHash } from '../../trace/hash.js';
import type { Trace } from '../../trace/format.js';
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
  return (await runSeedTraced(config, seed, schedule)).result;
}

/** A run and its trace; a failed run's trace names the failure and the record the run had reached. */
export async function runSeedTraced(config: SweepConfig, seed: number, schedule?: Injection[]): Promise<{ result: RunResult; trace: Trace }> {
  const sim = new Simulation(schedule
    ? { seed, latencyMs: config.latencyMs, faultSchedule: schedule, trace: true }
    : { seed, latencyMs: config.latencyMs, faults: config.faults, trace: true });
  let outcome;
  try {
    outcome = await scenarios[config.scenario].run(sim, { model: config.model, size: config.size, bug: config.bug });
  } catch (e) {
    outcome = { ok: false, failure: `the scenario threw: ${e instanceof Error ? e.stack ?? e.message : String(e)}` };
  }
  const trace = sim.trace();
  const result = { seed, ok: outcome.ok, failure: outcome.failure, injections: sim.faultInjections(), digest: traceHash(trace) };
  if (!outcome.ok) trace.failure = { message: outcome.failure ?? 'the scenario failed', at: lastRecordBy(trace, outcome.failedAtMs ?? Infinity) };
  return { result, trace };
}

/** The last record at or before `ms` (the first, when none is). */
function lastRecordBy(trace: Trace, ms: number): number {
  let at = 0;
  while (at + 1 < trace.records.length && trace.records[at + 1].t <= ms) at++;
  return at;
}
