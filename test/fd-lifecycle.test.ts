// What happens around an fd's end: remove, close, and the reuse of its number or its slot
// before the next wait. Each case here once lost data, leaked fds or hung a connection.
import { EventType } from '../src/index.js';
import { COMPLETION_MECHANISMS, MATRIX, reactor, destroyAll, text, str, waitUntil } from './helpers.js';

afterEach(destroyAll);

describe.each(COMPLETION_MECHANISMS)('completion over %s', (mechanism) => {
  test("a removed slot reused before the next wait keeps the other fds' posted reads", async () => {
    const r = await reactor<string>({ model: 'completion', mechanism, poolSize: 16 });
    const [a, aPeer] = r.os.socketPair();
    const [s] = r.os.socketPair();
    const [b, bPeer] = r.os.socketPair();
    const [c, cPeer] = r.os.socketPair();
    r.add(a, 'A', EventType.READ);
    r.add(s, 'S', EventType.READ);
    r.add(b, 'B', EventType.READ);
    r.remove(s);
    r.add(c, 'C', EventType.READ);
    for (const [peer, name] of [
      [aPeer, 'A'],
      [bPeer, 'B'],
      [cPeer, 'C'],
    ] as const)
      r.os.send(peer, text(`hello ${name}`));
    const seen = waitUntil(r, (all) => all.length >= 3, 2000);
    expect(seen.map((e) => `${e.context}:${str(e.buffer)}`).sort()).toEqual(['A:hello A', 'B:hello B', 'C:hello C']);
    expect(r.stats().readsWaiting).toBe(0);
    [a, s, b, c, aPeer, bPeer, cPeer].forEach((fd) => r.os.close(fd));
  });

  test('a write posted before close never reaches a new socket that reuses the fd number', async () => {
    const r = await reactor<string>({ model: 'completion', mechanism });
    const [a, aPeer] = r.os.socketPair();
    r.add(a, 'a', 0);
    r.wait(0);
    r.postWrite(a, text('private data meant for the first peer'));
    r.os.close(a);
    const [b, bPeer] = r.os.socketPair();
    expect(b).toBe(a);
    r.wait(0);
    expect(r.os.recv(bPeer)).toBeNull();
    expect(r.stats().poolInUse).toBe(0);
    [aPeer, b, bPeer].forEach((fd) => r.os.close(fd));
  });

  test('connections accepted for a listener removed before they were delivered are closed, not leaked', async () => {
    const r = await reactor<string>({ model: 'completion', mechanism });
    const { fd: listener, port } = r.os.listen(0);
    r.add(listener, 'listener', EventType.READ);
    r.wait(0);
    const clients = [r.os.connect(port), r.os.connect(port), r.os.connect(port)];
    await new Promise((done) => setTimeout(done, 50)); // the handshakes complete in the kernel
    const [first] = r.wait(1000, 1); // one delivered, the others left queued
    expect(first.type).toBe(EventType.ACCEPT);
    expect(r.stats().readyQueued).toBe(2);
    r.os.close(first.acceptedFd!);
    r.os.close(listener);
    r.wait(0);
    // Every client sees its connection end: nothing on the server side is left holding it.
    for (const client of clients) {
      let got: Uint8Array | null = null;
      for (let i = 0; i < 100 && got === null; i++) {
        got = r.os.recv(client);
        if (got === null) r.wait(5);
      }
      expect(got).toEqual(new Uint8Array(0));
      r.os.close(client);
    }
  });
});

describe.each(MATRIX)('%s over %s', (model, mechanism) => {
  test('a registered fd closed with os.close is forgotten before its number is reused', async () => {
    const r = await reactor<string>({ model, mechanism });
    const [a, aPeer] = r.os.socketPair();
    r.add(a, 'old', EventType.READ);
    r.wait(0);
    r.os.close(a);
    const [b, bPeer] = r.os.socketPair();
    expect(b).toBe(a);
    r.add(b, 'new', EventType.READ);
    r.os.send(bPeer, text('for the new one'));
    const events = waitUntil(r, (all) => all.length > 0);
    expect(events.map((e) => e.context)).toEqual(['new']);
    expect(model === 'completion' ? str(events[0].buffer) : str(r.os.recv(b))).toBe('for the new one');
    [aPeer, b, bPeer].forEach((fd) => r.os.close(fd));
  });

  test('os.close during a pending waitAsync waits for it to end, then closes', async () => {
    const r = await reactor<string>({ model, mechanism });
    const [a, aPeer] = r.os.socketPair();
    r.add(a, 'a', EventType.READ);
    const pending = r.waitAsync(2000);
    r.os.close(a);
    expect(await pending).toEqual([]);
    expect(() => r.os.send(aPeer, text('x'))).toThrow(/EPIPE|ECONNRESET/);
    r.os.close(aPeer);
  });
});
