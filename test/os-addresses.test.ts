// reactor.os.getsockname and getpeername: where a listener is, and each end of a connection as both
// sides see it, on real loopback sockets and on a simulated host alike; what has no address is
// refused with the reason, and the reactor goes on.
import { EventType } from '../src/index.js';
import { reactor, destroyAll, own, pair, closeOwned, waitUntil } from './helpers.js';
import { refused } from './contract.js';

afterEach(() => {
  destroyAll();
  closeOwned();
});

describe.each(['native', 'sim'] as const)('on the %s backend', (backend) => {
  test('a listener is where it listens, and each end of a connection is what the other calls its peer', async () => {
    const r = await reactor({ model: 'readiness', mechanism: 'epoll', backend });
    const { fd: listener, port } = r.os.listen(0, '127.0.0.1');
    own(r, listener);
    expect(r.os.getsockname(listener)).toEqual({ address: '127.0.0.1', family: 'IPv4', port });
    const [client] = own(r, r.os.connect(port, '127.0.0.1'));
    r.add(listener, 'listener', EventType.READ);
    waitUntil(r, (events) => events.length > 0);
    const [server] = own(r, r.os.accept(listener)!);
    const clientEnd = r.os.getsockname(client);
    expect(clientEnd).toEqual({ address: '127.0.0.1', family: 'IPv4', port: expect.any(Number) });
    expect(clientEnd.port).not.toBe(port);
    expect(r.os.getpeername(client)).toEqual({ address: '127.0.0.1', family: 'IPv4', port });
    expect(r.os.getsockname(server)).toEqual({ address: '127.0.0.1', family: 'IPv4', port });
    expect(r.os.getpeername(server)).toEqual(clientEnd);
  });

  test('a listener has no peer, a socket pair no IP address, a closed fd neither: each refused, nothing changed', async () => {
    const r = await reactor({ model: 'readiness', mechanism: 'epoll', backend });
    const { fd: listener } = r.os.listen(0, '127.0.0.1');
    own(r, listener);
    const [a] = pair(r);
    const [closed] = r.os.socketPair();
    r.os.close(closed);
    const before = r.stats();
    expect(refused(() => r.os.getpeername(listener), 'ENOTCONN').message).toMatch(/getpeername\(fd \d+\) failed .*has no peer/);
    expect(refused(() => r.os.getsockname(a), 'EOPNOTSUPP').message).toMatch(/socket pair from os.socketPair has no IP address/);
    expect(refused(() => r.os.getpeername(a), 'EOPNOTSUPP').message).toMatch(/has no IP address/);
    expect(refused(() => r.os.getsockname(closed), 'EBADF').message).toMatch(/is it an open socket/);
    expect(refused(() => r.os.getsockname(-1), 'EBADF').message).toMatch(/not a valid descriptor/);
    expect(refused(() => r.os.getpeername(1.5), 'EINVAL').message).toMatch(/fd must be an integer/);
    expect(r.stats()).toEqual(before);
    expect(r.os.getsockname(listener).address).toBe('127.0.0.1');
  });
});
