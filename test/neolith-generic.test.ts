// Neolith's 19 generic reactor tests (test_io_reactor_basic.cpp), ported to every model and
// mechanism, asserting the behaviour the design contract keeps or fixes.
import { EventType, limits } from '../src/index.js';
import { FULL_MATRIX, reactor, destroyAll, waitUntil, recvAll, text, str, pair, closeNow, closeOwned, refusal } from './helpers.js';

afterEach(destroyAll);
afterEach(closeOwned);

const { READ, WRITE } = EventType;

describe.each(FULL_MATRIX)('Neolith generic tests, %s over %s (%s)', (model, mechanism, backend) => {
  const completion = model === 'completion';

  test('create gives a live reactor; destroy ends it and later calls throw EDESTROYED', async () => {
    const r = await reactor({ model, mechanism, backend });
    expect(r.destroyed).toBe(false);
    expect(r.stats()).toMatchObject({ model, mechanism, backend, registered: 0, poolInUse: 0 });
    expect(r.wait(0)).toEqual([]);
    r.destroy();
    expect(r.destroyed).toBe(true);
    expect(() => r.wait(0)).toThrow(refusal('EDESTROYED'));
    expect(() => r.add(0, null, READ)).toThrow(refusal('EDESTROYED'));
    expect(() => r.stats()).toThrow(refusal('EDESTROYED'));
  });

  test('two reactors are independent: each reports only its own fds and outlives the other', async () => {
    const a = await reactor<string>({ model, mechanism, backend });
    const b = await reactor<string>({ model, mechanism, backend });
    expect(a).not.toBe(b);
    expect(a.wakeupToken).not.toBe(b.wakeupToken);
    const [serverA, clientA] = pair(a);
    const [serverB, clientB] = pair(b);
    a.add(serverA, 'a', READ);
    b.add(serverB, 'b', READ);
    a.os.send(clientA, text('to a'));
    expect(a.wait(1000).map((e) => [e.fd, e.context])).toEqual([[serverA, 'a']]);
    expect(b.wait(100)).toEqual([]);
    a.destroy();
    b.os.send(clientB, text('to b'));
    expect(b.wait(1000).map((e) => [e.fd, e.context])).toEqual([[serverB, 'b']]);
  });

  test('destroy twice is harmless, and the fds it watched stay open for the app', async () => {
    const r = await reactor({ model, mechanism, backend });
    const [server, client] = pair(r);
    r.add(server, null, READ);
    r.destroy();
    expect(() => r.destroy()).not.toThrow();
    expect(r.destroyed).toBe(true);
    expect(r.os.send(client, text('still open'))).toBe(10);
    expect(str(r.os.recv(server))).toBe('still open');
  });

  test('add then remove: the fd is registered, then not, and its data raises no event', async () => {
    const r = await reactor({ model, mechanism, backend });
    const [server, client] = pair(r);
    r.add(server, 'ctx', READ);
    expect(r.stats().registered).toBe(1);
    expect(r.remove(server)).toBe(true);
    expect(r.stats().registered).toBe(0);
    r.os.send(client, text('ignored'));
    expect(r.wait(100)).toEqual([]);
  });

  test('the context given to add comes back identical with each event; re-adding replaces it', async () => {
    const r = await reactor<{ name: string }>({ model, mechanism, backend });
    const [server, client] = pair(r);
    const first = { name: 'first' };
    r.add(server, first, READ);
    r.os.send(client, text('a'));
    const [one] = waitUntil(r, (all) => all.length > 0);
    expect(one.context).toBe(first);
    if (!completion) expect(str(r.os.recv(server))).toBe('a');
    r.remove(server);
    const second = { name: 'second' };
    r.add(server, second, READ);
    r.os.send(client, text('b'));
    const [two] = waitUntil(r, (all) => all.length > 0);
    expect(two.context).toBe(second);
  });

  test('adding an fd twice throws EEXIST and keeps the first registration', async () => {
    const r = await reactor<string>({ model, mechanism, backend });
    const [server, client] = pair(r);
    r.add(server, 'first', READ);
    expect(() => r.add(server, 'second', READ)).toThrow(refusal('EEXIST'));
    expect(r.stats().registered).toBe(1);
    r.os.send(client, text('x'));
    const events = r.wait(1000);
    expect(events.map((e) => [e.fd, e.context])).toEqual([[server, 'first']]);
  });

  test('removing an fd that is not registered returns false and changes nothing', async () => {
    const r = await reactor({ model, mechanism, backend });
    const [server] = pair(r);
    const before = r.stats();
    expect(r.remove(9999)).toBe(false);
    expect(r.remove(server)).toBe(false);
    expect(r.stats()).toEqual(before);
    r.add(server, null, READ);
    expect(r.stats().registered).toBe(1);
  });

  test('modify switches the watched events to READ|WRITE, WRITE, then none', async () => {
    const r = await reactor<string>({ model, mechanism, backend });
    const [server, client] = pair(r);
    r.add(server, 'ctx', READ);
    if (completion) {
      // Completion events follow posted operations, so modify only has to be accepted.
      for (const events of [READ | WRITE, WRITE, 0]) expect(() => r.modify(server, events)).not.toThrow();
      expect(r.stats().registered).toBe(1);
      expect(r.remove(server)).toBe(true);
      return;
    }
    expect(r.wait(100)).toEqual([]);
    r.os.send(client, text('pending'));
    r.modify(server, READ | WRITE);
    expect(r.wait(1000).map((e) => [e.fd, e.type, e.context])).toEqual([[server, READ | WRITE, 'ctx']]);
    r.modify(server, WRITE);
    expect(r.wait(1000).map((e) => [e.fd, e.type])).toEqual([[server, WRITE]]);
    r.modify(server, 0);
    expect(r.wait(100)).toEqual([]);
    expect(r.stats().registered).toBe(1);
  });

  test('modify of an unregistered fd throws ENOENT and registers nothing', async () => {
    const r = await reactor({ model, mechanism, backend });
    const [server] = pair(r);
    expect(() => r.modify(9999, READ)).toThrow(refusal('ENOENT'));
    expect(() => r.modify(server, READ)).toThrow(refusal('ENOENT'));
    expect(r.stats().registered).toBe(0);
    r.add(server, null, READ);
    expect(r.stats().registered).toBe(1);
  });

  test('wait(100) with nothing registered returns no events after at least 100 ms', async () => {
    const r = await reactor({ model, mechanism, backend });
    const start = r.now();
    expect(r.wait(100)).toEqual([]);
    const elapsed = r.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(99);
    expect(elapsed).toBeLessThan(5000);
  });

  test('data on a socket gives one READ event with its fd and add-time context', async () => {
    const r = await reactor<{ id: number }>({ model, mechanism, backend });
    const [server, client] = pair(r);
    const context = { id: 0x1234 };
    r.add(server, context, READ);
    expect(r.os.send(client, text('test'))).toBe(4);
    const events = r.wait(1000);
    expect(events).toHaveLength(1);
    const [e] = events;
    expect(e.fd).toBe(server);
    expect(e.context).toBe(context);
    expect(e.type).toBe(READ);
    if (completion) {
      expect(e.bytesTransferred).toBe(4);
      expect(str(e.buffer)).toBe('test');
    } else {
      expect(e.buffer).toBeNull();
      expect(str(r.os.recv(server))).toBe('test');
    }
  });

  test('two sockets with data give exactly two READ events, one per context', async () => {
    const r = await reactor<number>({ model, mechanism, backend });
    const [server1, client1] = pair(r);
    const [server2, client2] = pair(r);
    r.add(server1, 0x1111, READ);
    r.add(server2, 0x2222, READ);
    r.os.send(client1, text('aaa'));
    r.os.send(client2, text('bbb'));
    const events = r.wait(1000);
    expect(events).toHaveLength(2);
    expect(events.every((e) => e.type === READ)).toBe(true);
    expect(events.map((e) => [e.fd, e.context]).sort()).toEqual(
      [
        [server1, 0x1111],
        [server2, 0x2222],
      ].sort(),
    );
  });

  test('maxEvents 2 with three sockets ready: two now, the third first on the next wait', async () => {
    const r = await reactor<number>({ model, mechanism, backend });
    const servers = [1, 2, 3].map((context) => {
      const [server, client] = pair(r);
      r.add(server, context, READ);
      r.os.send(client, text(String(context)));
      return server;
    });
    const first = r.wait(1000, 2);
    expect(first).toHaveLength(2);
    expect(new Set(first.map((e) => e.fd)).size).toBe(2);
    const left = servers.find((fd) => !first.some((e) => e.fd === fd));
    const next = r.wait(1000, 2);
    expect(next[0].fd).toBe(left);
    // Completion: the two delivered reads were not reposted, so only the third is left.
    if (completion) expect(next).toHaveLength(1);
  });

  test('WRITE: a writable socket reports WRITE (readiness); a posted write completes as one WRITE (completion)', async () => {
    const r = await reactor<number>({ model, mechanism, backend });
    const [server, client] = pair(r);
    if (!completion) {
      r.add(server, 0x5678, WRITE);
      expect(r.wait(1000).map((e) => [e.fd, e.type, e.context])).toEqual([[server, WRITE, 0x5678]]);
      return;
    }
    r.add(server, 0x5678, 0);
    r.postWrite(server, text('test write'));
    const events = waitUntil(r, (all) => all.length > 0);
    expect(events.map((e) => [e.fd, e.type, e.context, e.bytesTransferred])).toEqual([[server, WRITE, 0x5678, 10]]);
    expect(str(recvAll(r, client, 10))).toBe('test write');
  });

  test('wait refuses invalid timeouts and maxEvents with EINVAL and keeps working', async () => {
    const r = await reactor({ model, mechanism, backend });
    const [server] = pair(r);
    r.add(server, null, READ);
    const before = r.stats();
    for (const maxEvents of [0, -1, 1.5, NaN, limits.MAX_EVENTS_PER_WAIT + 1]) {
      expect(() => r.wait(100, maxEvents)).toThrow(refusal('EINVAL'));
    }
    for (const timeout of [-1, NaN, '100' as unknown as number]) {
      expect(() => r.wait(timeout)).toThrow(refusal('EINVAL'));
    }
    await expect(r.waitAsync(100, 0)).rejects.toEqual(refusal('EINVAL'));
    expect(r.stats()).toEqual(before);
    expect(r.wait(0)).toEqual([]);
  });

  test('add refuses an invalid fd: negative or fractional with EBADF/EINVAL, a closed one with EBADF', async () => {
    const r = await reactor({ model, mechanism, backend });
    expect(() => r.add(-1, null, READ)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^(EBADF|EINVAL)$/) }));
    expect(() => r.add(1.5, null, READ)).toThrow(refusal('EINVAL'));
    const [closed, other] = pair(r);
    closeNow(r, closed);
    closeNow(r, other);
    expect(() => r.add(closed, null, READ)).toThrow(refusal('EBADF'));
    expect(r.stats().registered).toBe(0);
  });

  test('100 socket pairs with 50 written give exactly 50 events, one per written fd', async () => {
    const r = await reactor<number>({ model, mechanism, backend });
    const pairs = Array.from({ length: 100 }, (_, i) => {
      const [server, client] = pair(r);
      r.add(server, i, READ);
      return { server, client };
    });
    for (const { client } of pairs.slice(0, 50)) expect(r.os.send(client, text('x'))).toBe(1);
    const events = r.wait(1000, 100);
    expect(events).toHaveLength(50);
    expect(events.map((e) => e.context).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(events.every((e) => e.fd === pairs[e.context].server && e.type === READ)).toBe(true);
  });

  test('postRead is accepted in completion (it reads a later message) and refused with EINVAL in readiness', async () => {
    const r = await reactor<string>({ model, mechanism, backend });
    const [server, client] = pair(r);
    r.add(server, 'ctx', READ);
    if (!completion) {
      expect(() => r.postRead(server)).toThrow(refusal('EINVAL', /completion model/));
      return;
    }
    r.postRead(server);
    r.os.send(client, text('one'));
    const [first] = waitUntil(r, (all) => all.length > 0);
    expect(str(first.buffer)).toBe('one');
    // The second read in flight is the one postRead posted: no further post is needed.
    r.os.send(client, text('two'));
    const [second] = waitUntil(r, (all) => all.length > 0);
    expect([second.fd, second.type, second.context, str(second.buffer)]).toEqual([server, READ, 'ctx', 'two']);
  });

  test('postWrite is accepted in completion (the peer receives the bytes) and refused with EINVAL in readiness', async () => {
    const r = await reactor<string>({ model, mechanism, backend });
    const [server, client] = pair(r);
    r.add(server, 'ctx', WRITE);
    if (!completion) {
      expect(() => r.postWrite(server, text('test data'))).toThrow(refusal('EINVAL', /completion model/));
      return;
    }
    r.postWrite(server, text('test data'));
    const events = waitUntil(r, (all) => all.length > 0);
    expect(events.map((e) => [e.fd, e.type, e.context, e.bytesTransferred])).toEqual([[server, WRITE, 'ctx', 9]]);
    expect(str(recvAll(r, client, 9))).toBe('test data');
  });
});
