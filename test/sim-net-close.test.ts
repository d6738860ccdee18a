// sim.close() ends the programs on the hosts' `net`: the sweep found a thread that ran a few
// hundred kv simulations out of simulated shims (each run's net reactors were never destroyed, and
// all of a thread's reactors share one shim module), failing later seeds of every scenario.
import { test, expect } from '@jest/globals';
import { Simulation } from '../src/sim/index.js';
import { scenarios } from '../src/sim/scenarios/index.js';

test("a kv run destroys every reactor its hosts' net opened (pinned: seed 162, the first to fail in the sweep)", async () => {
  const sim = new Simulation({ seed: 162, latencyMs: [1, 20], trace: true });
  expect(await scenarios.kv.run(sim, {})).toEqual({ ok: true });
  const { reactors, records } = sim.trace();
  const destroyed = new Set(records.filter((x) => x.k === 'call' && x.op === 'destroy').map((x) => x.r));
  expect(reactors.length).toBe(4); // the service's host and three clients'
  expect(reactors.filter((x) => !destroyed.has(x.r)).map((x) => x.host)).toEqual([]);
});
