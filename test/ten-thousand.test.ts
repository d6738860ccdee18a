// Ten thousand idle connections on a default completion reactor: a posted read holds no buffer,
// so they fit the default pool untouched, and data on any of them still arrives. Natively the
// far ends live in a child process (one process may hold 20,000 fds here); in simulation both
// ends live in the simulated kernel.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { EventType, type Reactor } from '../src/index.js';
import { reactor, destroyAll, text, str, type Mechanism } from './helpers.js';

const CONNECTIONS = 10_000;
const TALKERS = 200;
const MANY_CLIENTS = new URL('../../../test/fixtures/many-clients.mjs', import.meta.url).pathname;

afterEach(destroyAll);

/** Distinct connection numbers, from a fixed seed. */
function pick(count: number, of: number, seed: number): number[] {
  const chosen = new Set<number>();
  while (chosen.size < count) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    chosen.add((seed >>> 8) % of);
  }
  return [...chosen];
}

const yieldToNode = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function request(child: ChildProcess, message: object): Promise<Record<string, unknown>> {
  const reply = once(child, 'message').then(([m]) => m as Record<string, unknown>);
  child.send(message);
  return reply;
}

/** Reads posted again after each READ; returns each connection's bytes once every talker has its message. */
async function receiveAll(r: Reactor<number>, expected: Map<number, string>): Promise<Map<number, string>> {
  const got = new Map<number, string>();
  const complete = (): boolean => [...expected].every(([i, m]) => got.get(i) === m);
  for (let end = Date.now() + 20_000; !complete() && Date.now() < end; ) {
    for (const e of r.wait(10)) {
      expect(e.type).toBe(EventType.READ);
      got.set(e.context, (got.get(e.context) ?? '') + str(e.buffer));
      r.postRead(e.fd);
    }
    if (r.backend === 'native') await yieldToNode();
  }
  return got;
}

test('10,000 idle loopback connections on a default completion reactor: all accepted, pool untouched, data arrives', async () => {
  const r = await reactor<number>({ model: 'completion' });
  const { fd: listener, port } = r.os.listen(0, '127.0.0.1', 4096);
  r.add(listener, -1, EventType.READ);
  const acceptsPosted = r.stats().poolInUse + r.stats().readsWaiting;
  const child = fork(MANY_CLIENTS, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const connected = request(child, { connect: port, count: CONNECTIONS });
    const fds: number[] = [];
    let done = false;
    void connected.then(() => {
      done = true;
    });
    for (let end = Date.now() + 60_000; (!done || fds.length < CONNECTIONS) && Date.now() < end; ) {
      for (const e of r.wait(5)) {
        expect(e.type).toBe(EventType.ACCEPT);
        r.add(e.acceptedFd!, fds.length, EventType.READ);
        fds.push(e.acceptedFd!);
      }
      await yieldToNode();
    }
    expect(await connected).toEqual({ connected: CONNECTIONS });
    expect(fds).toHaveLength(CONNECTIONS);
    r.wait(0);
    // Only the listener's accepts hold contexts; ten thousand posted reads hold none.
    expect(r.stats()).toMatchObject({ registered: CONNECTIONS + 1, readsWaiting: 0, poolSize: 256, queuedWriteBytes: 0 });
    expect(r.stats().poolInUse).toBeLessThanOrEqual(acceptsPosted);

    // The child's connection i is not our fd i: each message names its sender, which we match by content.
    const talkers = pick(TALKERS, CONNECTIONS, 7);
    await request(child, { send: talkers.map((i) => [i, `message from connection ${i};`]) });
    const got = new Map<number, string>();
    const wanted = new Set(talkers.map((i) => `message from connection ${i};`));
    for (let end = Date.now() + 20_000; [...got.values()].filter((m) => wanted.has(m)).length < TALKERS && Date.now() < end; ) {
      for (const e of r.wait(10)) {
        got.set(e.context, (got.get(e.context) ?? '') + str(e.buffer));
        r.postRead(e.fd);
      }
      await yieldToNode();
    }
    expect(new Set(got.values())).toEqual(wanted);
    expect(r.stats().poolHighWater).toBeLessThanOrEqual(256);

    await request(child, { close: true });
    let closed = 0;
    for (let end = Date.now() + 30_000; closed < CONNECTIONS && Date.now() < end; ) {
      for (const e of r.wait(10)) {
        expect(e.type & (EventType.CLOSE | EventType.ERROR)).not.toBe(0);
        r.os.close(e.fd);
        closed++;
      }
    }
    expect(closed).toBe(CONNECTIONS);
    r.wait(0);
    expect(r.stats()).toMatchObject({ registered: 1, readsWaiting: 0, readyQueued: 0 });
    expect(r.stats().poolInUse).toBeLessThanOrEqual(acceptsPosted);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    r.os.close(listener);
  }
}, 120_000);

describe.each(['epoll', 'iocp'] as Mechanism[])('in simulation over %s', (mechanism) => {
  test('10,000 idle connections on a default completion reactor: pool untouched, data on random ones arrives', async () => {
    const r = await reactor<number>({ backend: 'sim', model: 'completion', mechanism });
    const peers: number[] = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      const [fd, peer] = r.os.socketPair();
      r.add(fd, i, EventType.READ);
      peers.push(peer);
    }
    expect(r.wait(0)).toEqual([]);
    expect(r.stats()).toMatchObject({ registered: CONNECTIONS, poolInUse: 0, readsWaiting: 0 });

    const talkers = pick(TALKERS, CONNECTIONS, 11);
    const expected = new Map(talkers.map((i) => [i, `message for ${i}`]));
    for (const [i, m] of expected) r.os.send(peers[i], text(m));
    const got = await receiveAll(r, expected);
    expect(got).toEqual(expected);
    expect(r.stats().poolHighWater).toBeLessThanOrEqual(256);
    r.wait(0);
    expect(r.stats()).toMatchObject({ poolInUse: 0, readsWaiting: 0 });
  }, 120_000);
});
