// Socket helpers: non-blocking stream sockets by fd, for apps and tests. Errors are
// ReactorErrors carrying the OS's code (ECONNREFUSED, EADDRINUSE, ...).
import type { OsCalls } from './backend.js';
import { ReactorError, errnoName, osError } from './errors.js';
import { checkFd, checkBytes, checkIntegerIn } from './validate.js';
import { DEFAULT_BACKLOG, DEFAULT_RECV_BYTES, MAX_RECV_BYTES } from './limits.js';
import { ERRNO } from './seam.js';

const { EAGAIN, EINVAL, EMFILE, ENFILE } = ERRNO;

/** Where a socket is, in node:net's shape (server.address()). On a simulated host the address is
 * a host name (or the loopback address it was dialled by), and the family 'IPv4'. */
export interface AddressInfo {
  address: string;
  family: 'IPv4' | 'IPv6';
  port: number;
}

interface Registrations {
  isRegistered(fd: number): boolean;
  /** Unregisters fd and closes it once the shim has let go of it. */
  closeRegistered(fd: number, close: (fd: number) => number): void;
}

function checkHost(host: unknown, op: string): string {
  if (typeof host !== 'string' || host.length === 0) {
    throw new ReactorError('EINVAL', `${op}: host must be an IP address string such as '127.0.0.1' or '::1', got ${String(host)}`);
  }
  return host;
}

function checkPort(port: unknown, op: string): number {
  return checkIntegerIn(port, 0, 65535, 'port', op);
}

/** What to do when getsockname or getpeername fails with -errno `r` (by name: Windows numbers differ). */
function nameRefused(r: number): string {
  switch (errnoName(-r)) {
    case 'ENOTCONN':
      return 'the socket has no peer: it is still connecting, was reset, or is a listener';
    case 'ENOTSOCK':
      return 'it is not a socket (a pipe or stdin has no address)';
    case 'EOPNOTSUPP':
      return 'a socket pair from os.socketPair has no IP address; only TCP sockets have one';
    default:
      return 'is it an open socket from reactor.os?';
  }
}

export class ReactorOs {
  readonly #reactor: Registrations;
  readonly #calls: OsCalls;

  constructor(reactor: Registrations, calls: OsCalls) {
    this.#reactor = reactor;
    this.#calls = calls;
  }

  /** A connected pair of local stream sockets. */
  socketPair(): [number, number] {
    const r = this.#calls.socketPair();
    if (typeof r === 'number') throw osError(r, 'socketPair', 'the process may be out of fds (ulimit -n)');
    return r;
  }

  /** A listening TCP socket; port 0 picks a free port, returned in `port`. */
  listen(port: number, host = '127.0.0.1', backlog = DEFAULT_BACKLOG): { fd: number; port: number } {
    const op = 'listen';
    checkPort(port, op);
    checkHost(host, op);
    checkIntegerIn(backlog, 1, 65535, 'backlog', op);
    const r = this.#calls.listen(host, port, backlog);
    if (typeof r === 'number') {
      if (r === -EINVAL)
        throw new ReactorError(
          'EINVAL',
          `listen: host ${JSON.stringify(host)} is not an IP address; use a literal such as '127.0.0.1' or '::1'`,
        );
      throw osError(r, `listen(${host}:${port})`, 'pick another port, or 0 for any free one');
    }
    return { fd: r[0], port: r[1] };
  }

  /** The next pending connection's fd, or null when none is waiting. */
  accept(fd: number): number | null {
    checkFd(fd, 'accept');
    const r = this.#calls.accept(fd);
    if (r === -EAGAIN) return null;
    if (r < 0) {
      const outOfFds = r === -EMFILE || r === -ENFILE;
      throw osError(
        r,
        `accept(fd ${fd})`,
        outOfFds
          ? 'the process is out of file descriptors: the connection stays pending, so close fds you no longer need (or raise ulimit -n) and accept again'
          : 'is it a listening socket from os.listen?',
      );
    }
    return r;
  }

  /** Starts a TCP connection; it completes in the background (WRITE when established, ERROR if refused). */
  connect(port: number, host = '127.0.0.1'): number {
    const op = 'connect';
    checkPort(port, op);
    checkHost(host, op);
    const r = this.#calls.connect(host, port);
    if (r === -EINVAL)
      throw new ReactorError('EINVAL', `connect: host ${JSON.stringify(host)} is not an IP address; use a literal such as '127.0.0.1'`);
    if (r < 0) throw osError(r, `connect(${host}:${port})`, 'is a server listening there?');
    return r;
  }

  /**
   * Sends what the kernel takes now of data's first `length` bytes (all of it by default); returns
   * the bytes taken (0 when its buffer is full).
   */
  send(fd: number, data: Uint8Array, length?: number): number {
    checkFd(fd, 'send');
    const size = checkBytes(data, 'send');
    const bytes = length === undefined ? size : checkIntegerIn(length, 0, size, 'length', 'send');
    const calls = this.#calls;
    // Compared with undefined, not tested for truth: V8 tests a function's truth by its type, at each call.
    const r =
      calls.sendPrefix !== undefined ? calls.sendPrefix(fd, data, bytes) : calls.send(fd, bytes === size ? data : data.subarray(0, bytes));
    if (r === -EAGAIN) return 0;
    if (r < 0) throw osError(r, `send(fd ${fd})`, 'the connection is unusable; close it');
    return r;
  }

  /** What has arrived, up to maxBytes; null when nothing yet, empty at end of stream. */
  recv(fd: number, maxBytes = DEFAULT_RECV_BYTES): Uint8Array | null {
    checkFd(fd, 'recv');
    checkIntegerIn(maxBytes, 1, MAX_RECV_BYTES, 'maxBytes', 'recv');
    const r = this.#calls.recv(fd, maxBytes);
    if (r === -EAGAIN) return null;
    if (typeof r === 'number') throw osError(r, `recv(fd ${fd})`, 'the connection is unusable; close it');
    return r;
  }

  /**
   * What has arrived, into `buffer` (up to its length): the bytes received, 0 at end of stream,
   * null when nothing yet. A server that reuses one buffer receives without allocating.
   */
  recvInto(fd: number, buffer: Uint8Array): number | null {
    checkFd(fd, 'recvInto');
    const room = checkBytes(buffer, 'recvInto', 'buffer');
    if (room === 0) throw new ReactorError('EINVAL', 'recvInto: buffer is empty; pass a Uint8Array with room for the bytes');
    const calls = this.#calls;
    let r: number;
    if (calls.recvInto !== undefined) {
      r = calls.recvInto(fd, buffer);
    } else {
      const got = calls.recv(fd, Math.min(room, MAX_RECV_BYTES));
      if (typeof got !== 'number') buffer.set(got);
      r = typeof got === 'number' ? got : got.length;
    }
    if (r === -EAGAIN) return null;
    if (r < 0) throw osError(r, `recvInto(fd ${fd})`, 'the connection is unusable; close it');
    return r;
  }

  /** The address and port fd is bound to: a listener's, or a connection's own end (getsockname). */
  getsockname(fd: number): AddressInfo {
    return this.#name(fd, 'getsockname', this.#calls.getsockname(checkFd(fd, 'getsockname')));
  }

  /** The address and port of a connected socket's peer (getpeername). */
  getpeername(fd: number): AddressInfo {
    return this.#name(fd, 'getpeername', this.#calls.getpeername(checkFd(fd, 'getpeername')));
  }

  #name(fd: number, op: string, r: [string, number] | number): AddressInfo {
    if (typeof r === 'number') throw osError(r, `${op}(fd ${fd})`, nameRefused(r));
    const [address, port] = r;
    return { address, family: address.includes(':') ? 'IPv6' : 'IPv4', port };
  }

  /** Half-close: no more sends; the peer reads end of stream after the data already sent. */
  shutdown(fd: number): void {
    checkFd(fd, 'shutdown');
    const r = this.#calls.shutdown(fd);
    if (r < 0) throw osError(r, `shutdown(fd ${fd})`, 'is it a connected socket?');
  }

  /** Closes the fd, unregistering it from the reactor first if needed (during a pending
   * waitAsync the close itself happens when that wait ends, so the fd number cannot be reused
   * under the waiting shim). */
  close(fd: number): void {
    checkFd(fd, 'close');
    const close = (f: number): number => {
      const r = this.#calls.close(f);
      if (r < 0) throw osError(r, `close(fd ${f})`, 'was it already closed?');
      return r;
    };
    if (this.#reactor.isRegistered(fd)) this.#reactor.closeRegistered(fd, close);
    else close(fd);
  }
}
