// The sweep's scenarios: correct apps pass under the faults they must survive, in both models and
// with the same outcome; the sample app's planted bug fails only when a fault reveals it.
import { Simulation } from '../src/sim/index.js';
import { scenarios } from '../src/sim/scenarios/index.js';
import type { ScenarioParams } from '../src/sim/scenario.js';
import { CONNECT_ATTEMPTS_MAX, WAIT_SLICE_MS } from '../src/sim/scenarios/programs.js';

const FAULTS = { partialWriteRate: 0.05, stallRate: 0.02 };

async function run(name: string, params: ScenarioParams, seed = 3, faults: object = FAULTS) {
  const sim = new Simulation({ seed, latencyMs: [1, 20], faults });
  return scenarios[name].run(sim, params);
}

test('the registry offers each scenario under its own name, with a description', () => {
  expect(Object.keys(scenarios)).toEqual(['chat', 'echo', 'upload', 'kv']);
  for (const [name, s] of Object.entries(scenarios)) {
    expect(s.name).toBe(name);
    expect(s.description.length).toBeGreaterThan(20);
  }
  expect(scenarios.upload.bugs).toEqual(['ignore-partial-write']);
});

describe.each(['readiness', 'completion'] as const)('%s model', (model) => {
  test('chat: every client hears every line of every other speaker, in order, then all quit', async () => {
    expect(await run('chat', { model, size: 12 })).toEqual({ ok: true });
  });

  test('echo: every line comes back whole', async () => {
    expect(await run('echo', { model, size: 3 })).toEqual({ ok: true });
  });

  test('upload without the bug survives partial writes; with it, a partial write corrupts a record', async () => {
    expect(await run('upload', { model, size: 3 }, 5, { partialWriteRate: 0.2 })).toEqual({ ok: true });
    const buggy = await run('upload', { model, size: 3, bug: 'ignore-partial-write' }, 5, { partialWriteRate: 0.2 });
    expect(buggy).toEqual({ ok: false, failure: expect.stringContaining('arrived corrupt'), failedAtMs: expect.any(Number) });
  });

  test('upload with the bug passes when no fault strikes: only faults reveal it', async () => {
    expect(await run('upload', { model, size: 3, bug: 'ignore-partial-write' }, 5, {})).toEqual({ ok: true });
  });
});

test('the failure names the first program that failed, and why', async () => {
  // Every connect refused: the clients give up before the server sees anyone, each having waited
  // a slice after every refusal but the last, and the failure is marked when client 0 gave up.
  const outcome = await run('echo', { size: 2 }, 1, { refuseRate: 1 });
  expect(outcome).toEqual({
    ok: false,
    failure: expect.stringMatching(/^client 0: .*ECONNREFUSED/),
    failedAtMs: (CONNECT_ATTEMPTS_MAX - 1) * WAIT_SLICE_MS,
  });
});
