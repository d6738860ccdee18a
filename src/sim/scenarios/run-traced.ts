// A scenario run for the visualizer: one seed of a named scenario, with the sweep's latency and
// default faults, traced. Plain TypeScript: the page runs it in the browser, and Node runs the
// same seed as the sweep does (src/sim/cli/run-seed.ts), so the two traces' hashes can be compared.
import { Simulation } from '../simulation.js';
import { scenarios } from './index.js';
import type { ScenarioOutcome } from '../scenario.js';
import type { Trace } from '../../trace/format.js';
import type { Model } from '../../model.js';
import { DEFAULT_FAULTS, SWEEP_LATENCY_MS } from '../cli/config.js';

export interface ScenarioRun {
  trace: Trace;
  outcome: ScenarioOutcome;
}

/** The scenarios a run can take place in, the browser included. */
export const SCENARIO_NAMES = Object.keys(scenarios).filter((name) => !scenarios[name].nodeOnly);

export async function runScenario(name: string, seed: number, model: Model): Promise<ScenarioRun> {
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`no scenario "${name}": pick one of ${SCENARIO_NAMES.join(', ')}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`seed ${seed} is not a whole number from 0 to 4294967295`);
  const sim = new Simulation({ seed, latencyMs: SWEEP_LATENCY_MS, faults: DEFAULT_FAULTS, trace: true });
  let outcome: ScenarioOutcome;
  try {
    outcome = await scenario.run(sim, { model });
  } catch (e) {
    outcome = { ok: false, failure: `the scenario threw: ${e instanceof Error ? e.message : String(e)}` };
  }
  return { trace: sim.trace(), outcome };
}
