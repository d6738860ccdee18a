// reactor.os.getsockname and getpeername over winsock, under Wine: a listener's address, and both
// ends of a connection AcceptEx took, as each side sees them.
import assert from 'node:assert/strict';
import { describe, test, afterEach } from 'node:test';
import { EventType } from '../../src/index.js';
import { IOCP, reactor, destroyAll, own, closeOwned, refusal } from './support.js';

describe('Socket addresses over winsock (IOCP)', () => {
  afterEach(() => {
    destroyAll();
    closeOwned();
  });

  test('a listener is where it listens, and each end of an accepted connection is what the other calls its peer', async () => {
    const r = await reactor(IOCP);
    const { fd: listener, port } = r.os.listen(0, '127.0.0.1');
    own(r, listener);
    assert.deepEqual(r.os.getsockname(listener), { address: '127.0.0.1', family: 'IPv4', port });
    assert.throws(() => r.os.getpeername(listener), refusal('ENOTCONN', /has no peer/));
    r.add(listener, 'listener', EventType.READ);
    const [client] = own(r, r.os.connect(port, '127.0.0.1'));
    const events = r.wait(2000);
    assert.deepEqual(
      events.map((e) => e.type),
      [EventType.ACCEPT],
    );
    const [server] = own(r, events[0].acceptedFd!);
    const clientEnd = r.os.getsockname(client);
    assert.equal(clientEnd.address, '127.0.0.1');
    assert.notEqual(clientEnd.port, port);
    assert.deepEqual(r.os.getpeername(client), { address: '127.0.0.1', family: 'IPv4', port });
    assert.deepEqual(r.os.getsockname(server), { address: '127.0.0.1', family: 'IPv4', port });
    assert.deepEqual(r.os.getpeername(server), clientEnd);
  });
});
