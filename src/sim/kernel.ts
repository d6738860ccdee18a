// The simulated kernel: stream sockets with finite buffers, listeners, eventfd, epoll and poll,
// over virtual time. It answers the OS calls the shim makes (native/os.h) and the socket helpers
// of reactor.os. Waiting never sleeps: it moves the clock to the next scheduled delivery.
import { SimNetwork, type WireFlag } from './network.js';
import { PARTITION_MS, STALL_MS, type Faults } from './faults.js';
import type { WindowsFlavor } from './windows-flavor.js';
import { SimConsole } from './console.js';
import { ERRNO, EPOLL, POLL } from '../seam.js';
import { SimulationDeadlock } from '../deadlock.js';

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

/** A file epoll can watch: where it is open, and the epoll instances watching it. */
class Watched {
  fd = -1;
  owner: SimKernel | null = null;
  readonly watchers = new Set<Epoll>();
}

class Stream extends Watched {
  readonly kind = 'stream';
  peer: Stream | null = null;
  inbox: Uint8Array[] = [];
  inboxBytes = 0;
  /** Bytes sent to the peer and not yet delivered into its inbox. */
  inFlight = 0;
  /** When this end's last segment reaches the peer: keeps each direction in order. */
  lastArrival = 0;
  finReceived = false;
  resetReceived = false;
  shutWrite = false;
  closed = false;
  pendingError = 0;
  /** Bytes this end sent, and bytes it took: the sequence numbers of the wire's notes. */
  sentBytes = 0;
  takenBytes = 0;
  /** `host`: the host this end lives on, which a one-way partition may cut off; `id`: its number on the network. */
  constructor(readonly latency: boolean, readonly host: string, readonly id: number) {
    super();
  }
}

export class Listener extends Watched {
  readonly kind = 'listener';
  backlog: Stream[] = [];
  constructor(public port: number, readonly backlogMax: number) {
    super();
  }
}

class Counter extends Watched {
  readonly kind = 'eventfd';
  count = 0;
}

class Epoll {
  readonly kind = 'epoll';
  readonly interest = new Map<number, { events: number; tag: number }>();
  /**
   * The fds that may be ready, in the order they became so: a wait scans these, not the whole
   * interest list. Every change that can make an fd ready adds it; a scan drops those that are not.
   */
  readonly ready = new Set<number>();
}

type File = Stream | Listener | Counter | Epoll;

/** Sees every byte a connection takes (the oracle's record of what was sent). */
export interface KernelObserver {
  /** `bytes` entered the connection towards `to` (the receiving end, as connectionOf names it). */
  sent(to: object, bytes: Uint8Array): void;
}

export class SimKernel {
  readonly #files = new Map<number, File>();
  readonly #bufferBytes: number;
  /** Bumped by every change that could end a wait on this kernel (see Simulation's scheduler). */
  version = 0;
  readonly windowsFlavor: WindowsFlavor;
  readonly #closeHooks: ((fd: number) => void)[] = [];
  /** The host's console: what it types, the host's programs read on stdin (fd 0). */
  readonly console: SimConsole;
  #observer: KernelObserver | null = null;

  /** A host on `network` named `host`: it reaches its own ports by that name or by loopback. */
  constructor(readonly network: SimNetwork<Listener>, readonly host: string, options: KernelOptions = {}) {
    this.#bufferBytes = options.socketBufferBytes ?? SOCKET_BUFFER_BYTES;
    this.windowsFlavor = options.windowsFlavor ?? 'windows';
    const stdin = new Stream(false, host, network.nextStreamId());
    this.#files.set(STDIN_FD, stdin);
    stdin.fd = STDIN_FD;
    stdin.owner = this;
    this.console = new SimConsole(stdin, network, host, (bytes) => this.#observer?.sent(stdin, bytes), () => SimKernel.#changed(stdin));
  }

  /** Calls `hook` with each fd closed from now on, before it goes; returns the unhook. */
  onClose(hook: (fd: number) => void): () => void {
    this.#closeHooks.push(hook);
    return () => { this.#closeHooks.splice(this.#closeHooks.indexOf(hook), 1); };
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
    let fd = FIRST_FD;
    while (this.#files.has(fd)) fd++;
    this.#files.set(fd, file);
    if (file.kind !== 'epoll') {
      file.fd = fd;
      file.owner = this;
    }
    return fd;
  }

  /** The file's readiness may have risen: its watchers' waits must look at it again. */
  static #changed(file: Watched | null): void {
    if (!file?.owner) return;
    file.owner.version++;
    for (const ep of file.watchers) ep.ready.add(file.fd);
  }

  #stream(fd: number): Stream | number {
    const f = this.#files.get(fd);
    if (!f) return -E.EBADF;
    return f.kind === 'stream' ? f : -E.EINVAL;
  }

  /**
   * Delivers a segment (`data`, or a SYN/FIN/RST when null) from `from` to its peer after the
   * network's delay, in order; `faults`: those that struck it, for the wire's note.
   */
  #deliver(from: Stream, flag: WireFlag, data: Uint8Array | null, what: (to: Stream) => void, heldMs = 0, faults: string[] = []): void {
    const to = from.peer;
    if (!to) return;
    const delay = (from.latency ? this.network.delay() : 0) + heldMs;
    let at = Math.max(this.now + delay, from.lastArrival);
    if (from.host !== to.host) {
      if (this.faults.strike('partition')) this.network.partition(from.host, to.host, this.now + PARTITION_MS);
      const heals = this.network.healsAt(from.host, to.host);
      if (heals > at) faults = [...faults, 'partition'];
      at = Math.max(at, heals);
    }
    from.lastArrival = at;
    const bytes = data?.length ?? 0;
    if (this.network.wiretapped) {
      this.network.wire({ what: 'segment', host: this.host, fd: from.fd, conn: to.id, seq: from.sentBytes, bytes, flag, at, faults, payload: data });
    }
    from.sentBytes += bytes;
    const arrive = (): void => {
      what(to);
      SimKernel.#changed(to);
      SimKernel.#changed(from);
      this.network.changed();
    };
    if (at <= this.now) arrive();
    else this.network.schedule(at, arrive);
  }

  #pair(latency: boolean, peerHost = this.host): [Stream, Stream] {
    const a = new Stream(latency, this.host, this.network.nextStreamId());
    const b = new Stream(latency, peerHost, this.network.nextStreamId());
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  /** Tells the wire's tap that `s` took `bytes`, or its SYN, FIN or RST. */
  #took(s: Stream, flag: WireFlag, bytes: number): void {
    if (!this.network.wiretapped || !s.peer) return;
    this.network.wire({ what: 'take', host: this.host, fd: s.fd, conn: s.id, seq: s.takenBytes, bytes, flag });
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
      if (stream.peer) stream.peer.resetReceived = true;
      SimKernel.#changed(stream.peer);
      return -E.ECONNABORTED;
    }
    const accepted = this.#open(stream);
    this.#took(stream, 'syn', 0);
    return accepted;
  }

  /** Reads into `into` at `offset`; returns bytes, 0 at end of stream, or -errno. */
  read(fd: number, into: Uint8Array, offset: number, len: number): number {
    const s = this.#stream(fd);
    if (typeof s === 'number') return s;
    if (s.resetReceived) {
      this.#took(s, 'rst', 0);
      return -E.ECONNRESET;
    }
    if (s.inboxBytes === 0) {
      if (!s.finReceived) return -E.EAGAIN;
      this.#took(s, 'fin', 0);
      return 0;
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
    this.#took(s, 'data', n);
    s.takenBytes += n;
    SimKernel.#changed(s.peer);   // room in this inbox is room for the peer to write
    return n;
  }

  /** Sends from `from`; returns the bytes the peer's buffer took (maybe fewer), or -errno. */
  write(fd: number, from: Uint8Array): number {
    const s = this.#stream(fd);
    if (typeof s === 'number') return s;
    if (s.resetReceived) return -E.ECONNRESET;
    if (s.shutWrite || !s.peer || s.peer.closed) return -E.EPIPE;
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
      SimKernel.#changed(s);
    }
    s.inFlight += bytes.length;
    const struck = [reset && 'reset', held && 'stall', halfClose && 'halfClose'].filter((f): f is string => typeof f === 'string');
    this.#deliver(s, 'data', bytes, (to) => {
      s.inFlight -= bytes.length;
      if (to.closed) return;
      if (reset) {
        to.resetReceived = true;
        s.resetReceived = true;
        return;
      }
      to.inbox.push(bytes);
      to.inboxBytes += bytes.length;
      if (halfClose) to.finReceived = true;
    }, held, struck);
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
    if (typeof s === 'number') return 0;
    const err = s.pendingError;
    s.pendingError = 0;
    return err;
  }

  eventfd(): number {
    return this.#open(new Counter());
  }

  eventfdSignal(fd: number): number {
    const f = this.#files.get(fd);
    if (!f || f.kind !== 'eventfd') return -E.EBADF;
    f.count++;
    SimKernel.#changed(f);
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
    this.version++;
    if (f.kind !== 'epoll') {
      for (const ep of f.watchers) {
        ep.interest.delete(fd);
        ep.ready.delete(fd);
      }
    }
    if (f.kind === 'listener') this.network.unbind(this.host, f.port);
    if (f.kind === 'stream') {
      f.closed = true;
      SimKernel.#changed(f.peer);
      // Unread data at close resets the connection, as Linux does; otherwise the peer reads FIN.
      const reset = f.inboxBytes > 0;
      this.#deliver(f, reset ? 'rst' : 'fin', null, (to) => {
        if (reset) to.resetReceived = true;
        else to.finReceived = true;
      });
    }
    return 0;
  }

  /** The readiness bits of an open fd (level-triggered). */
  readiness(fd: number): number {
    const f = this.#files.get(fd);
    if (!f) return 0;
    switch (f.kind) {
      case 'listener': return f.backlog.length > 0 ? IN : 0;
      case 'eventfd': return (f.count > 0 ? IN : 0) | OUT;
      case 'epoll': return 0;
      case 'stream': {
        if (f.resetReceived) return IN | OUT | ERR | HUP;
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
    if (!e || e.kind !== 'epoll') return -E.EBADF;
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
   * Ready fds of an epoll instance, from its ready list (O(ready), not O(interest)). Those
   * reported go to the back of the list, so none starves when `max` is small.
   */
  epollWait(ep: number, timeoutMs: number, max: number): { events: number; tag: number }[] | number {
    const e = this.#files.get(ep);
    if (!e || e.kind !== 'epoll') return -E.EBADF;
    if (this.faults.strike('interrupt')) {
      this.version++;   // the interrupted wait saw nothing: a parked waiter must look again
      return -E.EINTR;
    }
    let found: { fd: number; events: number; tag: number }[] = [];
    this.#waitFor(timeoutMs, () => {
      found = [];
      for (const fd of e.ready) {
        if (found.length >= max) break;
        const want = e.interest.get(fd);
        const bits = want ? this.readiness(fd) & (want.events | ERR | HUP) : 0;
        if (bits) found.push({ fd, events: bits, tag: want!.tag });
        else e.ready.delete(fd);
      }
      for (const { fd } of found) {
        e.ready.delete(fd);
        e.ready.add(fd);
      }
      return found.length;
    });
    return found.map(({ events, tag }) => ({ events, tag }));
  }

  /** poll(): fills revents of each entry; returns how many are ready. */
  poll(entries: { fd: number; events: number; revents: number }[], timeoutMs: number): number {
    if (this.faults.strike('interrupt')) {
      this.version++;
      return -E.EINTR;
    }
    return this.#waitFor(timeoutMs, () => {
      let n = 0;
      for (const p of entries) {
        if (p.fd < 0) { p.revents = 0; continue; }
        p.revents = this.#files.has(p.fd) ? this.readiness(p.fd) & (p.events | ERR | HUP) : POLL.POLLNVAL;
        if (p.revents) n++;
      }
      return n;
    });
  }

  // ---- socket helpers (reactor.os) -----------------------------------------------------------

  socketPair(): [number, number] {
    const [a, b] = this.#pair(false);
    return [this.#open(a), this.#open(b)];
  }

  listen(port: number, backlog: number): [number, number] | number {
    const listener = new Listener(port, backlog);
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
    const fd = this.#open(client);
    // The server side appears in the backlog when the handshake arrives.
    this.#deliver(client, 'syn', null, () => {
      if (this.network.lookup(target, port) === listener) {
        listener.backlog.push(server);
        SimKernel.#changed(listener);
      } else client.resetReceived = true;
    });
    return fd;
  }

  shutdown(fd: number): number {
    const s = this.#stream(fd);
    if (typeof s === 'number') return s;
    if (!s.peer) return -E.ENOTCONN;
    if (!s.shutWrite) {
      s.shutWrite = true;
      SimKernel.#changed(s);
      this.#deliver(s, 'fin', null, (to) => { to.finReceived = true; });
    }
    return 0;
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
      s.peer.resetReceived = true;
      SimKernel.#changed(s.peer);
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
