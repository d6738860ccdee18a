// io-reactor/net's server out of fds: an accept that fails with EMFILE (the sweep found it: the
// kv scenario's http.Server died of the 'error' it emitted) pauses accepting for ACCEPT_PAUSE_MS,
// with the connection waiting in the backlog, and then serves it. And the kv scenario, whose
// client sends a request again when its connection is lost, passes the schedules that failed it.
import { test, expect, afterEach } from '@jest/globals';
import { Simulation } from '../src/sim/index.js';
import { scenarios } from '../src/sim/scenarios/index.js';
import { ACCEPT_PAUSE_MS } from '../src/net/server.js';
import type { Injection } from '../src/sim/faults.js';

let sim: Simulation | null = null;
afterEach(() => sim?.restoreTimers());

test('an accept that runs out of fds pauses the server, which then serves the waiting connection', async () => {
  sim = new Simulation({ seed: 1, latencyMs: [1, 5], faultSchedule: [{ kind: 'emfile', occasion: 0 }] });
  const errors: unknown[] = [];
  const server = sim.host('server').net.createServer((s) => {
    acceptedAt = Date.now();
    s.end('hello\n');
  });
  let acceptedAt = -1;
  server.on('error', (e) => errors.push(e));
  server.listen(80);
  const socket = sim.host('client').net.connect(80, 'server');
  const connectedAt = await new Promise<number>((resolve) => socket.once('connect', () => resolve(Date.now())));
  let reply = '';
  socket.on('data', (d: Buffer) => {
    reply += d.toString();
  });
  const ended = new Promise((resolve) => socket.once('end', resolve));
  await sim.runUntilIdle(10_000);
  await ended;
  server.close();
  await sim.runUntilIdle(20_000);
  expect({ errors, reply, injected: sim.faultInjections() }).toEqual({
    errors: [],
    reply: 'hello\n',
    injected: [{ kind: 'emfile', occasion: 0 }],
  });
  expect(acceptedAt - connectedAt).toBeGreaterThanOrEqual(ACCEPT_PAUSE_MS - 20);
});

// Each failed before: EMFILE killed the server, ENOBUFS on connect and a reset failed the client.
test.each<[string, Injection[]]>([
  ['emfile on the first accept', [{ kind: 'emfile', occasion: 0 }]],
  ['enobufs on the first connect', [{ kind: 'enobufs', occasion: 0 }]],
  [
    'a reset of the first segments',
    [
      { kind: 'reset', occasion: 0 },
      { kind: 'reset', occasion: 3 },
    ],
  ],
])('the kv scenario survives %s (seed 1)', async (_, schedule) => {
  sim = new Simulation({ seed: 1, latencyMs: [1, 20], faultSchedule: schedule, oracle: true });
  expect(await scenarios.kv.run(sim, {})).toEqual({ ok: true });
  expect(sim.faultInjections()).toEqual(schedule);
});
