// Neolith's 6 listening-socket tests (test_io_reactor_listen.cpp), ported to every model and
// mechanism. Readiness: the listener reports READ and the app accepts. Completion: each
// connection arrives as ACCEPT with its fd.
import { EventType, type IoEvent, type Reactor } from '../src/index.js';
import { FULL_MATRIX, reactor, destroyAll, waitUntil, recvAll, text, str, pair, own, closeOwned } from './helpers.js';

afterEach(destroyAll);
afterEach(closeOwned);

interface Port {
  kind: string;
  port: number;
  fd: number;
}

describe.each(FULL_MATRIX)('Neolith listening-socket tests, %s over %s (%s)', (model, mechanism, backend) => {
  const completion = model === 'completion';
  const accepted = completion ? EventType.ACCEPT : EventType.READ;

  function listenPort(r: Reactor<unknown>, kind = 'telnet'): Port {
    const { fd, port } = r.os.listen(0);
    own(r, fd);
    return { kind, port, fd };
  }

  /** The connections a listener event stands for: its acceptedFd, or every os.accept that succeeds. */
  function acceptAll(r: Reactor<unknown>, event: IoEvent<unknown>): number[] {
    if (completion) return own(r, event.acceptedFd!);
    const fds: number[] = [];
    for (let fd = r.os.accept(event.fd); fd !== null; fd = r.os.accept(event.fd)) fds.push(fd);
    return own(r, ...fds);
  }

  test('a connection makes the listener report once with its port context, and it can be accepted', async () => {
    const r = await reactor({ model, mechanism, backend });
    const port = listenPort(r);
    r.add(port.fd, port, EventType.READ);
    expect(r.wait(100)).toEqual([]);
    const client = own(r, r.os.connect(port.port))[0];
    const events = r.wait(1000);
    expect(events.map((e) => [e.fd, e.type, e.context])).toEqual([[port.fd, accepted, port]]);
    const [server] = acceptAll(r, events[0]);
    expect(server).toEqual(expect.any(Number));
    expect(r.wait(100)).toEqual([]);
    expect(r.os.send(client, text('hi'))).toBe(2);
    expect(str(recvAll(r, server, 2))).toBe('hi');
  });

  test('of 5 listening ports, a connection to the third fires only that port', async () => {
    const r = await reactor({ model, mechanism, backend });
    const ports = ['telnet', 'binary', 'ascii', 'telnet', 'binary'].map((kind) => listenPort(r, kind));
    for (const port of ports) r.add(port.fd, port, EventType.READ);
    own(r, r.os.connect(ports[2].port));
    const events = r.wait(1000);
    expect(events.map((e) => [e.fd, e.type])).toEqual([[ports[2].fd, accepted]]);
    expect(events[0].context).toBe(ports[2]);
    expect((events[0].context as Port).port).toBe(ports[2].port);
    expect(acceptAll(r, events[0])).toHaveLength(1);
    expect(r.wait(100)).toEqual([]);
  });

  test('5 quick connects to one port are all accepted, each as its own connection', async () => {
    const r = await reactor({ model, mechanism, backend });
    const port = listenPort(r);
    r.add(port.fd, port, EventType.READ);
    for (let i = 0; i < 5; i++) own(r, r.os.connect(port.port));
    const servers: number[] = [];
    const end = Date.now() + 5000;
    while (servers.length < 5 && Date.now() < end) {
      for (const e of r.wait(100)) {
        expect([e.fd, e.type, e.context]).toEqual([port.fd, accepted, port]);
        servers.push(...acceptAll(r, e));
      }
    }
    expect(servers).toHaveLength(5);
    expect(new Set(servers).size).toBe(5);
    expect(r.wait(100)).toEqual([]);
  });

  test('each listener context comes back identical, whatever JS value it is', async () => {
    const r = await reactor({ model, mechanism, backend });
    const contexts: unknown[] = [{ kind: 'telnet' }, 0, NaN, undefined, null, 'ascii', Symbol('binary'), 2n ** 64n];
    const listeners = contexts.map((context) => {
      const port = listenPort(r);
      r.add(port.fd, context, EventType.READ);
      return port;
    });
    for (const { port } of listeners) own(r, r.os.connect(port));
    const seen = new Map<number, unknown>();
    const end = Date.now() + 5000;
    while (seen.size < listeners.length && Date.now() < end) {
      for (const e of r.wait(100)) {
        seen.set(e.fd, e.context);
        acceptAll(r, e);
      }
    }
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(listeners.map((l) => l.fd).sort((a, b) => a - b));
    listeners.forEach((listener, i) => expect(Object.is(seen.get(listener.fd), contexts[i])).toBe(true));
  });

  test('a listener beside user sockets: a connection and data on one user socket fire exactly those two', async () => {
    const r = await reactor({ model, mechanism, backend });
    const port = listenPort(r);
    r.add(port.fd, port, EventType.READ);
    const users = [100, 101, 102].map((context) => {
      const [server, client] = pair(r);
      r.add(server, context, EventType.READ);
      return { server, client };
    });
    own(r, r.os.connect(port.port));
    r.os.send(users[1].client, text('x'));
    const events = waitUntil(r, (all) => new Set(all.map((e) => e.fd)).size >= 2);
    const byFd = new Map(events.map((e) => [e.fd, e]));
    expect([...byFd.keys()].sort((a, b) => a - b)).toEqual([port.fd, users[1].server].sort((a, b) => a - b));
    expect([byFd.get(port.fd)!.type, byFd.get(port.fd)!.context]).toEqual([accepted, port]);
    expect([byFd.get(users[1].server)!.type, byFd.get(users[1].server)!.context]).toEqual([EventType.READ, 101]);
    expect(acceptAll(r, byFd.get(port.fd)!)).toHaveLength(1);
    // Completion reports each finished operation once; readiness may repeat a still-ready fd.
    if (completion) expect(events).toHaveLength(2);
  });

  test('a listener without connections reports nothing for 500 ms', async () => {
    const r = await reactor({ model, mechanism, backend });
    const port = listenPort(r);
    r.add(port.fd, port, EventType.READ);
    const start = r.now();
    expect(r.wait(500)).toEqual([]);
    expect(r.now() - start).toBeGreaterThanOrEqual(499);
  });
});
