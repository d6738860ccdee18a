// Neolith's 19 generic tests, run by Windows Node under Wine against the Windows addon: real
// IOCP, completion model (the jest version, test/neolith-generic.test.ts, runs on Linux).
import assert from 'node:assert/strict';
import { describe, test, afterEach } from 'node:test';
import { EventType, limits } from '../../src/index.js';
import { IOCP, reactor, destroyAll, waitUntil, recvAll, text, str, pair, closeNow, closeOwned, refusal, timed, settle } from './support.js';

const { READ, WRITE } = EventType;

describe('Neolith generic tests (IOCP)', () => {
  afterEach(() => {
    destroyAll();
    closeOwned();
  });

  test('create gives a live reactor; destroy ends it and later calls throw EDESTROYED', async () => {
    const r = await reactor({});
    assert.equal(r.destroyed, false);
    assert.equal(r.model, 'completion');
    assert.equal(r.mechanism, 'iocp');
    assert.deepEqual([r.stats().registered, r.stats().poolInUse], [0, 0]);
    assert.deepEqual(r.wait(0), []);
    r.destroy();
    assert.equal(r.destroyed, true);
    assert.throws(() => r.wait(0), refusal('EDESTROYED'));
    assert.throws(() => r.add(0, null, READ), refusal('EDESTROYED'));
  });

  test('two reactors are independent: each reports only its own fds and outlives the other', async () => {
    const a = await reactor<string>(IOCP);
    const b = await reactor<string>(IOCP);
    assert.notEqual(a.wakeupToken, b.wakeupToken);
    const [serverA, clientA] = pair(a);
    const [serverB, clientB] = pair(b);
    a.add(serverA, 'a', READ);
    b.add(serverB, 'b', READ);
    a.os.send(clientA, text('to a'));
    assert.deepEqual(
      a.wait(1000).map((e) => [e.fd, e.context]),
      [[serverA, 'a']],
    );
    assert.deepEqual(b.wait(100), []);
    a.destroy();
    b.os.send(clientB, text('to b'));
    assert.deepEqual(
      b.wait(1000).map((e) => [e.fd, e.context]),
      [[serverB, 'b']],
    );
  });

  test('destroy twice is harmless, and the fds it watched stay open for the app', async () => {
    const r = await reactor(IOCP);
    const [server, client] = pair(r);
    r.add(server, null, READ);
    r.destroy();
    r.destroy();
    assert.equal(r.os.send(client, text('still open')), 10);
    assert.equal(str(recvAll(r, server, 10)), 'still open');
  });

  test('add then remove: the fd is registered, then not, and its data raises no event', async () => {
    const r = await reactor(IOCP);
    const [server, client] = pair(r);
    r.add(server, 'ctx', READ);
    assert.equal(r.stats().registered, 1);
    assert.equal(r.remove(server), true);
    assert.equal(r.stats().registered, 0);
    r.os.send(client, text('ignored'));
    assert.deepEqual(r.wait(100), []);
  });

  test('the context given to add comes back identical with each event; re-adding replaces it', async () => {
    const r = await reactor<{ name: string }>(IOCP);
    const [server, client] = pair(r);
    const first = { name: 'first' };
    r.add(server, first, READ);
    r.os.send(client, text('a'));
    assert.equal(waitUntil(r, (all) => all.length > 0)[0].context, first);
    r.remove(server);
    const second = { name: 'second' };
    r.add(server, second, READ);
    r.os.send(client, text('b'));
    assert.equal(waitUntil(r, (all) => all.length > 0)[0].context, second);
  });

  test('adding an fd twice throws EEXIST and keeps the first registration', async () => {
    const r = await reactor<string>(IOCP);
    const [server, client] = pair(r);
    r.add(server, 'first', READ);
    assert.throws(() => r.add(server, 'second', READ), refusal('EEXIST'));
    assert.equal(r.stats().registered, 1);
    r.os.send(client, text('x'));
    assert.deepEqual(
      r.wait(1000).map((e) => [e.fd, e.context]),
      [[server, 'first']],
    );
  });

  test('removing an fd that is not registered returns false and changes nothing', async () => {
    const r = await reactor(IOCP);
    const [server] = pair(r);
    const before = r.stats();
    assert.equal(r.remove(9999), false);
    assert.equal(r.remove(server), false);
    assert.deepEqual(r.stats(), before);
    r.add(server, null, READ);
    assert.equal(r.stats().registered, 1);
  });

  test('modify to READ|WRITE, WRITE, then none is accepted (completion events follow posted operations)', async () => {
    const r = await reactor<string>(IOCP);
    const [server] = pair(r);
    r.add(server, 'ctx', READ);
    for (const events of [READ | WRITE, WRITE, 0]) r.modify(server, events);
    assert.equal(r.stats().registered, 1);
    assert.equal(r.remove(server), true);
  });

  test('modify of an unregistered fd throws ENOENT and registers nothing', async () => {
    const r = await reactor(IOCP);
    const [server] = pair(r);
    assert.throws(() => r.modify(9999, READ), refusal('ENOENT'));
    assert.throws(() => r.modify(server, READ), refusal('ENOENT'));
    assert.equal(r.stats().registered, 0);
  });

  test('wait(100) with nothing registered returns no events after at least 100 ms', async () => {
    const r = await reactor(IOCP);
    const [events, elapsed] = timed(() => r.wait(100));
    assert.deepEqual(events, []);
    assert.ok(elapsed >= 99 && elapsed < 5000, `elapsed ${elapsed} ms`);
  });

  test('data on a socket gives one READ event with its fd, add-time context and the bytes', async () => {
    const r = await reactor<{ id: number }>(IOCP);
    const [server, client] = pair(r);
    const context = { id: 0x1234 };
    r.add(server, context, READ);
    assert.equal(r.os.send(client, text('test')), 4);
    const events = r.wait(1000);
    assert.equal(events.length, 1);
    const [e] = events;
    assert.deepEqual([e.fd, e.type, e.bytesTransferred, str(e.buffer)], [server, READ, 4, 'test']);
    assert.equal(e.context, context);
  });

  test('two sockets with data give exactly two READ events, one per context', async () => {
    const r = await reactor<number>(IOCP);
    const [server1, client1] = pair(r);
    const [server2, client2] = pair(r);
    r.add(server1, 0x1111, READ);
    r.add(server2, 0x2222, READ);
    r.os.send(client1, text('aaa'));
    r.os.send(client2, text('bbb'));
    const events = waitUntil(r, (all) => all.length >= 2, 1000);
    assert.deepEqual(r.wait(100), []);
    assert.ok(events.every((e) => e.type === READ));
    assert.deepEqual(
      events.map((e) => [e.fd, e.context]).sort(),
      [
        [server1, 0x1111],
        [server2, 0x2222],
      ].sort(),
    );
  });

  test('maxEvents 2 with three sockets ready: two now, the third first on the next wait', async () => {
    const r = await reactor<number>(IOCP);
    const servers = [1, 2, 3].map((context) => {
      const [server, client] = pair(r);
      r.add(server, context, READ);
      r.os.send(client, text(String(context)));
      return server;
    });
    settle(200);
    const first = r.wait(1000, 2);
    assert.equal(first.length, 2);
    assert.equal(new Set(first.map((e) => e.fd)).size, 2);
    const left = servers.find((fd) => !first.some((e) => e.fd === fd));
    const next = r.wait(1000, 2);
    assert.deepEqual(
      next.map((e) => e.fd),
      [left],
    );
  });

  test('a posted write completes as one WRITE with its byte count, and the peer receives it', async () => {
    const r = await reactor<number>(IOCP);
    const [server, client] = pair(r);
    r.add(server, 0x5678, 0);
    r.postWrite(server, text('test write'));
    const events = waitUntil(r, (all) => all.length > 0);
    assert.deepEqual(
      events.map((e) => [e.fd, e.type, e.context, e.bytesTransferred]),
      [[server, WRITE, 0x5678, 10]],
    );
    assert.equal(str(recvAll(r, client, 10)), 'test write');
  });

  test('wait refuses invalid timeouts and maxEvents with EINVAL and keeps working', async () => {
    const r = await reactor(IOCP);
    const [server] = pair(r);
    r.add(server, null, READ);
    const before = r.stats();
    for (const maxEvents of [0, -1, 1.5, NaN, limits.MAX_EVENTS_PER_WAIT + 1]) {
      assert.throws(() => r.wait(100, maxEvents), refusal('EINVAL'));
    }
    for (const timeout of [-1, NaN, '100' as unknown as number]) assert.throws(() => r.wait(timeout), refusal('EINVAL'));
    await assert.rejects(r.waitAsync(100, 0), refusal('EINVAL'));
    assert.deepEqual(r.stats(), before);
    assert.deepEqual(r.wait(0), []);
  });

  test('add refuses an invalid fd: negative or fractional with EBADF/EINVAL, a closed one with EBADF', async () => {
    const r = await reactor(IOCP);
    assert.throws(
      () => r.add(-1, null, READ),
      (e: { code?: string }) => e.code === 'EBADF' || e.code === 'EINVAL',
    );
    assert.throws(() => r.add(1.5, null, READ), refusal('EINVAL'));
    const [closed, other] = pair(r);
    closeNow(r, closed);
    closeNow(r, other);
    assert.throws(() => r.add(closed, null, READ), refusal('EBADF'));
    assert.equal(r.stats().registered, 0);
  });

  test('100 socket pairs with 50 written give exactly 50 events, one per written fd', async () => {
    const r = await reactor<number>({ ...IOCP, poolSize: 256 });
    const pairs = Array.from({ length: 100 }, (_, i) => {
      const [server, client] = pair(r);
      r.add(server, i, READ);
      return { server, client };
    });
    for (const { client } of pairs.slice(0, 50)) assert.equal(r.os.send(client, text('x')), 1);
    const events = waitUntil(r, (all) => all.length >= 50, 5000);
    assert.deepEqual(r.wait(100), []);
    assert.deepEqual(
      events.map((e) => e.context).sort((x, y) => x - y),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.ok(events.every((e) => e.fd === pairs[e.context].server && e.type === READ));
  });

  test('postRead reads a later message; the read it posted is the one that completes', async () => {
    const r = await reactor<string>(IOCP);
    const [server, client] = pair(r);
    r.add(server, 'ctx', READ);
    r.postRead(server);
    r.os.send(client, text('one'));
    const [first] = waitUntil(r, (all) => all.length > 0);
    assert.equal(str(first.buffer), 'one');
    r.os.send(client, text('two'));
    const [second] = waitUntil(r, (all) => all.length > 0);
    assert.deepEqual([second.fd, second.type, second.context, str(second.buffer)], [server, READ, 'ctx', 'two']);
  });

  test('postWrite: the peer receives the bytes and one WRITE reports them', async () => {
    const r = await reactor<string>(IOCP);
    const [server, client] = pair(r);
    r.add(server, 'ctx', WRITE);
    r.postWrite(server, text('test data'));
    const events = waitUntil(r, (all) => all.length > 0);
    assert.deepEqual(
      events.map((e) => [e.fd, e.type, e.context, e.bytesTransferred]),
      [[server, WRITE, 'ctx', 9]],
    );
    assert.equal(str(recvAll(r, client, 9)), 'test data');
  });
});
