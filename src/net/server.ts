// Server: node:net's listening server over a reactor's listener fd; each connection it accepts
// becomes a Socket on the same reactor.
import { EventEmitter } from 'node:events';
import { EventType, type AddressInfo, type IoEvent, type Reactor } from '../index.js';
import type { Watcher } from './loop.js';
import type { NetStack } from './stack.js';
import { LoopRef } from './loop-ref.js';
import type { Socket, SocketConstructorOpts, AcceptedFd } from './socket.js';
import { systemError, codedError, codeOf, invalidArgType } from './errors.js';
import { show } from '../validate.js';
import { DEFAULT_BACKLOG } from '../limits.js';

/** Where a server with no host listens when the machine has no IPv6. */
const IPV4_ANY = '0.0.0.0';

/**
 * How long accepting pauses after an accept ran out of fds or buffers: the connection waits in
 * the kernel's backlog meanwhile. Watching on would wake every wait for an accept that fails.
 */
export const ACCEPT_PAUSE_MS = 100;
/** Accept failures that pass as resources come back; any other is the server's 'error'. */
const EXHAUSTED = new Set(['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM']);

export interface ServerOpts extends SocketConstructorOpts {
  pauseOnConnect?: boolean;
}

export interface ListenOptions {
  port?: number | string;
  host?: string;
  backlog?: number;
  path?: string;
  exclusive?: boolean;
  ipv6Only?: boolean;
}

type Listener = (...args: any[]) => void;

/** The API's Socket class, so accepted sockets are `instanceof net.Socket`. */
export type AcceptedSocketClass = new (options: SocketConstructorOpts, accepted: AcceptedFd) => Socket;

export class Server extends EventEmitter implements Watcher {
  /** Connections beyond this are closed as they are accepted (Node's behaviour). */
  maxConnections: number | undefined = undefined;
  readonly #stack: NetStack;
  readonly #options: ServerOpts;
  readonly #socketClass: AcceptedSocketClass;
  #fd = -1;
  #connections = 0;
  #closing = false;
  readonly #loopRef: LoopRef;
  #acceptPause: ReturnType<typeof setTimeout> | null = null;

  constructor(stack: NetStack, socketClass: AcceptedSocketClass, options: ServerOpts = {}, connectionListener?: (socket: Socket) => void) {
    super();
    if (typeof options !== 'object' || options === null) throw invalidArgType('options', 'of type object', options);
    this.#stack = stack;
    this.#loopRef = new LoopRef(stack.loop);
    this.#socketClass = socketClass;
    this.#options = options;
    // As Node: a connection listener that is no function is ignored.
    if (typeof connectionListener === 'function') this.on('connection', connectionListener);
  }

  get listening(): boolean {
    return this.#fd >= 0;
  }

  /** listen(port[, host][, backlog][, cb]) or listen(options[, cb]). */
  listen(...args: unknown[]): this {
    const { options, listener } = listenArgs(args);
    if (this.#fd >= 0 || this.#loopRef.active) {
      throw codedError('ERR_SERVER_ALREADY_LISTEN', 'Listen method has been called more than once without closing.');
    }
    if (listener) this.once('listening', listener);
    const port = options.port === undefined ? 0 : Number(options.port);
    // As Node passes any backlog on to listen(2), which caps it: one outside 1..65535 is the default.
    const backlog =
      Number.isInteger(options.backlog) && options.backlog! >= 1 && options.backlog! <= 65535 ? options.backlog! : DEFAULT_BACKLOG;
    this.#closing = false;
    this.#loopRef.take();
    this.#stack.loop.withReactor(
      (reactor) => {
        // As Node does: with no host, every address; IPv4's when the machine has no IPv6.
        if (options.host !== undefined || !this.#listenNow(reactor, this.#stack.anyAddress, port, backlog, true)) {
          this.#listenNow(reactor, options.host ?? IPV4_ANY, port, backlog, false);
        }
      },
      (e) => this.emit('error', e),
    );
    return this;
  }

  /** Listens on host:port; false when `mayRetry` and the machine lacks the address family. */
  #listenNow(reactor: Reactor<Watcher>, host: string, port: number, backlog: number, mayRetry: boolean): boolean {
    let fd: number;
    try {
      ({ fd } = reactor.os.listen(port, host, backlog));
    } catch (e) {
      const code = codeOf(e, 'EADDRINUSE');
      if (mayRetry && (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL')) return false;
      this.#loopRef.drop();
      const error = systemError('listen', code, host, port);
      process.nextTick(() => this.emit('error', error));
      return true;
    }
    this.#fd = fd;
    this.#stack.loop.watch(fd, this, EventType.READ);
    process.nextTick(() => this.emit('listening'));
    return true;
  }

  onEvent(event: IoEvent<Watcher>): void {
    if (event.fd !== this.#fd) return;
    const os = this.#stack.loop.os;
    for (;;) {
      let fd: number | null;
      try {
        fd = os.accept(this.#fd);
      } catch (e) {
        const code = codeOf(e, 'EMFILE');
        if (EXHAUSTED.has(code)) this.#pauseAccepting();
        else this.emit('error', systemError('accept', code));
        return;
      }
      if (fd === null) return;
      this.#accepted(fd);
      if (this.#fd < 0) return;
    }
  }

  /** Stops watching the listener for ACCEPT_PAUSE_MS (node:net's libuv drops the backlog instead). */
  #pauseAccepting(): void {
    const fd = this.#fd;
    this.#stack.loop.interest(fd, 0);
    // The program's clock: virtual time in a simulation.
    this.#acceptPause = globalThis.setTimeout(() => {
      this.#acceptPause = null;
      if (this.#fd === fd) this.#stack.loop.interest(fd, EventType.READ);
    }, ACCEPT_PAUSE_MS);
  }

  #accepted(fd: number): void {
    if (this.maxConnections !== undefined && this.#connections >= this.maxConnections) {
      const drop = dropped(this.#stack.loop.os, fd);
      this.#stack.loop.os.close(fd);
      this.emit('drop', drop);
      return;
    }
    this.#connections++;
    const socket = new this.#socketClass(this.#options, { fd, onClose: () => this.#connectionClosed() });
    if (this.#options.pauseOnConnect) socket.pause();
    this.emit('connection', socket);
  }

  #connectionClosed(): void {
    this.#connections--;
    if (this.#closing) this.#emitCloseWhenDone();
  }

  /** Stops accepting; 'close' once every connection has ended. */
  close(callback?: (error?: Error) => void): this {
    if (this.#fd < 0) {
      const error = codedError('ERR_SERVER_NOT_RUNNING', 'Server is not running.');
      if (typeof callback === 'function') process.nextTick(callback, error);
      return this;
    }
    if (typeof callback === 'function') this.once('close', callback);
    this.#closing = true;
    if (this.#acceptPause !== null) globalThis.clearTimeout(this.#acceptPause);
    this.#acceptPause = null;
    this.#stack.loop.closeListener(this.#fd);
    this.#fd = -1;
    this.#loopRef.drop();
    process.nextTick(() => this.#emitCloseWhenDone());
    return this;
  }

  /** 'close' once the last connection has closed. */
  #emitCloseWhenDone(): void {
    if (this.#connections > 0 || !this.#closing) return;
    this.#closing = false;
    this.emit('close');
  }

  address(): AddressInfo | null {
    return this.#fd >= 0 ? this.#stack.loop.os.getsockname(this.#fd) : null;
  }

  getConnections(callback: (error: Error | null, count: number) => void): this {
    process.nextTick(callback, null, this.#connections);
    return this;
  }

  ref(): this {
    this.#loopRef.ref();
    return this;
  }

  unref(): this {
    this.#loopRef.unref();
    return this;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return new Promise((resolve) => (this.#fd >= 0 ? this.close(() => resolve()) : resolve()));
  }
}

/** What Node's 'drop' event tells of a connection refused past maxConnections: both its ends, as far as the OS still knows them. */
function dropped(os: Reactor<Watcher>['os'], fd: number): Record<string, string | number> {
  const info: Record<string, string | number> = {};
  const ends = { local: () => os.getsockname(fd), remote: () => os.getpeername(fd) };
  for (const [end, ask] of Object.entries(ends)) {
    try {
      const { address, port, family } = ask();
      Object.assign(info, { [`${end}Address`]: address, [`${end}Port`]: port, [`${end}Family`]: family });
    } catch {
      // Reset before it was accepted: that end is left out.
    }
  }
  return info;
}

function listenArgs(args: unknown[]): { options: ListenOptions; listener?: Listener } {
  const last = args[args.length - 1];
  const listener = typeof last === 'function' ? (last as Listener) : undefined;
  const plain = listener ? args.slice(0, -1) : args;
  const first = plain[0];
  let options: ListenOptions;
  if (first !== null && typeof first === 'object') options = first as ListenOptions;
  else {
    if (typeof first === 'string' && !/^\d+$/.test(first)) {
      throw codedError(
        'ERR_IO_REACTOR_UNSUPPORTED',
        'listen(path): io-reactor/net has TCP only; for Unix domain sockets and named pipes use node:net',
      );
    }
    options = { port: first as number | undefined };
    if (typeof plain[1] === 'string') {
      options.host = plain[1];
      if (typeof plain[2] === 'number') options.backlog = plain[2];
    } else if (typeof plain[1] === 'number') options.backlog = plain[1];
  }
  if (options.path !== undefined) {
    throw codedError(
      'ERR_IO_REACTOR_UNSUPPORTED',
      'listen(path): io-reactor/net has TCP only; for Unix domain sockets and named pipes use node:net',
    );
  }
  // As Node: no port (listen(), listen(cb), port undefined or null) is any free port.
  if ((options.port === undefined && 'port' in options) || options.port === null) return { options: { ...options, port: 0 }, listener };
  if (typeof options.port !== 'number' && typeof options.port !== 'string') {
    const why = 'port' in options ? 'is invalid' : 'must have the property "port" or "path"';
    throw codedError('ERR_INVALID_ARG_VALUE', `The argument 'options' ${why}. Received ${show(options)}`, TypeError);
  }
  const port = typeof options.port === 'string' && options.port.trim() === '' ? NaN : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw codedError('ERR_SOCKET_BAD_PORT', `options.port should be >= 0 and < 65536. Received ${show(options.port)}.`, RangeError);
  }
  return { options, listener };
}
