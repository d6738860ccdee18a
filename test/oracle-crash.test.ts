// The oracle across sim.crash and sim.restart: a crashed host's reactors are dead and no longer
// counted, its open connections must reset at their peers (a clean end there is caught), and the
// host restarted under the same name starts clean and is checked like any other. And the crash
// fault: the scenarios' hosts crash and boot again, and the programs still finish.
import { test, expect } from '@jest/globals';
import { EventType } from '../src/index.js';
import { Simulation, INVARIANTS } from '../src/sim/index.js';
import { scenarios } from '../src/sim/scenarios/index.js';
import type { SimKernel } from '../src/sim/kernel.js';

const encode = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A server and a client on one connection, 'hello' sent each way. */
async function connected(sim: Simulation) {
  const server = await sim.host('server').createReactor<string>({ model: 'readiness' });
  const client = await sim.host('client').createReactor<string>({ model: 'readiness' });
  const { fd: listener } = server.os.listen(80);
  server.add(listener, 'listener', EventType.READ);
  const fd = client.os.connect(80, 'server');
  client.add(fd, 'client', EventType.READ);
  await sim.runUntilIdle(sim.now + 50);
  const conn = server.os.accept(listener)!;
  server.add(conn, 'conn', EventType.READ);
  server.os.send(conn, encode('hello'));
  client.os.send(fd, encode('hello'));
  await sim.runUntilIdle(sim.now + 50);
  expect(new TextDecoder().decode(client.os.recv(fd)!)).toBe('hello');
  expect(new TextDecoder().decode(server.os.recv(conn)!)).toBe('hello');
  return { server, client, fd, conn };
}

test('the oracle goes on across a crash and a restart: the peer sees a reset, the restarted host starts with nothing registered, and its bytes are checked', async () => {
  const sim = new Simulation({ seed: 3, latencyMs: [5, 5], oracle: true });
  const { server, client, fd } = await connected(sim);
  client.os.send(fd, encode('lost with the server'));
  sim.crash('server');
  await sim.runUntilIdle(sim.now + 50);
  expect(() => client.os.recv(fd)).toThrow(expect.objectContaining({ code: 'ECONNRESET' }));
  client.os.close(fd);
  // The crashed reactor's posted read and registrations never come back: not a leak.
  expect(() => sim.checkInvariants()).not.toThrow();
  server.destroy();

  const host = sim.restart('server');
  const rebooted = await host.createReactor<string>({ model: 'readiness' });
  expect(rebooted.stats().registered).toBe(0);
  const { fd: listener } = rebooted.os.listen(80);
  rebooted.add(listener, 'listener', EventType.READ);
  const again = client.os.connect(80, 'server');
  await sim.runUntilIdle(sim.now + 50);
  const conn = rebooted.os.accept(listener)!;
  rebooted.add(conn, 'conn', EventType.READ);
  // The oracle checks the restarted host's bytes: a kernel that corrupts them is caught there.
  const kernel: SimKernel = host.kernel;
  const read = kernel.read.bind(kernel);
  kernel.read = (f, into, offset, len) => {
    const n = read(f, into, offset, len);
    if (n > 0) into[offset] ^= 1;
    return n;
  };
  client.os.send(again, encode('after the restart'));
  await sim.runUntilIdle(sim.now + 50);
  expect(() => rebooted.os.recv(conn)).toThrow(
    expect.objectContaining({
      name: 'InvariantViolation',
      invariant: INVARIANTS.bytes,
      message: expect.stringMatching(/host server .*fd/),
    }),
  );
});

test('a crash that ends its connections cleanly, not with a reset, is caught at the peer', async () => {
  const sim = new Simulation({ seed: 4, latencyMs: [5, 5], oracle: true });
  const { client, fd, conn } = await connected(sim);
  // A planted bug: the host "crashes" by closing its connection, which sends a FIN.
  const kernel = sim.host('server').kernel;
  kernel.crash = function (this: SimKernel) {
    this.close(conn);
    this.crashed = true;
  };
  sim.crash('server');
  await sim.runUntilIdle(sim.now + 50);
  expect(() => client.os.recv(fd)).toThrow(
    expect.objectContaining({
      name: 'InvariantViolation',
      invariant: INVARIANTS.crash,
      message: expect.stringMatching(/host client fd \d+ .*ended cleanly.*crashed/),
    }),
  );
});

// Pinned by seed and schedule: the first and eighth crash checks strike (a client, then the server).
test.each(['readiness', 'completion'] as const)(
  'echo survives crashes of a client and of the server, the oracle on (%s, seed 1, crash@0,crash@7)',
  async (model) => {
    const sim = new Simulation({
      seed: 1,
      latencyMs: [1, 20],
      faultSchedule: [
        { kind: 'crash', occasion: 0 },
        { kind: 'crash', occasion: 7 },
      ],
      oracle: true,
    });
    const crashed: string[] = [];
    const crash = sim.crash.bind(sim);
    sim.crash = (name) => {
      crashed.push(name);
      crash(name);
    };
    expect(await scenarios.echo.run(sim, { model })).toEqual({ ok: true });
    expect(crashed).toEqual(['client1', 'server']);
  },
);

test.each(['upload', 'chat'])('%s survives a crash at each of its first checks (seed 2)', async (name) => {
  const schedule = [0, 1, 2, 3].map((occasion) => ({ kind: 'crash' as const, occasion }));
  const sim = new Simulation({ seed: 2, latencyMs: [1, 20], faultSchedule: schedule, oracle: true });
  expect(await scenarios[name].run(sim, { model: 'completion', mechanism: 'io_uring' })).toEqual({ ok: true });
  expect(sim.faultReport().crash.injected).toBeGreaterThan(0);
});
