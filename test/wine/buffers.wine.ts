// Buffers only for bytes in flight, on Windows' completion port (under Wine): a posted read is a
// zero-byte receive holding no buffer, so thousands of idle connections fit a default reactor;
// when buffers run short, ready reads wait and resume in order.
import assert from 'node:assert/strict';
import { describe, test, afterEach } from 'node:test';
import { EventType, type IoEvent, type Reactor } from '../../src/index.js';
import { reactor, destroyAll, text, str, pair, closeOwned, settle } from './support.js';

const { READ } = EventType;
/** Bounded for CI time: Wine makes sockets slowly (Wine held 9,876 pairs, 19,752 sockets, when tried). */
const CONNECTIONS = 2000;

/** Reposts a read after each READ; returns the events, buffers copied, once `done` holds. */
function readLoop<C>(r: Reactor<C>, done: (all: IoEvent<C>[]) => boolean, maxEvents?: number): IoEvent<C>[] {
  const all: IoEvent<C>[] = [];
  for (let end = Date.now() + 20_000; !done(all) && Date.now() < end; ) {
    for (const e of r.wait(20, maxEvents)) {
      all.push({ ...e, buffer: e.buffer ? e.buffer.slice() : null });
      if (e.type === READ) r.postRead(e.fd);
    }
  }
  return all;
}

describe('Buffers only for bytes in flight (IOCP)', () => {
  afterEach(() => {
    destroyAll();
    closeOwned();
  });

  test(`${CONNECTIONS} idle connections on a default reactor: all added, no buffer taken, data on every 40th arrives`, async () => {
    const r = await reactor<number>({});
    const peers: number[] = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      const [server, client] = pair(r);
      r.add(server, i, READ);
      peers.push(client);
    }
    assert.deepEqual(r.wait(0), []);
    assert.deepEqual([r.stats().registered, r.stats().poolInUse, r.stats().readsWaiting], [CONNECTIONS, 0, 0]);
    const talkers = peers.map((_, i) => i).filter((i) => i % 40 === 7);
    for (const i of talkers) r.os.send(peers[i], text(`message for ${i}`));
    const events = readLoop(r, (all) => all.length >= talkers.length);
    assert.deepEqual(events.map((e) => [e.context, str(e.buffer)]).sort(), talkers.map((i) => [i, `message for ${i}`]).sort());
    assert.ok(r.stats().poolHighWater <= r.stats().poolSize);
  });

  test('ready reads wait for a buffer while the pool is held, then resume with their data', async () => {
    const r = await reactor<string>({ poolSize: 2, bufferSize: 16 });
    const names = ['a', 'b', 'c', 'd'];
    const pairs = names.map(() => pair(r));
    pairs.forEach(([fd], i) => r.add(fd, names[i], READ));
    assert.deepEqual(r.wait(0), []);
    pairs.forEach(([, peer], i) => r.os.send(peer, text(`data for ${names[i]}`)));
    settle(100);
    const events = readLoop(r, (all) => all.length >= names.length, 1);
    assert.deepEqual(
      events.map((e) => [e.context, str(e.buffer)]).sort(),
      names.map((n) => [n, `data for ${n}`]),
    );
    assert.equal(r.stats().readsWaiting, 0);
  });
});
