// The conformance bodies over simulated hosts: the server's net on one host, the client's on
// another, in virtual time (their timers too), so io-reactor/net behaves in simulation as
// node:net does on real sockets.
import { test, expect, afterEach } from '@jest/globals';
import { setTimeout as realSleep } from 'node:timers/promises';
import { Simulation } from '../src/sim/index.js';
import { bodies, type Body, type NetLike } from './net-conformance.js';

/** Scheduler rounds in a row with nothing moving before a body counts as stuck. */
const IDLE_ROUNDS_MAX = 50;
/** Real time between idle rounds: opening a host's reactor (compiling WebAssembly) takes some. */
const IDLE_ROUND_REAL_MS = 10;

let sim: Simulation | null = null;
afterEach(() => sim?.restoreTimers());

/** Runs a body on two simulated hosts until it settles; throws what it threw, or that it hung. */
async function inSimulation(body: Body, seed = 1): Promise<number> {
  sim = new Simulation({ seed, latencyMs: [1, 5] });
  const env = {
    server: sim.host('server').net as unknown as NetLike,
    client: sim.host('client').net as unknown as NetLike,
    host: 'server',
  };
  let outcome: { error?: unknown } | null = null;
  body(env).then(
    () => {
      outcome = {};
    },
    (error: unknown) => {
      outcome = { error };
    },
  );
  for (let idle = 0; outcome === null && idle < IDLE_ROUNDS_MAX; ) {
    const before = sim.now;
    await sim.runUntilIdle(before + 10_000);
    idle = sim.now === before ? idle + 1 : 0;
    if (idle > 0) await realSleep(IDLE_ROUND_REAL_MS);
  }
  if (outcome === null) throw new Error(`the body never finished: every program waits, at virtual ${sim.now} ms`);
  const { error } = outcome as { error?: unknown };
  if (error !== undefined) throw error;
  return sim.now;
}

test.each(Object.keys(bodies))('%s', async (name) => {
  await inSimulation(bodies[name]);
});

test('timers under the simulation are virtual: a 10 s socket timeout takes no real time', async () => {
  const started = performance.now();
  const virtualEnd = await inSimulation(async ({ server: sNet, client: cNet, host }) => {
    const server = sNet.createServer((s: any) => s.resume());
    server.listen(80);
    const socket = cNet.connect(80, host);
    socket.setTimeout(10_000);
    const at = Date.now();
    await new Promise((resolve) => socket.once('timeout', resolve));
    expect(Date.now() - at).toBeGreaterThanOrEqual(10_000);
    socket.destroy();
    server.close();
  });
  expect(virtualEnd).toBeGreaterThanOrEqual(10_000);
  expect(performance.now() - started).toBeLessThan(5_000);
});
