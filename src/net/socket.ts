// Socket: node:net's stream.Duplex over a reactor's fd, in the readiness model: a read happens
// only while the stream wants data (paused, the fd is not watched for READ), and a write the
// kernel cannot take whole waits for WRITE readiness before the stream is told it is done.
import { Duplex, type DuplexOptions } from 'node:stream';
import { EventType, type AddressInfo, type IoEvent, type Reactor } from '../index.js';
import type { NetLoop, Watcher } from './loop.js';
import type { NetStack } from './stack.js';
import { LoopRef } from './loop-ref.js';
import { systemError, codedError, codeOf, invalidArgType } from './errors.js';
import { show } from '../validate.js';

// Taken at load: under a simulation's virtual clock the stream's own turns stay real.
const realSetImmediate = globalThis.setImmediate;

/** Bytes a READ readiness event takes from the kernel at once. */
const READ_CHUNK_BYTES = 65536;

export interface SocketConstructorOpts {
  allowHalfOpen?: boolean;
  readableHighWaterMark?: number;
  writableHighWaterMark?: number;
  highWaterMark?: number;
}

export interface SocketConnectOpts {
  port: number | string;
  host?: string;
  timeout?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
}

/** What an accepted socket knows from its server. */
export interface AcceptedFd {
  fd: number;
  onClose(): void;
}

type Listener = (...args: any[]) => void;

export class Socket extends Duplex implements Watcher {
  readonly #stack: NetStack;
  #fd = -1;
  #connecting = false;
  #reading = false;
  /** Hung up while nobody read: no longer watched (level-triggered HUP would fire every wait). */
  #unwatched = false;
  /** The events the fd is watched for now (a change costs the shim a system call). */
  #watching = 0;
  /** The connection's error, reported by the kernel while nobody read or wrote. */
  #hangup: string | null = null;
  #pendingWrite: { data: Buffer; callback: (error?: Error | null) => void } | null = null;
  #pendingFinal: ((error?: Error | null) => void) | null = null;
  readonly #loopRef: LoopRef;
  #timeoutMs = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #bytesRead = 0;
  #bytesWritten = 0;
  #closedByServer: (() => void) | null = null;
  /** Where connect() was asked to go: what its errors name. */
  #dialled: { address: string; port: number } | null = null;
  /** The connection's two ends, asked of the OS on first use while it is open, then kept (as Node does). */
  #ownEnd: AddressInfo | null = null;
  #peerEnd: AddressInfo | null = null;

  /** Bytes the kernel took; `bytesWritten` adds those still queued in the stream. */
  get bytesRead(): number {
    return this.#bytesRead;
  }
  get bytesWritten(): number {
    return this.#bytesWritten + this.writableLength + (this.#pendingWrite?.data.length ?? 0);
  }
  get connecting(): boolean {
    return this.#connecting;
  }
  get pending(): boolean {
    return this.#fd < 0 || this.#connecting;
  }
  get remoteAddress(): string | undefined {
    return this.#peer()?.address;
  }
  get remotePort(): number | undefined {
    return this.#peer()?.port;
  }
  get remoteFamily(): string | undefined {
    return this.#peer()?.family;
  }
  get localAddress(): string | undefined {
    return this.#own()?.address;
  }
  get localPort(): number | undefined {
    return this.#own()?.port;
  }
  get localFamily(): string | undefined {
    return this.#own()?.family;
  }
  get timeout(): number | undefined {
    return this.#timeoutMs === 0 ? undefined : this.#timeoutMs;
  }

  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.#connecting) return 'opening';
    if (this.#fd < 0 || this.destroyed) return 'closed';
    if (this.readable && this.writable) return 'open';
    if (this.readable) return 'readOnly';
    if (this.writable) return 'writeOnly';
    return 'closed';
  }

  constructor(stack: NetStack, options: SocketConstructorOpts = {}, accepted?: AcceptedFd) {
    refuseFdOption(options);
    super({
      allowHalfOpen: options.allowHalfOpen ?? false,
      readableHighWaterMark: options.readableHighWaterMark ?? options.highWaterMark,
      writableHighWaterMark: options.writableHighWaterMark ?? options.highWaterMark,
      emitClose: false,
      decodeStrings: true,
    } satisfies DuplexOptions);
    this.#stack = stack;
    this.#loopRef = new LoopRef(stack.loop);
    if (accepted) {
      this.#fd = accepted.fd;
      this.#closedByServer = accepted.onClose;
      stack.loop.watch(accepted.fd, this, 0);
      this.#watching = 0;
      this.#loopRef.take();
      this.read(0);
    }
  }

  #loop(): NetLoop {
    return this.#stack.loop;
  }

  /** connect(port[, host][, listener]) or connect(options[, listener]). */
  connect(...args: unknown[]): this {
    const { options, listener } = connectArgs(args);
    if (this.#connecting || this.#fd >= 0) {
      throw codedError('ERR_SOCKET_CONNECTING', 'Socket is already connected or connecting; create a new Socket for another connection');
    }
    if (listener) this.once('connect', listener as Listener);
    if (options.timeout) this.setTimeout(options.timeout);
    const port = toPort(options.port);
    const host = options.host ?? 'localhost';
    this.#connecting = true;
    this.#loopRef.take();
    this.#stack.resolve(host, (error, address) => {
      if (this.destroyed) return;
      if (error) {
        this.destroy(error);
        return;
      }
      this.#loop().withReactor(
        (reactor) => this.#startConnect(reactor, address!, port),
        (e) => this.destroy(e as Error),
      );
    });
    return this;
  }

  #startConnect(reactor: Reactor<Watcher>, address: string, port: number): void {
    if (this.destroyed) return;
    this.#dialled = { address, port };
    let fd: number;
    try {
      fd = reactor.os.connect(port, address);
    } catch (e) {
      this.destroy(systemError('connect', codeOf(e, 'ECONNREFUSED'), address, port));
      return;
    }
    this.#fd = fd;
    this.#loop().watch(fd, this, EventType.WRITE);
    this.#watching = EventType.WRITE;
  }

  #connected(): void {
    this.#connecting = false;
    this.#watch();
    this.#touch();
    this.emit('connect');
    this.emit('ready');
    if (this.#pendingWrite) this.#flush();
    else if (this.#pendingFinal) this.#shutdown();
    // As node:net: reading starts now unless paused, so a peer's end is noticed even by a socket nobody reads.
    if (!this.destroyed && !this.isPaused()) this.read(0);
  }

  onEvent(event: IoEvent<Watcher>): void {
    if (this.destroyed || this.#fd !== event.fd) return;
    const failed = (event.type & (EventType.ERROR | EventType.CLOSE)) !== 0;
    if (this.#connecting) {
      if (failed) this.destroy(systemError('connect', event.error?.code ?? 'ECONNREFUSED', this.#dialled!.address, this.#dialled!.port));
      else if (event.type & EventType.WRITE) this.#connected();
      return;
    }
    // The event carries the connection's error (the kernel reports it once): whoever waits on
    // the socket hears it, or the next read or write does.
    if (event.error) this.#hangup = event.error.code;
    if (this.#hangup !== null && this.#pendingWrite) this.#flush();
    else if (this.#hangup !== null && this.#reading) this.destroy(readError(this.#hangup));
    else {
      if (event.type & EventType.WRITE && this.#pendingWrite) this.#flush();
      if (this.destroyed) return;
      if (this.#reading && (event.type & EventType.READ || failed)) this.#readSome();
      else if (failed) {
        // Seen again by the read that wants it; until then unwatched, or it would fire every wait.
        this.#unwatched = true;
        this.#watching = 0;
        this.#loop().unwatch(this.#fd);
      }
    }
  }

  #readSome(): void {
    let data: Uint8Array | null;
    try {
      data = this.#loop().os.recv(this.#fd, READ_CHUNK_BYTES);
    } catch (e) {
      this.destroy(readError(codeOf(e, 'ECONNRESET')));
      return;
    }
    if (data === null) return;
    this.#touch();
    if (data.length === 0) {
      this.#reading = false;
      this.#watch();
      this.push(null);
      // Ends a stream nobody reads, as Node does, so an idle peer's close is noticed.
      this.read(0);
      return;
    }
    this.#bytesRead += data.length;
    if (!this.push(Buffer.from(data.buffer, data.byteOffset, data.length))) {
      this.#reading = false;
      if (!this.destroyed) this.#watch();
    }
  }

  _read(): void {
    if (this.#reading) return;
    if (this.#hangup !== null) {
      this.destroy(readError(this.#hangup));
      return;
    }
    this.#reading = true;
    if (this.#fd >= 0 && !this.#connecting) this.#watch();
  }

  _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#pendingWrite = { data: chunk, callback };
    if (this.#fd >= 0 && !this.#connecting) this.#flush();
  }

  _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this._write(Buffer.concat(chunks.map((c) => c.chunk)), 'binary', callback);
  }

  _final(callback: (error?: Error | null) => void): void {
    this.#pendingFinal = callback;
    if (this.#fd >= 0 && !this.#connecting) this.#shutdown();
  }

  #shutdown(): void {
    const callback = this.#pendingFinal!;
    this.#pendingFinal = null;
    try {
      this.#loop().os.shutdown(this.#fd);
    } catch (e) {
      // The peer is gone already: nothing left to tell it.
      if (codeOf(e, '') !== 'ENOTCONN') {
        callback(systemError('shutdown', codeOf(e, 'EPIPE')));
        return;
      }
    }
    callback();
  }

  /** Sends what the kernel takes; the rest waits for WRITE readiness. */
  #flush(): void {
    const pending = this.#pendingWrite!;
    let taken: number;
    try {
      if (this.#hangup !== null) throw Object.assign(new Error(), { code: this.#hangup });
      taken = this.#loop().os.send(this.#fd, pending.data);
    } catch (e) {
      this.#pendingWrite = null;
      pending.callback(systemError('write', codeOf(e, 'EPIPE')));
      return;
    }
    this.#bytesWritten += taken;
    if (taken > 0) this.#touch();
    if (taken === pending.data.length) {
      this.#pendingWrite = null;
      this.#watch();
      pending.callback();
      return;
    }
    pending.data = pending.data.subarray(taken);
    this.#watch();
  }

  /** Watches the fd for what the socket waits on: READ while it wants data, WRITE while sending. */
  #watch(): void {
    if (this.#fd < 0 || this.destroyed) return;
    const events = (this.#reading ? EventType.READ : 0) | (this.#pendingWrite ? EventType.WRITE : 0);
    if (events === this.#watching) return;
    if (this.#unwatched) {
      if (events === 0) return;
      this.#unwatched = false;
      this.#loop().watch(this.#fd, this, events);
    } else this.#loop().interest(this.#fd, events);
    this.#watching = events;
  }

  _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#clearTimer();
    this.#connecting = false;
    this.#loopRef.drop();
    this.#pendingWrite?.callback(error ?? codedError('ERR_SOCKET_CLOSED', 'Socket is closed'));
    this.#pendingWrite = null;
    const closedByServer = this.#closedByServer;
    this.#closedByServer = null;
    callback(error);
    // 'close' after the error and end events, once the fd is closed, as a closed handle reports it.
    const closed = (): void => {
      realSetImmediate(() => {
        this.emit('close', error !== null && error !== undefined);
        closedByServer?.();
      });
    };
    if (this.#fd < 0) {
      closed();
      return;
    }
    const fd = this.#fd;
    this.#fd = -1;
    if (this.#unwatched) {
      this.#loop().os.close(fd);
      closed();
    } else this.#loop().close(fd, closed);
  }

  /** Ends the writable side once what is queued went out, then destroys the socket. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** Emits 'timeout' after `ms` without activity (0 turns it off); the socket stays open. */
  setTimeout(ms: number, callback?: () => void): this {
    if (typeof ms !== 'number') throw invalidArgType('msecs', 'of type number', ms);
    if (!Number.isFinite(ms) || ms < 0) {
      throw codedError(
        'ERR_OUT_OF_RANGE',
        `The value of "msecs" is out of range. It must be a non-negative finite number. Received ${String(ms)}`,
        RangeError,
      );
    }
    if (callback) {
      if (ms === 0) this.removeListener('timeout', callback);
      else this.once('timeout', callback);
    }
    this.#timeoutMs = ms;
    this.#touch();
    return this;
  }

  #touch(): void {
    this.#clearTimer();
    if (this.#timeoutMs === 0 || this.destroyed) return;
    // The global of the moment: a simulation's virtual clock, when one is installed.
    this.#timer = globalThis.setTimeout(() => {
      this.#timer = null;
      this.emit('timeout');
    }, this.#timeoutMs);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #clearTimer(): void {
    if (this.#timer !== null) globalThis.clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Sockets are TCP_NODELAY from the start (as Node's http sets them): true is a no-op. */
  setNoDelay(noDelay = true): this {
    if (noDelay === false) {
      throw codedError(
        'ERR_IO_REACTOR_UNSUPPORTED',
        'setNoDelay(false): io-reactor/net sockets always send at once (TCP_NODELAY); Nagle batching is not supported, coalesce writes with cork()/uncork() instead',
      );
    }
    return this;
  }

  /** Accepted for code that asks (Node's http agents do); keep-alive probes are not turned on. */
  setKeepAlive(_enable = false, _initialDelayMs = 0): this {
    return this;
  }

  address(): AddressInfo | Record<string, never> {
    const own = this.#own();
    return own ? { ...own } : {};
  }

  /** This end, while the socket is open (Node forgets it at close). */
  #own(): AddressInfo | undefined {
    if (this.#fd < 0) return undefined;
    this.#ownEnd ??= this.#askOs('getsockname');
    return this.#ownEnd ?? undefined;
  }

  /** The peer, once connected; kept after close. A failed ask (reset already) is asked again. */
  #peer(): AddressInfo | undefined {
    if (this.#fd >= 0 && !this.#connecting) this.#peerEnd ??= this.#askOs('getpeername');
    return this.#peerEnd ?? undefined;
  }

  #askOs(call: 'getsockname' | 'getpeername'): AddressInfo | null {
    try {
      return this.#loop().os[call](this.#fd);
    } catch {
      return null;
    }
  }

  ref(): this {
    this.#loopRef.ref();
    return this;
  }

  unref(): this {
    this.#loopRef.unref();
    return this;
  }

  /** Node's: deprecated getters some libraries still read. */
  get bufferSize(): number {
    return this.writableLength;
  }
}

/**
 * A failed read as Node reports it. A connection the peer reset can leave EPIPE as the socket's
 * error (a send met the reset first); a reader hears that as the reset it was.
 */
function readError(code: string): Error {
  return systemError('read', code === 'EPIPE' ? 'ECONNRESET' : code);
}

function toPort(port: unknown): number {
  if (typeof port !== 'number' && typeof port !== 'string') throw invalidArgType('options.port', 'of type number or string', port);
  const n = typeof port === 'string' && port.trim() !== '' ? Number(port) : port;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw codedError(
      'ERR_SOCKET_BAD_PORT',
      `Port should be >= 0 and < 65536. Received ${typeof port === 'string' ? `type string ('${port}')` : String(port)}.`,
      RangeError,
    );
  }
  return n;
}

/** Node's overloads: (port[, host][, cb]), (options[, cb]). */
export function connectArgs(args: unknown[]): { options: SocketConnectOpts & SocketConstructorOpts; listener?: Listener } {
  const last = args[args.length - 1];
  const listener = typeof last === 'function' ? (last as Listener) : undefined;
  const plain = listener ? args.slice(0, -1) : args;
  const first = plain[0];
  if (first !== null && typeof first === 'object') {
    const options = first as SocketConnectOpts & { path?: string };
    if (options.path !== undefined) {
      throw codedError(
        'ERR_IO_REACTOR_UNSUPPORTED',
        'connect({ path }): io-reactor/net has TCP only; for Unix domain sockets and named pipes use node:net',
      );
    }
    if (options.port === undefined)
      throw codedError('ERR_MISSING_ARGS', 'The "options.port" or "options.path" property must be specified', TypeError);
    const family = (options as { family?: unknown }).family;
    if (family !== undefined && family !== 0 && family !== 4 && family !== 6) {
      throw codedError(
        'ERR_INVALID_ARG_VALUE',
        `The property 'options.family' must be one of: 0, 4, 6. Received ${show(family)}`,
        TypeError,
      );
    }
    return { options, listener };
  }
  if (first === undefined) throw codedError('ERR_MISSING_ARGS', 'The "options" or "port" or "path" argument must be specified', TypeError);
  if (typeof first === 'string' && !/^\d+$/.test(first)) {
    throw codedError(
      'ERR_IO_REACTOR_UNSUPPORTED',
      `connect(${JSON.stringify(first)}): io-reactor/net has TCP only (a string path is a Unix domain socket); pass a port`,
    );
  }
  return { options: { port: first as number, host: typeof plain[1] === 'string' ? plain[1] : undefined }, listener };
}

/**
 * new Socket(fd) and new Socket({ fd }) wrap a descriptor in node:net; here sockets are made by
 * connect() or accepted by a Server. The fd is checked as Node checks it, then refused.
 */
function refuseFdOption(options: unknown): void {
  const fd = typeof options === 'number' ? options : (options as { fd?: unknown } | null)?.fd;
  if (fd === undefined) return;
  if (typeof fd !== 'number') throw invalidArgType('fd', 'of type number', fd);
  if (!Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) {
    throw codedError(
      'ERR_OUT_OF_RANGE',
      `The value of "fd" is out of range. It must be an integer >= 0 && <= 2147483647. Received ${show(fd)}`,
      RangeError,
    );
  }
  throw codedError(
    'ERR_IO_REACTOR_UNSUPPORTED',
    `new Socket({ fd: ${fd} }): io-reactor/net does not wrap an existing descriptor; connect() a Socket, or accept one with a Server (node:net wraps descriptors)`,
  );
}
