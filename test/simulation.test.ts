// Several hosts on one simulated network: programs written against Reactor run on each, take
// turns in virtual time under the Simulation's scheduler, and a seed replays the same run.
import { EventType, type Reactor, type IoEvent, type Mechanism } from '../src/index.js';
import { Simulation } from '../src/sim/index.js';
import { text, str } from './helpers.js';

/** An echo server in the readiness model, running until `stop()`. */
async function echoServer(r: Reactor<string>, port: number, log: string[], stop: () => boolean): Promise<void> {
  const { fd: listener } = r.os.listen(port);
  r.add(listener, 'listener', EventType.READ);
  while (!stop()) {
    for (const e of await r.waitAsync(1000)) {
      if (e.context === 'listener') {
        for (let fd = r.os.accept(listener); fd !== null; fd = r.os.accept(listener)) r.add(fd, 'conn', EventType.READ);
        continue;
      }
      const data = r.os.recv(e.fd);
      if (data === null) continue;
      if (data.length === 0) {
        r.os.close(e.fd);
        continue;
      }
      log.push(`${r.now().toFixed(3)} server got ${str(data)}`);
      r.os.send(e.fd, data);
    }
  }
}

/** A client in the completion model: sends `count` messages, each after the previous echo. */
async function client(r: Reactor<string>, port: number, count: number, log: string[]): Promise<void> {
  const fd = r.os.connect(port, 'server');
  r.add(fd, 'client', EventType.READ);
  for (let i = 0; i < count; i++) {
    r.postWrite(fd, text(`ping ${i}`));
    let echoed = '';
    while (echoed !== `ping ${i}`) {
      for (const e of await r.waitAsync(5000)) {
        if (e.type & EventType.READ) {
          echoed += str(e.buffer);
          r.postRead(fd);
        }
        if (e.type & (EventType.CLOSE | EventType.ERROR)) throw new Error(`connection ended: ${e.type}`);
      }
    }
    log.push(`${r.now().toFixed(3)} client got ${echoed}`);
  }
  r.os.close(fd);
}

async function run(
  seed: number,
  latencyMs: [number, number],
  clientMechanism: Mechanism = 'epoll',
  typing = false,
): Promise<{ log: string[]; end: number }> {
  const sim = new Simulation({ seed, latencyMs });
  if (typing) for (let i = 0; i < 10; i++) sim.host('server').console.write(`line ${i}\n`);
  const server = await sim.host('server').createReactor<string>({ model: 'readiness' });
  const peer = await sim.host('client').createReactor<string>({ model: 'completion', mechanism: clientMechanism });
  const log: string[] = [];
  let done = false;
  const serving = echoServer(server, 7000, log, () => done);
  const talking = client(peer, 7000, 5, log).finally(() => {
    done = true;
  });
  const end = await sim.runUntilIdle();
  await talking;
  await serving;
  server.destroy();
  peer.destroy();
  return { log, end };
}

test('two hosts talk through the simulated network; each round trip takes two one-way delays', async () => {
  const { log } = await run(1, [10, 10]);
  expect(log.filter((l) => l.includes('client got'))).toEqual([
    '20.000 client got ping 0', // the first ping rides behind the SYN: 10 ms there, 10 back
    '40.000 client got ping 1',
    '60.000 client got ping 2',
    '80.000 client got ping 3',
    '100.000 client got ping 4',
  ]);
  expect(log.filter((l) => l.includes('server got'))).toHaveLength(5);
});

test('a client over IOCP talks to a readiness server on another host exactly as a client over epoll does', async () => {
  const overEpoll = await run(3, [1, 30]);
  const overIocp = await run(3, [1, 30], 'iocp');
  expect(overIocp.log.filter((l) => l.includes('client got'))).toHaveLength(5);
  expect(overIocp).toEqual(overEpoll);
});

test('the same seed replays the same run, step for step and to the same virtual microsecond', async () => {
  const a = await run(42, [1, 30]);
  const b = await run(42, [1, 30]);
  expect(b).toEqual(a);
  const c = await run(43, [1, 30]);
  expect(c.log).not.toEqual(a.log);
});

test('runUntilIdle stops at a virtual time limit, and later resumes where it stopped', async () => {
  const sim = new Simulation({ latencyMs: [50, 50] });
  const r = await sim.host('solo').createReactor<string>({ model: 'readiness' });
  const { fd: listener, port } = r.os.listen(0);
  r.add(listener, 'listener', EventType.READ);
  r.os.connect(port);
  const seen: IoEvent<string>[] = [];
  const waiting = r.waitAsync(null).then((events) => {
    seen.push(...events);
  });
  expect(await sim.runUntilIdle(30)).toBe(30);
  expect(seen).toEqual([]);
  expect(await sim.runUntilIdle()).toBe(50);
  await waiting;
  expect(seen.map((e) => e.context)).toEqual(['listener']);
  r.destroy();
});

test('with every program waiting and nothing scheduled, runUntilIdle returns without moving time', async () => {
  const sim = new Simulation();
  const r = await sim.host('solo').createReactor<string>({ model: 'completion' });
  const [a] = r.os.socketPair();
  r.add(a, 'a', EventType.READ);
  const pending = r.waitAsync(null);
  expect(await sim.runUntilIdle()).toBe(0);
  r.destroy();
  await sim.runUntilIdle();
  expect(await pending).toEqual([]);
});

test("typing on a host's console leaves the network's delays as they were (its own random stream)", async () => {
  const quiet = await run(21, [1, 30]);
  const typed = await run(21, [1, 30], 'epoll', true);
  expect(typed.log).toEqual(quiet.log);
  expect(typed.end).toBe(quiet.end);
});

test('a crashed host resets its connections at their peers and ends its waits with EHOSTDOWN; restarted, it serves again', async () => {
  const sim = new Simulation({ latencyMs: [5, 5] });
  const server = await sim.host('server').createReactor<string>({ model: 'readiness' });
  const client = await sim.host('client').createReactor<string>({ model: 'readiness' });
  const { fd: listener } = server.os.listen(80);
  const fd = client.os.connect(80, 'server');
  await sim.runUntilIdle(10);
  server.add(server.os.accept(listener)!, 'conn', EventType.READ);
  client.add(fd, 'client', EventType.READ);
  // Apply the adds, so the waits below park with nothing to report.
  expect([...server.wait(0), ...client.wait(0)]).toEqual([]);
  const serverWait = server.waitAsync(1000);
  const clientWait = client.waitAsync(1000);
  sim.crash('server');
  await expect(serverWait).rejects.toThrow(expect.objectContaining({ code: 'EHOSTDOWN' }));
  await sim.runUntilIdle(sim.now + 10);
  // The readiness event reports the reset (the socket's error, read once), so recv finds the stream ended.
  expect((await clientWait).map((e) => [e.context, e.error?.code])).toEqual([['client', 'ECONNRESET']]);
  expect(client.os.recv(fd)).toEqual(new Uint8Array(0));
  await expect(server.waitAsync(10)).rejects.toThrow(/host "server" crashed \(sim\.crash\)/);
  // Its programs are dead: a synchronous wait and the socket calls fail the same way.
  expect(() => server.wait(10)).toThrow(
    expect.objectContaining({ code: 'EHOSTDOWN', message: expect.stringMatching(/^EHOSTDOWN: wait: host "server" crashed/) }),
  );
  expect(() => server.os.listen(81)).toThrow(expect.objectContaining({ code: 'EHOSTDOWN' }));
  expect(() => server.os.socketPair()).toThrow(expect.objectContaining({ code: 'EHOSTDOWN' }));
  server.destroy();

  const rebooted = await sim.restart('server').createReactor<string>({ model: 'readiness' });
  const { fd: again } = rebooted.os.listen(80);
  client.os.connect(80, 'server');
  await sim.runUntilIdle(sim.now + 10);
  expect(rebooted.os.accept(again)).not.toBeNull();
  expect(() => sim.restart('client')).toThrow(/has not crashed/);
  expect(() => sim.crash('nowhere')).toThrow(/no host "nowhere"/);
  rebooted.destroy();
  client.destroy();
  await sim.runUntilIdle();
});
