// Neolith's 4 IOCP tests, where they come from: Windows IOCP (under Wine), completion model.
import assert from 'node:assert/strict';
import { describe, test, afterEach } from 'node:test';
import { EventType } from '../../src/index.js';
import { nativeBinding } from '../../src/native.js';
import { IOCP, reactor, destroyAll, text, str, pair, own, closeNow, closeOwned } from './support.js';

const { READ, ERROR, CLOSE } = EventType;

describe('Neolith IOCP tests (IOCP)', () => {
  afterEach(() => {
    destroyAll();
    closeOwned();
  });

  test('a completed read carries its bytes in the event buffer', async () => {
    const r = await reactor<number>(IOCP);
    const [server, client] = pair(r);
    r.add(server, 0xbeef, READ);
    const data = 'IOCP test data';
    assert.equal(r.os.send(client, text(data)), data.length);
    const events = r.wait(2000);
    assert.deepEqual(
      events.map((e) => [e.fd, e.type, e.context, e.bytesTransferred]),
      [[server, READ, 0xbeef, data.length]],
    );
    assert.equal(str(events[0].buffer), data);
  });

  test('a graceful close by the peer completes the pending read as CLOSE with 0 bytes', async () => {
    const r = await reactor<string>(IOCP);
    const [server, client] = pair(r);
    r.add(server, 'ctx', READ);
    closeNow(r, client);
    const events = r.wait(2000);
    assert.deepEqual(
      events.map((e) => [e.fd, e.type, e.context, e.bytesTransferred]),
      [[server, CLOSE, 'ctx', 0]],
    );
  });

  for (const [when, inFlight] of [
    ['before the read reaches the OS', false],
    ['while the read is in flight', true],
  ] as const) {
    test(`remove right after add (${when}): no event for the fd afterwards, and the pool comes back`, async () => {
      const r = await reactor<string>(IOCP);
      const baseline = r.stats().poolInUse;
      const [server, client] = pair(r);
      r.add(server, 'ctx', READ);
      if (inFlight) assert.deepEqual(r.wait(0), []);
      assert.equal(r.remove(server), true);
      r.os.send(client, text('too late'));
      const events = [...r.wait(500), ...r.wait(100)];
      // Nothing else is registered, and after remove nothing comes for the fd.
      assert.deepEqual(
        events.map((e) => [e.fd, e.type]),
        [],
      );
      assert.equal(r.stats().poolInUse, baseline);
    });
  }

  // Windows binds a socket to one completion port for life (Wine cannot unbind it either).
  test('an fd removed from one reactor and added to another is refused there with EINVAL; the first takes it back', async () => {
    const first = await reactor<string>(IOCP);
    const second = await reactor<string>(IOCP);
    const [server, client] = pair(first);
    first.add(server, 'first', READ);
    assert.deepEqual(first.wait(0), []);
    first.remove(server);
    assert.deepEqual(first.wait(0), []);
    second.add(server, 'second', READ);
    const refused = second.wait(1000);
    assert.deepEqual(
      refused.map((e) => [e.fd, e.type, e.context]),
      [
        [server, ERROR, 'second'],
        [server, ERROR, 'second'],
      ],
    );
    assert.deepEqual([refused[0].error?.code, refused[0].error?.osCode], ['EINVAL', 87]);
    second.remove(server);
    first.add(server, 'again', READ);
    first.os.send(client, text('back'));
    assert.deepEqual(
      first.wait(2000).map((e) => [e.fd, e.type, e.context, str(e.buffer)]),
      [[server, READ, 'again', 'back']],
    );
  });

  test('two reads in a row on one socket: the second message waits for postRead, then arrives intact', async () => {
    const r = await reactor<string>(IOCP);
    const [server, client] = pair(r);
    r.add(server, 'ctx', READ);
    r.os.send(client, text('first'));
    assert.deepEqual(
      r.wait(1000).map((e) => [e.type, e.bytesTransferred, str(e.buffer)]),
      [[READ, 5, 'first']],
    );
    r.os.send(client, text('second'));
    assert.deepEqual(r.wait(100), []);
    r.postRead(server);
    const second = r.wait(1000);
    assert.deepEqual(
      second.map((e) => [e.fd, e.type, e.context, e.bytesTransferred, str(e.buffer)]),
      [[server, READ, 'ctx', 6, 'second']],
    );
  });

  // Windows reports 995 here, Wine 676: the contract is the event type. The socket is closed
  // behind the reactor's back (os.close would unregister it first).
  test('a local close under a pending read completes it as CLOSE', async () => {
    const r = await reactor<string>(IOCP);
    const [server, client] = r.os.socketPair();
    own(r, client);
    r.add(server, 'ctx', READ);
    assert.deepEqual(r.wait(0), []);
    nativeBinding().close(server);
    const events = r.wait(2000);
    assert.deepEqual(
      events.map((e) => [e.fd, e.type, e.context]),
      [[server, CLOSE, 'ctx']],
    );
  });
});
