// The kv scenario: an HTTP service on node:http over simulated hosts' io-reactor/net survives a
// sweep's faults; its planted bug fails only when a fault splits a PUT body, and replays from
// the one fault the shrinker leaves.
import { Simulation } from '../src/sim/index.js';
import { scenarios } from '../src/sim/scenarios/index.js';
import { traceHash } from '../src/index.js';

const FAULTS = { partialWriteRate: 0.05, stallRate: 0.02 };

test('kv without the bug passes under partial writes and stalls', async () => {
  const sim = new Simulation({ seed: 1, latencyMs: [1, 20], faults: FAULTS });
  expect(await scenarios.kv.run(sim, {})).toEqual({ ok: true });
  expect(sim.faultInjections().length).toBeGreaterThan(0);
});

test('kv with first-chunk-only fails on the one partial write the shrinker found, and not without it', async () => {
  const failing = await scenarios.kv.run(
    new Simulation({ seed: 1, latencyMs: [1, 20], faultSchedule: [{ kind: 'partialWrite', occasion: 14 }] }),
    { bug: 'first-chunk-only' },
  );
  expect(failing).toEqual({
    ok: false,
    failure: expect.stringMatching(/^kv client \d: GET \/kv\/\S+ after a PUT of \d+ bytes answered 200 with \d+ bytes$/),
    failedAtMs: expect.any(Number),
  });
  const clean = await scenarios.kv.run(new Simulation({ seed: 1, latencyMs: [1, 20], faultSchedule: [] }), { bug: 'first-chunk-only' });
  expect(clean).toEqual({ ok: true });
});

test('kv runs the same twice from one seed: equal trace hashes', async () => {
  const hashes: string[] = [];
  for (let i = 0; i < 2; i++) {
    const sim = new Simulation({ seed: 9, latencyMs: [1, 20], faults: FAULTS, trace: true });
    expect(await scenarios.kv.run(sim, { size: 2 })).toEqual({ ok: true });
    hashes.push(traceHash(sim.trace()));
  }
  expect(hashes[0]).toBe(hashes[1]);
});
