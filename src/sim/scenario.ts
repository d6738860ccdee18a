// A scenario: a networked program run in a Simulation, judged by its own outcome. The sweep CLI
// runs one over many seeds, the visualizer runs one in the page; both name it by `name`.
import type { Simulation } from './simulation.js';
import type { Mechanism, Model } from '../model.js';

/** A reactor's model and the mechanism under it: one column of a sweep's matrix. */
export interface Flavor {
  model: Model;
  mechanism: Mechanism;
}

/** Every model × mechanism the simulator runs: completion is emulated over epoll and poll. */
export const SIM_FLAVORS: readonly Flavor[] = [
  { model: 'readiness', mechanism: 'epoll' },
  { model: 'readiness', mechanism: 'poll' },
  { model: 'completion', mechanism: 'epoll' },
  { model: 'completion', mechanism: 'poll' },
  { model: 'completion', mechanism: 'iocp' },
  { model: 'completion', mechanism: 'io_uring' },
];

export interface ScenarioParams {
  /** How big a run: connections, messages; each scenario documents its meaning and default. */
  size?: number;
  /** Sample apps carry planted bugs that a sweep must find: the bug's name, when enabled. */
  bug?: string;
  /** The reactors' model (default 'readiness'); a scenario's outcome must not depend on it. */
  model?: Model;
  /** The mechanism under the model (default the simulation's: epoll); one of the scenario's flavors. */
  mechanism?: Mechanism;
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
  /** The model × mechanism pairs it runs in (default SIM_FLAVORS, every one). */
  flavors?: readonly Flavor[];
  /** Runs in Node only (it uses node:http): the visualizer's page does not offer it. */
  nodeOnly?: boolean;
  /** Runs on a fresh Simulation (seeded, faults configured by the caller) until done. */
  run(sim: Simulation, params: ScenarioParams): Promise<ScenarioOutcome>;
}
