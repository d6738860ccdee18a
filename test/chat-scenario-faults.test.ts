// The simulated chat scenario survives every fault kind the simulator has, at once, in both
// models, with the oracle checking the reactors at every step. CI runs a bounded sweep; the CLI
// runs as many seeds as one likes (io-reactor sim chat --seeds N --faults <every kind>).
import { Simulation } from '../src/sim/index.js';
import { scenarios } from '../src/sim/scenarios/index.js';
import { FAULT_KINDS } from '../src/sim/faults.js';
import { jest } from '@jest/globals';

jest.setTimeout(120_000);
const SEEDS = 6;
const CLIENTS = 8;
/** Every kind, at rates high enough that each strikes within a few seeds. */
const EVERY_FAULT = Object.fromEntries(
  FAULT_KINDS.map((kind) => [`${kind}Rate`, ['reset', 'halfClose', 'partition'].includes(kind) ? 0.03 : 0.1]),
);

describe.each(['readiness', 'completion'] as const)('%s model', (model) => {
  test(`every client hears every line once and in order under every fault kind (${SEEDS} seeds, oracle on)`, async () => {
    const injected = new Map<string, number>();
    for (let seed = 1; seed <= SEEDS; seed++) {
      const sim = new Simulation({ seed, latencyMs: [1, 20], faults: EVERY_FAULT, oracle: true });
      expect({ seed, outcome: await scenarios.chat.run(sim, { model, size: CLIENTS }) }).toEqual({ seed, outcome: { ok: true } });
      for (const [kind, { injected: n }] of Object.entries(sim.faultReport())) injected.set(kind, (injected.get(kind) ?? 0) + n);
    }
    // Kinds the model's mechanism (epoll) never meets: a late IOCP cancel.
    const struck = FAULT_KINDS.filter((kind) => (injected.get(kind) ?? 0) > 0);
    expect(struck).toEqual(FAULT_KINDS.filter((kind) => kind !== 'cancelRace'));
  });
});
