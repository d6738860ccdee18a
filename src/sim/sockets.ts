// The stream sockets and listeners of one simulated kernel: connections over the network, the bytes
// and FIN/RST segments they carry (with the faults that strike them), and their readiness. The
// kernel (kernel.ts) resolves fds and hands the files here.
import type { SimNetwork } from './network.js';
import { PARTITION_MS, STALL_MS, type FaultKind, type FaultOccasions } from './faults.js';
import { ERRNO as E, EPOLL } from '../seam.js';
import { changed } from './file.js';
import { Stream, Listener } from './stream.js';
import { SEGMENT } from './wire.js';

/** Bytes a socket's receive buffer holds; a sender gets a partial write, then EAGAIN, past it. */
export const SOCKET_BUFFER_BYTES = 64 * 1024;

const IN = EPOLL.EPOLLIN;
const OUT = EPOLL.EPOLLOUT;
const ERR = EPOLL.EPOLLERR;
const HUP = EPOLL.EPOLLHUP;

/** Names a kernel answers to besides its own host name. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Sees every byte a connection takes (the oracle's record of what was sent). */
export interface KernelObserver {
  /**
   * `from[offset, offset + n)` entered the connection towards `to` (the receiving end, as
   * connectionOf names it); the observer copies what it keeps, during the call.
   */
  sent(to: Stream, from: Uint8Array, offset: number, n: number): void;
}

export class Sockets {
  observer: KernelObserver | null = null;
  /**
   * The faults of every read and write that can strike (the network's faults are fixed at its
   * start), null for a kind that cannot: it is not asked, as counting its occasions changes nothing.
   */
  readonly #may: Record<'partition' | 'partialRead' | 'partialWrite' | 'reset' | 'stall' | 'halfClose', FaultOccasions | null>;

  /** `open`: gives a stream its fd in the kernel's table. */
  constructor(
    readonly network: SimNetwork<Listener>,
    readonly host: string,
    readonly bufferBytes: number,
    readonly open: (stream: Stream) => number,
  ) {
    const faults = network.faults;
    const may = (kind: FaultKind): FaultOccasions | null => (faults.mayStrike(kind) ? faults.of(kind) : null);
    this.#may = {
      partition: may('partition'),
      partialRead: may('partialRead'),
      partialWrite: may('partialWrite'),
      reset: may('reset'),
      stall: may('stall'),
      halfClose: may('halfClose'),
    };
  }

  /**
   * Sends a segment (`data`, or a SYN/FIN/RST) from `from` to `to`, its peer: returns when it
   * arrives, after the network's delay and in order. `segment` (wire.ts) says which, with the
   * faults that struck it, for the wire's tap.
   */
  #send(from: Stream, to: Stream, segment: number, data: Uint8Array | null, heldMs = 0): number {
    const net = this.network;
    const delay = (from.latency ? net.delay() : 0) + heldMs;
    let at = Math.max(net.now + delay, from.lastArrival);
    const partition = this.#may.partition;
    if (partition && from.host !== to.host) {
      if (partition.strike()) net.partition(from.host, to.host, net.now + PARTITION_MS);
      const heals = net.healsAt(from.host, to.host);
      if (heals > at) {
        at = heals;
        segment |= SEGMENT.partition;
      }
    }
    from.lastArrival = at;
    net.wiretap?.segment(from, segment, data, at);
    return at;
  }

  /** Runs `arrive` at virtual time `at` (at once if that is now); it ends with #arrived. */
  #at(at: number, arrive: () => void): void {
    if (at <= this.network.now) arrive();
    else this.network.schedule(at, arrive);
  }

  /** A segment from `from` reached `to`: both ends' readiness may have risen. */
  #arrived(to: Stream, from: Stream): void {
    changed(to);
    changed(from);
    this.network.changed();
  }

  #pair(latency: boolean, peerHost = this.host): [Stream, Stream] {
    const a = new Stream(latency, this.host);
    const b = new Stream(latency, peerHost);
    a.peer = b;
    b.peer = a;
    a.arrive = () => this.#arriveData(a, b);
    b.arrive = () => this.#arriveData(b, a);
    return [a, b];
  }

  /** Takes the oldest connection of the backlog: its new fd, or -errno. */
  accept(listener: Listener): number {
    const faults = this.network.faults;
    if (listener.backlog.length === 0) return -E.EAGAIN;
    if (faults.strike('emfile')) return -E.EMFILE;
    const stream = listener.backlog.shift()!;
    if (faults.strike('acceptAbort')) {
      stream.peer?.reset();
      changed(stream.peer);
      return -E.ECONNABORTED;
    }
    const accepted = this.open(stream);
    this.network.wiretap?.take(stream, SEGMENT.syn, 0);
    return accepted;
  }

  /** Reads into `into` at `offset`; returns bytes, 0 at end of stream, or -errno. */
  read(s: Stream, into: Uint8Array, offset: number, len: number): number {
    const n = this.#taking(s, len);
    if (n < 0 || s.inboxBytes === 0) return n;
    this.#copy(s, into, offset, n);
    return n;
  }

  /** Moves `n` bytes of the inbox into `into` at `offset`. */
  #copy(s: Stream, into: Uint8Array, offset: number, n: number): void {
    s.inbox.take(into, offset, n);
    this.#took(s, n);
  }

  /** How many bytes a read of up to `len` takes (a partialRead fault may take fewer): 0 at end of stream, or -errno. */
  #taking(s: Stream, len: number): number {
    const net = this.network;
    if (s.inboxBytes === 0) {
      // As Linux's tcp_recvmsg: a FIN received ends the stream before any error is looked at.
      if (s.finReceived) {
        net.wiretap?.take(s, SEGMENT.fin, 0);
        return 0;
      }
      if (s.pendingError) return -this.takeError(s);
      return s.resetReceived ? 0 : -E.EAGAIN;
    }
    const want = Math.min(len, s.inboxBytes);
    const partialRead = this.#may.partialRead;
    if (want > 1 && partialRead?.strike()) return 1 + Math.floor(partialRead.draw() * (want - 1));
    return want;
  }

  /** `n` bytes left the inbox. */
  #took(s: Stream, n: number): void {
    s.inboxBytes -= n;
    this.network.wiretap?.take(s, SEGMENT.data, n);
    changed(s.peer); // room in this inbox is room for the peer to write
  }

  /** Sends `len` bytes of `from` at `offset`; returns the bytes the peer's buffer took (maybe fewer), or -errno. */
  write(s: Stream, from: Uint8Array, offset: number, len: number): number {
    if (s.pendingError) return -this.takeError(s);
    if (s.resetReceived || s.shutWrite || !s.peer || s.peer.closed) return -E.EPIPE;
    // The peer's inbox holds what it has yet to read and what is on the wire to it: the send buffer's fill.
    const room = this.bufferBytes - s.peer.inbox.length;
    if (room <= 0) return -E.EAGAIN;
    let n = Math.min(room, len);
    const may = this.#may;
    if (n > 1 && may.partialWrite?.strike()) n = 1 + Math.floor(may.partialWrite.draw() * (n - 1));
    const to = s.peer;
    this.observer?.sent(to, from, offset, n);
    const reset = may.reset?.strike() ?? false;
    const held = may.stall?.strike() ? STALL_MS : 0;
    // The FIN rides on this segment, so the fault draws no delay of the network's.
    const halfClose = may.halfClose?.strike() ?? false;
    if (halfClose) {
      s.shutWrite = true;
      changed(s);
    }
    const struck = (reset ? SEGMENT.reset : 0) | (held ? SEGMENT.stall : 0) | (halfClose ? SEGMENT.halfClose : 0);
    to.inbox.push(from, offset, n);
    s.segments.push(n, struck);
    // The wire's tap reads the bytes at once.
    const tapped = this.network.wiretap ? from.subarray(offset, offset + n) : null;
    this.#at(this.#send(s, to, SEGMENT.data | struck, tapped, held), s.arrive);
    return n;
  }

  /**
   * `from`'s oldest data segment reaches `to`: its bytes, next in `to`'s inbox after those that
   * arrived before them, join those to read, or are dropped.
   */
  #arriveData(from: Stream, to: Stream): void {
    const struck = from.segments.oldestStruck;
    const n = from.segments.shift();
    // A reset end is closed: what reaches it later is dropped, as Linux drops it.
    const closed = to.closed || to.resetReceived;
    const reset = (struck & SEGMENT.reset) !== 0;
    if (closed || reset) to.inbox.cut(to.inboxBytes, n);
    else {
      to.inboxBytes += n;
      if (struck & SEGMENT.halfClose) to.finReceived = true;
    }
    if (reset && !closed) {
      to.reset();
      from.reset();
    }
    this.#arrived(to, from);
  }

  /** Reports the socket's error once (recv, send or SO_ERROR), as Linux's sock_error: it is cleared. */
  takeError(s: Stream): number {
    const err = s.pendingError;
    s.pendingError = 0;
    if (err) this.network.wiretap?.take(s, SEGMENT.rst, 0);
    return err;
  }

  /** The stream's fd closed: its peer reads FIN, or RST when unread data was left. */
  close(s: Stream): void {
    s.closed = true;
    changed(s.peer);
    // Unread data at close resets the connection, as Linux does; otherwise the peer reads FIN.
    const reset = s.inboxBytes > 0;
    const to = s.peer;
    if (!to) return; // stdin
    this.#at(this.#send(s, to, reset ? SEGMENT.rst : SEGMENT.fin, null), () => {
      if (reset) to.reset();
      else if (!to.resetReceived) to.finReceived = true;
      this.#arrived(to, s);
    });
  }

  /** The listener's fd closed: its port is free again. */
  closeListener(listener: Listener): void {
    this.network.unbind(this.host, listener.port);
  }

  /** A stream's readiness bits (level-triggered). */
  readiness(s: Stream): number {
    // Reset: closed both ways (Linux's tcp_poll), in error until the error is reported.
    if (s.resetReceived) return IN | OUT | HUP | (s.pendingError ? ERR : 0);
    let bits = s.inboxBytes > 0 || s.finReceived ? IN : 0;
    const peerGone = !s.peer || s.peer.closed;
    if (s.shutWrite || peerGone || this.bufferBytes - (s.peer?.inbox.length ?? 0) > 0) bits |= OUT;
    if (s.finReceived && (s.shutWrite || peerGone)) bits |= HUP;
    if (s.pendingError) bits |= ERR;
    return bits;
  }

  socketPair(): [number, number] {
    const [a, b] = this.#pair(false);
    return [this.open(a), this.open(b)];
  }

  /** A listener on `port` (0: the network picks one), or -errno. */
  listener(port: number, backlog: number, address: string): Listener | number {
    const listener = new Listener(port, backlog, address);
    const bound = this.network.bind(this.host, port, listener);
    if (bound < 0) return -E.EADDRINUSE;
    listener.port = bound;
    return listener;
  }

  /** Connects to a port on `host` (a host name of the network, or loopback for this host): its fd, or -errno. */
  connect(port: number, host: string): number {
    const net = this.network;
    if (net.faults.strike('enobufs')) return -E.ENOBUFS;
    const target = LOOPBACK.has(host) ? this.host : host;
    const listener = net.lookup(target, port);
    if (!listener || listener.backlog.length >= listener.backlogMax) return -E.ECONNREFUSED;
    if (net.faults.strike('refuse')) return -E.ECONNREFUSED;
    const [client, server] = this.#pair(true, target);
    // Dialled by loopback, both ends are that address, as on a real host; otherwise host names.
    const loopback = LOOPBACK.has(host) ? (host === 'localhost' ? '127.0.0.1' : host) : null;
    client.local = { address: loopback ?? this.host, port: net.connectionPort(this.host) };
    server.local = { address: loopback ?? target, port };
    const fd = this.open(client);
    // The server side appears in the backlog when the handshake arrives.
    this.#at(this.#send(client, server, SEGMENT.syn, null), () => {
      if (net.lookup(target, port) === listener) {
        listener.backlog.push(server);
        changed(listener);
      } else client.reset();
      this.#arrived(server, client);
    });
    return fd;
  }

  shutdown(s: Stream): number {
    if (!s.peer) return -E.ENOTCONN;
    if (!s.shutWrite) {
      s.shutWrite = true;
      changed(s);
      const to = s.peer;
      this.#at(this.#send(s, to, SEGMENT.fin, null), () => {
        if (!to.resetReceived) to.finReceived = true;
        this.#arrived(to, s);
      });
    }
    return 0;
  }

  /** The host crashed: every connection it holds is reset at its peer, and its ports are free again. */
  crash(files: Iterable<unknown>, kernel: object): void {
    const reset = (s: Stream): void => {
      if (!s.peer || s.peer.owner === kernel) return;
      s.peer.reset();
      changed(s.peer);
    };
    for (const f of files) {
      if (f instanceof Stream) reset(f);
      if (f instanceof Listener) {
        this.network.unbind(this.host, f.port);
        f.backlog.forEach(reset);
      }
    }
    this.network.changed();
  }
}
