// Server: node:net's listening server over a reactor's listener fd; each connection it accepts
// becomes a Socket on the same reactor.
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { EventType, type IoEvent, type Reactor } from '../index.js';
import type { Watcher } from './loop.js';
import type { NetStack } from './stack.js';
import type { Socket, SocketConstructorOpts, AcceptedFd } from './socket.js';
import { systemError, codedError, codeOf } from './errors.js';

/** Where a server with no host listens when the machine has no IPv6. */
const IPV4_ANY = '0.0.0.0';

/** Node's default backlog for listen(). */
const DEFAULT_BACKLOG = 511;

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
  #bound: { address: string; family: string; port: number } | null = null;
  #connections = 0;
  #closing = false;
  #refed = true;
  #holdsRef = false;

  constructor(stack: NetStack, socketClass: AcceptedSocketClass, options: ServerOpts = {}, connectionListener?: (socket: Socket) => void) {
    super();
    this.#stack = stack;
    this.#socketClass = socketClass;
    this.#options = options;
    if (connectionListener) this.on('connection', connectionListener);
  }

  get listening(): boolean {
    return this.#fd >= 0;
  }

  /** listen(port[, host][, backlog][, cb]) or listen(options[, cb]). */
  listen(...args: unknown[]): this {
    const { options, listener } = listenArgs(args);
    if (this.#fd >= 0 || this.#holdsRef) {
      throw codedError('ERR_SERVER_ALREADY_LISTEN', 'Listen method has been called more than once without closing.');
    }
    if (listener) this.once('listening', listener);
    const port = options.port === undefined ? 0 : Number(options.port);
    const backlog = options.backlog ?? DEFAULT_BACKLOG;
    this.#closing = false;
    this.#takeRef();
    this.#stack.loop.withReactor((reactor) => {
      // As Node does: with no host, every address; IPv4's when the machine has no IPv6.
      if (options.host !== undefined || !this.#listenNow(reactor, this.#stack.anyAddress, port, backlog, true)) {
        this.#listenNow(reactor, options.host ?? IPV4_ANY, port, backlog, false);
      }
    }, (e) => this.emit('error', e));
    return this;
  }

  /** Listens on host:port; false when `mayRetry` and the machine lacks the address family. */
  #listenNow(reactor: Reactor<Watcher>, host: string, port: number, backlog: number, mayRetry: boolean): boolean {
    let fd: number;
    let bound: number;
    try {
      ({ fd, port: bound } = reactor.os.listen(port, host, backlog));
    } catch (e) {
      const code = codeOf(e, 'EADDRINUSE');
      if (mayRetry && (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL')) return false;
      this.#dropRef();
      const error = systemError('listen', code, host, port);
      process.nextTick(() => this.emit('error', error));
      return true;
    }
    this.#fd = fd;
    this.#bound = { address: host, family: isIP(host) === 6 ? 'IPv6' : 'IPv4', port: bound };
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
        this.emit('error', systemError('accept', codeOf(e, 'EMFILE')));
        return;
      }
      if (fd === null) return;
      this.#accepted(fd);
      if (this.#fd < 0) return;
    }
  }

  #accepted(fd: number): void {
    if (this.maxConnections !== undefined && this.#connections >= this.maxConnections) {
      this.#stack.loop.os.close(fd);
      this.emit('drop', { localAddress: this.#bound!.address, localPort: this.#bound!.port });
      return;
    }
    this.#connections++;
    const socket = new this.#socketClass(this.#options, {
      fd,
      localAddress: this.#bound!.address,
      localPort: this.#bound!.port,
      onClose: () => this.#connectionClosed(),
    });
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
      if (callback) process.nextTick(callback, error);
      return this;
    }
    if (callback) this.once('close', callback);
    this.#closing = true;
    this.#stack.loop.closeListener(this.#fd);
    this.#fd = -1;
    this.#dropRef();
    process.nextTick(() => this.#emitCloseWhenDone());
    return this;
  }

  /** 'close' once the last connection has closed. */
  #emitCloseWhenDone(): void {
    if (this.#connections > 0 || !this.#closing) return;
    this.#closing = false;
    this.emit('close');
  }

  address(): { address: string; family: string; port: number } | null {
    return this.#fd >= 0 ? { ...this.#bound! } : null;
  }

  getConnections(callback: (error: Error | null, count: number) => void): this {
    process.nextTick(callback, null, this.#connections);
    return this;
  }

  ref(): this {
    if (!this.#refed) {
      this.#refed = true;
      if (this.#holdsRef) this.#stack.loop.ref();
    }
    return this;
  }

  unref(): this {
    if (this.#refed) {
      this.#refed = false;
      if (this.#holdsRef) this.#stack.loop.unref();
    }
    return this;
  }

  #takeRef(): void {
    this.#holdsRef = true;
    if (this.#refed) this.#stack.loop.ref();
  }

  #dropRef(): void {
    if (!this.#holdsRef) return;
    this.#holdsRef = false;
    if (this.#refed) this.#stack.loop.unref();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return new Promise((resolve) => (this.#fd >= 0 ? this.close(() => resolve()) : resolve()));
  }
}

function listenArgs(args: unknown[]): { options: ListenOptions; listener?: Listener } {
  const last = args[args.length - 1];
  const listener = typeof last === 'function' ? last as Listener : undefined;
  const plain = listener ? args.slice(0, -1) : args;
  const first = plain[0];
  let options: ListenOptions;
  if (first !== null && typeof first === 'object') options = first as ListenOptions;
  else {
    options = { port: first as number | undefined };
    if (typeof plain[1] === 'string') {
      options.host = plain[1];
      if (typeof plain[2] === 'number') options.backlog = plain[2];
    } else if (typeof plain[1] === 'number') options.backlog = plain[1];
  }
  if (options.path !== undefined || typeof options.port === 'string' && !/^\d+$/.test(options.port)) {
    throw codedError('ERR_IO_REACTOR_UNSUPPORTED', 'listen(path): io-reactor/net has TCP only; for Unix domain sockets and named pipes use node:net');
  }
  const port = options.port === undefined ? 0 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw codedError('ERR_SOCKET_BAD_PORT', `options.port should be >= 0 and < 65536. Received ${String(options.port)}.`, RangeError);
  }
  return { options, listener };
}
