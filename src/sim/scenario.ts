// A scenario: a networked program run in a Simulation, judged by its own outcome. The sweep CLI
// runs one over many seeds, the visualizer runs one in the page; both name it by `name`.
import type { Simulation } from './simulation.js';

export interface ScenarioParams {
  /** How big a run: connections, messages; each scenario documents its meaning and default. */
  size?: number;
  /** Sample apps carry planted bugs that a sweep must find: the bug's name, when enabled. */
  bug?: string;
  /** The reactors' model (default 'readiness'); a scenario's outcome must not depend on it. */
  model?: 'readiness' | 'completion';
}

export interface ScenarioOutcome {
  ok: boolean;
  /** What the app saw go wrong, when not ok. */
  failure?: string;
  /** When (virtual ms) it went wrong: a trace of the run marks its records there. */
  failedAtMs?: number;
}

export interface Scenario {
  name: string;
  description: string;
  /** The largest `params.size` it takes (the sweep CLI refuses more). */
  maxSize?: number;
  /** The planted bugs `params.bug` may name (sample apps only). */
  bugs?: readonly string[];
  /** Runs in Node only (it uses node:http): the visualizer's page does not offer it. */
  nodeOnly?: boolean;
  /** Runs on a fresh Simulation (seeded, faults configured by the caller) until done. */
  run(sim: Simulation, params: ScenarioParams): Promise<ScenarioOutcome>;
}
