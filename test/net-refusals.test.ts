// What io-reactor/net does not support fails at once with a code and a message that says what to
// use instead, as the README's table promises; bad arguments fail as node:net's do.
import * as net from '../src/net/index.js';

const unsupported = (fn: () => unknown, message: RegExp): void => {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toMatchObject({ code: 'ERR_IO_REACTOR_UNSUPPORTED', message: expect.stringMatching(message) });
};

test('Unix domain sockets and named pipes are refused, pointing to node:net', () => {
  unsupported(() => net.connect({ path: '/tmp/io-reactor.sock' } as never), /TCP only.*node:net/);
  unsupported(() => net.connect('/tmp/io-reactor.sock' as never), /TCP only.*pass a port/);
  unsupported(() => net.createServer().listen({ path: '/tmp/io-reactor.sock' }), /TCP only.*node:net/);
});

test('setNoDelay(false) is refused, pointing to cork(); setNoDelay() and setKeepAlive() are accepted', () => {
  const socket = new net.Socket();
  unsupported(() => socket.setNoDelay(false), /cork\(\)/);
  expect(socket.setNoDelay()).toBe(socket);
  expect(socket.setKeepAlive(true, 1000)).toBe(socket);
  socket.destroy();
});

test('a bad port is ERR_SOCKET_BAD_PORT, a bad timeout ERR_OUT_OF_RANGE, as in node:net', () => {
  expect(() => net.connect(70000, '127.0.0.1')).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_BAD_PORT' }));
  expect(() => net.createServer().listen(-1)).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_BAD_PORT' }));
  const socket = new net.Socket();
  expect(() => socket.setTimeout(-5)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  socket.destroy();
});

test('closing a server that is not listening is ERR_SERVER_NOT_RUNNING on the callback', async () => {
  const error = await new Promise((resolve) => net.createServer().close(resolve));
  expect(error).toMatchObject({ code: 'ERR_SERVER_NOT_RUNNING' });
});

test('a name that does not resolve is ENOTFOUND from getaddrinfo, on the error event', async () => {
  const socket = net.connect(80, 'no-such-host.invalid');
  const error = await new Promise((resolve) => socket.on('error', resolve));
  expect(error).toMatchObject({
    code: expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN)$/),
    syscall: 'getaddrinfo',
    address: 'no-such-host.invalid',
  });
});
