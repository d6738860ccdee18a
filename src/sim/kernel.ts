// A simulated host's kernel: its open files (stream.ts, eventfd.ts, epoll.ts), over virtual time.
// It answers the OS calls the shim makes (native/common/os.h) and the socket helpers of
// reactor.os. Waiting never sleeps: it moves the clock to the next scheduled delivery.
import type { SimNetwork } from './network.js';
import { PARTITION_MS, STALL_MS, type Faults } from './faults.js';
import type { WindowsFlavor } from './windows-flavor.js';
import { SimConsole } from './console.js';
import { ERRNO, EPOLL } from '../seam.js';
import { SimulationDeadlock } from '../deadlock.js';
import { changed } from './file.js';
import { Stream, Listener, type SimAddress } from './stream.js';
import { EventFd } from './eventfd.js';
import { Epoll } from './epoll.js';
import { pollOnce, type PollList } from './poll.js';
import { MinHeap } from './heap.js';
import { SEGMENT } from './wire.js';

/** Bytes a socket's receive buffer holds; a sender gets a partial write, then EAGAIN, past it. */
export const SOCKET_BUFFER_BYTES = 64 * 1024;
/** The shim's I/O pointers are core-memory offsets plus this (native/sim_entry.c). */
export const SIM_BUFFER_BASE = 0x80000000;
const FIRST_FD = 3;
const STDIN_FD = 0;

/** Linux errno numbers, by the short name the simulator uses. */
export const E = ERRNO;
const IN = EPOLL.EPOLLIN;
const OUT = EPOLL.EPOLLOUT;
const ERR = EPOLL.EPOLLERR;
const HUP = EPOLL.EPOLLHUP;

export interface KernelOptions {
  socketBufferBytes?: number;
  /** Completion ports (iocp.ts): which Windows this kernel plays; 'windows' unless told. */
  windowsFlavor?: WindowsFlavor;
}

/** Names a kernel answers to besides its own host name. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
/** What a listener with no address is listening on: every address of the host. */
const ANY_ADDRESS = '0.0.0.0';

type File = Stream | Listener | EventFd | Epoll;

/** Sees every byte a connection takes (the oracle's record of what was sent). */
export interface KernelObserver {
  /** `bytes` entered the connection towards `to` (the receiving end, as connectionOf names it). */
  sent(to: object, bytes: Uint8Array): void;
}

export class SimKernel {
  readonly #files = new Map<number, File>();
  /** Closed fds (below #nextFd), lowest first: a server with thousands of connections opened each by scanning up from 3. */
  readonly #closedFds = new MinHeap<number>((a, b) => a < b);
  #nextFd = FIRST_FD;
  readonly #bufferBytes: number;
  /** Told of every change that could end a wait on this kernel (the scheduler, scheduler.ts). */
  onTouch: (() => void) | null = null;
  readonly windowsFlavor: WindowsFlavor;
  readonly #closeHooks: ((fd: number) => void)[] = [];
  /** The host's console: what it types, the host's programs read on stdin (fd 0). */
  readonly console: SimConsole;
  #observer: KernelObserver | null = null;
  readonly #readinessOf = (fd: number): number => this.readiness(fd);
  readonly #isOpen = (fd: number): boolean => this.#files.has(fd);

  /** A host on `network` named `host`: it reaches its own ports by that name or by loopback. */
  constructor(
    readonly network: SimNetwork<Listener>,
    readonly host: string,
    options: KernelOptions = {},
  ) {
    this.#bufferBytes = options.socketBufferBytes ?? SOCKET_BUFFER_BYTES;
    this.windowsFlavor = options.windowsFlavor ?? 'windows';
    const stdin = new Stream(false, host);
    this.#files.set(STDIN_FD, stdin);
    stdin.fd = STDIN_FD;
    stdin.owner = this;
    this.console = new SimConsole(
      stdin,
      network,
      host,
      (bytes) => this.#observer?.sent(stdin, bytes),
      () => changed(stdin),
    );
  }

  /** Something changed that could end a wait on this kernel. */
  touch(): void {
    this.onTouch?.();
  }

  /** Calls `hook` with each fd closed from now on, before it goes; returns the unhook. */
  onClose(hook: (fd: number) => void): () => void {
    this.#closeHooks.push(hook);
    return () => {
      this.#closeHooks.splice(this.#closeHooks.indexOf(hook), 1);
    };
  }

  /** The blocking of epoll_wait and poll, for other waits on this kernel (completion ports). */
  waitFor(timeoutMs: number, ready: () => number): number {
    return this.#waitFor(timeoutMs, ready);
  }

  /** Virtual time, in ms: the network's. */
  get now(): number {
    return this.network.now;
  }

  get faults(): Faults {
    return this.network.faults;
  }

  /** Blocks (in virtual time) until `ready()` finds something or the timeout passes. */
  #waitFor(timeoutMs: number, ready: () => number): number {
    const net = this.network;
    const deadline = timeoutMs < 0 ? Infinity : net.now + timeoutMs;
    for (;;) {
      net.advance(net.now);
      const n = ready();
      if (n > 0 || timeoutMs === 0) return n;
      const next = net.nextAt();
      if (next === Infinity || next > deadline) {
        if (deadline === Infinity) throw new SimulationDeadlock(net.now);
        net.advance(deadline);
        return ready();
      }
      net.advance(next);
    }
  }

  // ---- files -------------------------------------------------------------------------------

  #open(file: File): number {
    // The lowest free number, as POSIX gives: a closed one, else the next never used.
    const fd = this.#closedFds.size > 0 ? this.#closedFds.pop()! : this.#nextFd++;
    this.#files.set(fd, file);
    if (file.kind !== 'epoll') {
      file.fd = fd;
      file.owner = this;
    }
    return fd;
  }

  #stream(fd: number): Stream | number {
    const f = this.#files.get(fd);
    if (!f) return -E.EBADF;
    return f.kind === 'stream' ? f : -E.EINVAL;
  }

  /**
   * Delivers a segment (`data`, or a SYN/FIN/RST) from `from` to its peer after the network's
   * delay, in order; `segment` (wire.ts) says which, with the faults that struck it, for the wire's tap.
   */
  #deliver(from: Stream, segment: number, data: Uint8Array | null, what: (to: Stream) => void, heldMs = 0): void {
    const to = from.peer;
    if (!to) return;
    const delay = (from.latency ? this.network.delay() : 0) + heldMs;
    let at = Math.max(this.now + delay, from.lastArrival);
    if (from.host !== to.host) {
      if (this.faults.strike('partition')) this.network.partition(from.host, to.host, this.now + PARTITION_MS);
      const heals = this.network.healsAt(from.host, to.host);
      if (heals > at) {
        at = heals;
        segment |= SEGMENT.partition;
      }
    }
    from.lastArrival = at;
    this.network.wiretap?.segment(from, segment, data, at);
    const arrive = (): void => {
      what(to);
      changed(to);
      changed(from);
      this.network.changed();
    };
    if (at <= this.now) arrive();
    else this.network.schedule(at, arrive);
  }

  #pair(latency: boolean, peerHost = this.host): [Stream, Stream] {
    const a = new Stream(latency, this.host);
    const b = new Stream(latency, peerHost);
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  // ---- the shim's OS calls (native/os.h) ------------------------------------------------------

  accept(fd: number): number {
    const f = this.#files.get(fd);
    if (!f) return -E.EBADF;
    if (f.kind !== 'listener') return -E.EINVAL;
    if (f.backlog.length === 0) return -E.EAGAIN;
    if (this.faults.strike('emfile')) return -E.EMFILE;
    const stream = f.backlog.shift()!;
    if (this.faults.strike('acceptAbort')) {
      stream.peer?.reset();
      changed(stream.peer);
      return -E.ECONNABORTED;
    }
    const accepted = this.#open(stream);
    this.network.wiretap?.take(stream, SEGMENT.syn, 0);
    return accepted;
  }

  /** Reads into `into` at `offset`; returns bytes, 0 at end of stream, or -errno. */
  read(fd: number, into: Uint8Array, offset: number, len: number): number {
    const s = this.#stream(fd);
    if (typeof s === 'number') return s;
    if (s.inboxBytes === 0) {
      // As Linux's tcp_recvmsg: a FIN received ends the stream before any error is looked at.
      if (s.finReceived) {
        this.network.wiretap?.take(s, SEGMENT.fin, 0);
        return 0;
      }
      if (s.pendingError) return -this.#takeError(s);
      return s.resetReceived ? 0 : -E.EAGAIN;
    }
    const want = Math.min(len, s.inboxBytes);
    if (want > 1 && this.faults.strike('partialRead')) len = 1 + Math.floor(this.faults.draw('partialRead') * (want - 1));
    let n = 0;
    while (n < len && s.inbox.length > 0) {
      const chunk = s.inbox[0];
      const take = Math.min(chunk.length, len - n);
      into.set(chunk.subarray(0, take), offset + n);
      n += take;
      if (take === chunk.length) s.inbox.shift();
      else s.inbox[0] = chunk.subarray(take);
    }
    s.inboxBytes -= n;
    this.network.wiretap?.take(s, SEGMENT.data, n);
    changed(s.peer); // room in this inbox is room for the peer to write
    return n;
  }

  /** Sends from `from`; returns the bytes the peer's buffer took (maybe fewer), or -errno. */
  write(fd: number, from: Uint8Array): number {
    const s = this.#stream(fd);
    if (typeof s === 'number') return s;
    if (s.pendingError) return -this.#takeError(s);
    if (s.resetReceived || s.shutWrite || !s.peer || s.peer.closed) return -E.EPIPE;
    const room = this.#bufferBytes - s.peer.inboxBytes - s.inFlight;
    if (room <= 0) return -E.EAGAIN;
    let n = Math.min(room, from.length);
    if (n > 1 && this.faults.strike('partialWrite')) n = 1 + Math.floor(this.faults.draw('partialWrite') * (n - 1));
    const bytes = from.slice(0, n);
    this.#observer?.sent(s.peer, bytes);
    const reset = this.faults.strike('reset');
    const held = this.faults.strike('stall') ? STALL_MS : 0;
    // The FIN rides on this segment, so the fault draws no delay of the network's.
    const halfClose = this.faults.strike('halfClose');
    if (halfClose) {
      s.shutWrite = true;
      changed(s);
    }
    s.inFlight += bytes.length;
    const struck = (reset ? SEGMENT.reset : 0) | (held ? SEGMENT.stall : 0) | (halfClose ? SEGMENT.halfClose : 0);
    this.#deliver(
      s,
      SEGMENT.data | struck,
      bytes,
      (to) => {
        s.inFlight -= bytes.length;
        // A reset end is closed: what reaches it later is dropped, as Linux drops it.
        if (to.closed || to.resetReceived) return;
        if (reset) {
          to.reset();
          s.reset();
          return;
        }
        to.inbox.push(bytes);
        to.inboxBytes += bytes.length;
        if (halfClose) to.finReceived = true;
      },
      held,
    );
    return bytes.length;
  }

  /** Bytes waiting to be read on a stream (0 for anything else). */
  queuedBytes(fd: number): number {
    const s = this.#stream(fd);
    return typeof s === 'number' ? 0 : s.inboxBytes;
  }

  isRegularFile(fd: number): number {
    return this.#files.has(fd) ? 0 : -E.EBADF;
  }

  socketError(fd: number): number {
    const s = this.#stream(fd);
    return typeof s === 'number' || !s.pendingError ? 0 : this.#takeError(s);
  }

  /** Reports the socket's error once (recv, send or SO_ERROR), as Linux's sock_error: it is cleared. */
  #takeError(s: Stream): number {
    const err = s.pendingError;
    s.pendingError = 0;
    this.network.wiretap?.take(s, SEGMENT.rst, 0);
    return err;
  }

  eventfd(): number {
    return this.#open(new EventFd());
  }

  eventfdSignal(fd: number): number {
    const f = this.#files.get(fd);
    if (f?.kind !== 'eventfd') return -E.EBADF;
    f.count++;
    changed(f);
    return 0;
  }

  eventfdDrain(fd: number): void {
    const f = this.#files.get(fd);
    if (f && f.kind === 'eventfd') f.count = 0;
  }

  close(fd: number): number {
    const f = this.#files.get(fd);
    if (!f) return -E.EBADF;
    for (const hook of [...this.#closeHooks]) hook(fd);
    this.#files.delete(fd);
    if (fd >= FIRST_FD) this.#closedFds.push(fd);
    this.touch();
    if (f.kind !== 'epoll') {
      for (const ep of f.watchers) {
        ep.interest.delete(fd);
        ep.ready.delete(fd);
      }
    }
    if (f.kind === 'listener') this.network.unbind(this.host, f.port);
    if (f.kind === 'stream') {
      f.closed = true;
      changed(f.peer);
      // Unread data at close resets the connection, as Linux does; otherwise the peer reads FIN.
      const reset = f.inboxBytes > 0;
      this.#deliver(f, reset ? SEGMENT.rst : SEGMENT.fin, null, (to) => {
        if (reset) to.reset();
        else if (!to.resetReceived) to.finReceived = true;
      });
    }
    return 0;
  }

  /** The readiness bits of an open fd (level-triggered). */
  readiness(fd: number): number {
    const f = this.#files.get(fd);
    if (!f) return 0;
    switch (f.kind) {
      case 'listener':
        return f.backlog.length > 0 ? IN : 0;
      case 'eventfd':
        return (f.count > 0 ? IN : 0) | OUT;
      case 'epoll':
        return 0;
      case 'stream': {
        // Reset: closed both ways (Linux's tcp_poll), in error until the error is reported.
        if (f.resetReceived) return IN | OUT | HUP | (f.pendingError ? ERR : 0);
        let bits = f.inboxBytes > 0 || f.finReceived ? IN : 0;
        const peerGone = !f.peer || f.peer.closed;
        if (f.shutWrite || peerGone || this.#bufferBytes - (f.peer?.inboxBytes ?? 0) - f.inFlight > 0) bits |= OUT;
        if (f.finReceived && (f.shutWrite || peerGone)) bits |= HUP;
        if (f.pendingError) bits |= ERR;
        return bits;
      }
    }
  }

  epollCreate(): number {
    return this.#open(new Epoll());
  }

  epollControl(ep: number, op: 'add' | 'modify' | 'remove', fd: number, events: number, tag: number): number {
    const e = this.#files.get(ep);
    if (e?.kind !== 'epoll') return -E.EBADF;
    const f = this.#files.get(fd);
    if (!f) return -E.EBADF;
    const present = e.interest.has(fd);
    if (op === 'add' && present) return -E.EEXIST;
    if (op !== 'add' && !present) return -E.ENOENT;
    if (op === 'remove') {
      e.interest.delete(fd);
      e.ready.delete(fd);
      if (f.kind !== 'epoll') f.watchers.delete(e);
      return 0;
    }
    e.interest.set(fd, { events, tag });
    if (f.kind !== 'epoll') f.watchers.add(e);
    e.ready.add(fd);
    return 0;
  }

  /**
   * epoll_wait: writes up to `max` ready fds into `out` as (events, tag) pairs; returns how many
   * (see Epoll.collect), or -errno.
   */
  epollWait(ep: number, timeoutMs: number, max: number, out: Uint32Array): number {
    const e = this.#files.get(ep);
    if (e?.kind !== 'epoll') return -E.EBADF;
    if (this.faults.strike('interrupt')) {
      this.touch(); // the interrupted wait saw nothing: a parked waiter must look again
      return -E.EINTR;
    }
    // A probe (the scheduler's, every turn) makes no closure.
    if (timeoutMs === 0) {
      this.network.advance(this.now);
      return e.collect(max, this.#readinessOf, out);
    }
    return this.#waitFor(timeoutMs, () => e.collect(max, this.#readinessOf, out));
  }

  /** poll(): fills the list's revents; returns how many entries are ready. */
  poll(list: PollList, timeoutMs: number): number {
    if (this.faults.strike('interrupt')) {
      this.touch();
      return -E.EINTR;
    }
    if (timeoutMs === 0) {
      this.network.advance(this.now);
      return pollOnce(list, this.#isOpen, this.#readinessOf);
    }
    return this.#waitFor(timeoutMs, () => pollOnce(list, this.#isOpen, this.#readinessOf));
  }

  // ---- socket helpers (reactor.os) -----------------------------------------------------------

  socketPair(): [number, number] {
    const [a, b] = this.#pair(false);
    return [this.#open(a), this.#open(b)];
  }

  listen(port: number, backlog: number, address = ANY_ADDRESS): [number, number] | number {
    const listener = new Listener(port, backlog, address);
    const bound = this.network.bind(this.host, port, listener);
    if (bound < 0) return -E.EADDRINUSE;
    listener.port = bound;
    return [this.#open(listener), bound];
  }

  /** Connects to a port on `host` (a host name of the network, or loopback for this host). */
  connect(port: number, host = this.host): number {
    if (this.faults.strike('enobufs')) return -E.ENOBUFS;
    const target = LOOPBACK.has(host) ? this.host : host;
    const listener = this.network.lookup(target, port);
    if (!listener || listener.backlog.length >= listener.backlogMax) return -E.ECONNREFUSED;
    if (this.faults.strike('refuse')) return -E.ECONNREFUSED;
    const [client, server] = this.#pair(true, target);
    // Dialled by loopback, both ends are that address, as on a real host; otherwise host names.
    const loopback = LOOPBACK.has(host) ? (host === 'localhost' ? '127.0.0.1' : host) : null;
    client.local = { address: loopback ?? this.host, port: this.network.connectionPort(this.host) };
    server.local = { address: loopback ?? target, port };
    const fd = this.#open(client);
    // The server side appears in the backlog when the handshake arrives.
    this.#deliver(client, SEGMENT.syn, null, () => {
      if (this.network.lookup(target, port) === listener) {
        listener.backlog.push(server);
        changed(listener);
      } else client.reset();
    });
    return fd;
  }

  shutdown(fd: number): number {
    const s = this.#stream(fd);
    if (typeof s === 'number') return s;
    if (!s.peer) return -E.ENOTCONN;
    if (!s.shutWrite) {
      s.shutWrite = true;
      changed(s);
      this.#deliver(s, SEGMENT.fin, null, (to) => {
        if (!to.resetReceived) to.finReceived = true;
      });
    }
    return 0;
  }

  /** fd's own address (getsockname): [address, port], or -errno. */
  sockName(fd: number): [string, number] | number {
    const f = this.#files.get(fd);
    if (f?.kind === 'listener') return [f.address, f.port];
    const s = this.#socket(fd);
    return typeof s === 'number' ? s : [s.address, s.port];
  }

  /** The address of fd's peer (getpeername): [address, port], or -errno (ENOTCONN once reset). */
  peerName(fd: number): [string, number] | number {
    const f = this.#files.get(fd);
    if (f?.kind === 'listener' || (f?.kind === 'stream' && f.resetReceived)) return -E.ENOTCONN;
    const s = this.#socket(fd);
    if (typeof s === 'number') return s;
    const peer = (f as Stream).peer!.local!;
    return [peer.address, peer.port];
  }

  /** A TCP connection's end: its address, or -errno as getsockname gives (a socket pair has no IP address). */
  #socket(fd: number): SimAddress | number {
    const f = this.#files.get(fd);
    if (!f) return -E.EBADF;
    if (f.kind !== 'stream' || f === this.console.stdin) return -E.ENOTSOCK;
    return f.local ?? -E.EOPNOTSUPP;
  }

  fdKind(fd: number): number {
    const f = this.#files.get(fd);
    if (!f) return -E.EBADF;
    // Stdin is a pipe (KIND_STREAM), like everything that is neither a socket nor a listener.
    return f.kind === 'listener' ? 1 : f.kind === 'stream' && f !== this.console.stdin ? 0 : 2;
  }

  /** The receiving end of fd's connection (an identity, the same from both hosts), or null. */
  connectionOf(fd: number): object | null {
    const s = this.#stream(fd);
    return typeof s === 'number' ? null : s;
  }

  observe(observer: KernelObserver | null): void {
    this.#observer = observer;
  }

  /** Whether the host crashed (Simulation.crash): its programs' waits and socket calls end with EHOSTDOWN. */
  crashed = false;

  /** The host crashes: every connection is reset at its peer, and its ports are free again. */
  crash(): void {
    this.crashed = true;
    const reset = (s: Stream): void => {
      if (!s.peer || s.peer.owner === this) return;
      s.peer.reset();
      changed(s.peer);
    };
    for (const f of this.#files.values()) {
      if (f.kind === 'stream') reset(f);
      if (f.kind === 'listener') {
        this.network.unbind(this.host, f.port);
        f.backlog.forEach(reset);
      }
    }
    this.network.changed();
  }

  /** Open fds, for tests and invariant checks. */
  get openFiles(): number {
    return this.#files.size;
  }
}
