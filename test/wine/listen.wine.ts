// Neolith's 6 listening-socket tests, under Wine on real IOCP: each connection arrives as one
// ACCEPT completion (AcceptEx) carrying the accepted fd.
import assert from 'node:assert/strict';
import { describe, test, afterEach } from 'node:test';
import { EventType, type IoEvent, type Reactor } from '../../src/index.js';
import { IOCP, reactor, destroyAll, waitUntil, recvAll, text, str, pair, own, closeOwned, timed } from './support.js';

const { READ, ACCEPT } = EventType;

interface Port {
  kind: string;
  port: number;
  fd: number;
}

function listenPort(r: Reactor<unknown>, kind = 'telnet'): Port {
  const { fd, port } = r.os.listen(0);
  own(r, fd);
  return { kind, port, fd };
}

function accepted(r: Reactor<unknown>, e: IoEvent<unknown>): number {
  assert.ok(e.acceptedFd !== undefined && e.acceptedFd >= 0, `acceptedFd ${e.acceptedFd}`);
  return own(r, e.acceptedFd)[0];
}

describe('Neolith listening-socket tests (IOCP)', () => {
  afterEach(() => {
    destroyAll();
    closeOwned();
  });

  test('a connection makes the listener report once with its port context, and it can be accepted', async () => {
    const r = await reactor(IOCP);
    const port = listenPort(r);
    r.add(port.fd, port, READ);
    assert.deepEqual(r.wait(100), []);
    const client = own(r, r.os.connect(port.port))[0];
    const events = r.wait(2000);
    assert.deepEqual(
      events.map((e) => [e.fd, e.type]),
      [[port.fd, ACCEPT]],
    );
    assert.equal(events[0].context, port);
    const server = accepted(r, events[0]);
    assert.deepEqual(r.wait(100), []);
    assert.equal(r.os.recv(server), null, 'the accepted socket is non-blocking for reactor.os');
    assert.equal(r.os.send(client, text('hi')), 2);
    assert.equal(str(recvAll(r, server, 2)), 'hi');
  });

  test('of 5 listening ports, a connection to the third fires only that port', async () => {
    const r = await reactor(IOCP);
    const ports = ['telnet', 'binary', 'ascii', 'telnet', 'binary'].map((kind) => listenPort(r, kind));
    for (const port of ports) r.add(port.fd, port, READ);
    own(r, r.os.connect(ports[2].port));
    const events = r.wait(2000);
    assert.deepEqual(
      events.map((e) => [e.fd, e.type]),
      [[ports[2].fd, ACCEPT]],
    );
    assert.equal(events[0].context, ports[2]);
    accepted(r, events[0]);
    assert.deepEqual(r.wait(100), []);
  });

  test('5 quick connects to one port are all accepted, each as its own connection', async () => {
    const r = await reactor(IOCP);
    const port = listenPort(r);
    r.add(port.fd, port, READ);
    for (let i = 0; i < 5; i++) own(r, r.os.connect(port.port));
    const events = waitUntil(r, (all) => all.length >= 5, 5000);
    assert.ok(events.every((e) => e.fd === port.fd && e.type === ACCEPT && e.context === port));
    const servers = events.map((e) => accepted(r, e));
    assert.equal(new Set(servers).size, 5);
    assert.deepEqual(r.wait(100), []);
  });

  test('each listener context comes back identical, whatever JS value it is', async () => {
    const r = await reactor(IOCP);
    const contexts: unknown[] = [{ kind: 'telnet' }, 0, NaN, undefined, null, 'ascii', Symbol('binary'), 2n ** 64n];
    const listeners = contexts.map((context) => {
      const port = listenPort(r);
      r.add(port.fd, context, READ);
      return port;
    });
    for (const { port } of listeners) own(r, r.os.connect(port));
    const seen = new Map<number, unknown>();
    for (const e of waitUntil(r, (all) => all.length >= listeners.length, 5000)) {
      seen.set(e.fd, e.context);
      accepted(r, e);
    }
    assert.deepEqual(
      [...seen.keys()].sort((a, b) => a - b),
      listeners.map((l) => l.fd).sort((a, b) => a - b),
    );
    listeners.forEach((listener, i) => assert.ok(Object.is(seen.get(listener.fd), contexts[i]), `context ${i}`));
  });

  test('a listener beside user sockets: a connection and data on one user socket fire exactly those two', async () => {
    const r = await reactor(IOCP);
    const port = listenPort(r);
    r.add(port.fd, port, READ);
    const users = [100, 101, 102].map((context) => {
      const [server, client] = pair(r);
      r.add(server, context, READ);
      return { server, client };
    });
    own(r, r.os.connect(port.port));
    r.os.send(users[1].client, text('x'));
    const events = waitUntil(r, (all) => all.length >= 2);
    assert.deepEqual(r.wait(100), []);
    const byFd = new Map(events.map((e) => [e.fd, e]));
    assert.deepEqual(
      [...byFd.keys()].sort((a, b) => a - b),
      [port.fd, users[1].server].sort((a, b) => a - b),
    );
    assert.deepEqual([byFd.get(port.fd)!.type, byFd.get(port.fd)!.context], [ACCEPT, port]);
    assert.deepEqual([byFd.get(users[1].server)!.type, byFd.get(users[1].server)!.context], [READ, 101]);
    accepted(r, byFd.get(port.fd)!);
    assert.equal(events.length, 2);
  });

  test('a listener without connections reports nothing for 500 ms', async () => {
    const r = await reactor(IOCP);
    const port = listenPort(r);
    r.add(port.fd, port, READ);
    const [events, elapsed] = timed(() => r.wait(500));
    assert.deepEqual(events, []);
    assert.ok(elapsed >= 499, `elapsed ${elapsed} ms`);
  });
});
