// A simulated host's kernel: the facade the shim's OS calls (native/common/os.h) and reactor.os's
// socket helpers reach. It keeps the host's open files by fd (fd-table.ts) and hands each call to
// the file's concept: streams and listeners (sockets.ts), epoll (epoll.ts), poll (poll.ts), eventfd
// (eventfd.ts). Waiting never sleeps: it moves the clock to the next scheduled delivery.
import type { SimNetwork } from './network.js';
import type { Faults } from './faults.js';
import type { WindowsFlavor } from './windows-flavor.js';
import { SimConsole } from './console.js';
import { ERRNO, EPOLL } from '../seam.js';
import { SimulationDeadlock } from '../deadlock.js';
import { changed } from './file.js';
import { Stream, type Listener, type SimAddress } from './stream.js';
import { EventFd } from './eventfd.js';
import { Epoll } from './epoll.js';
import { pollOnce, type PollList } from './poll.js';
import { FdTable } from './fd-table.js';
import { Sockets, SOCKET_BUFFER_BYTES, type KernelObserver } from './sockets.js';

export { SOCKET_BUFFER_BYTES, type KernelObserver };
/** The shim's I/O pointers are core-memory offsets plus this (native/sim_entry.c). */
export const SIM_BUFFER_BASE = 0x80000000;
const FIRST_FD = 3;
const STDIN_FD = 0;

/** Linux errno numbers, by the short name the simulator uses. */
export const E = ERRNO;

export interface KernelOptions {
  socketBufferBytes?: number;
  /** Completion ports (iocp.ts): which Windows this kernel plays; 'windows' unless told. */
  windowsFlavor?: WindowsFlavor;
}

/** What a listener with no address is listening on: every address of the host. */
const ANY_ADDRESS = '0.0.0.0';

type File = Stream | Listener | EventFd | Epoll;

/** What a kernel tells of its changes: the scheduler's record of the waits parked on it. */
export interface ParkedWaits {
  touch(): void;
}

export class SimKernel {
  readonly #files = new FdTable<File>(FIRST_FD);
  readonly #sockets: Sockets;
  /** The waits parked on this kernel (the scheduler's, scheduler.ts), told of every change that could end one; null until one parks. */
  parkedWaits: ParkedWaits | null = null;
  readonly windowsFlavor: WindowsFlavor;
  readonly #closeHooks: ((fd: number) => void)[] = [];
  /** fd 0: a pipe that only the host's console writes to. */
  readonly #stdin: Stream;
  #console: SimConsole | null = null;
  /** Whether the interrupt fault can strike: else waits, probes above all, do not ask it. */
  readonly #interrupts: boolean;
  /** The epoll instance whose next wait a probe began (epollProbe), or null. */
  #probed: Epoll | null = null;

  /** A host on `network` named `host`: it reaches its own ports by that name or by loopback. */
  constructor(
    readonly network: SimNetwork<Listener>,
    readonly host: string,
    options: KernelOptions = {},
  ) {
    this.#sockets = new Sockets(network, host, options.socketBufferBytes ?? SOCKET_BUFFER_BYTES, (stream) => this.#open(stream));
    this.windowsFlavor = options.windowsFlavor ?? 'windows';
    this.#interrupts = network.faults.mayStrike('interrupt');
    const stdin = new Stream(false, host);
    this.#files.place(STDIN_FD, stdin);
    stdin.fd = STDIN_FD;
    stdin.owner = this;
    this.#stdin = stdin;
  }

  /**
   * The host's console: what it types, the host's programs read on stdin (fd 0). Made at first
   * use: a console's random stream and callbacks for each of a thousand hosts that never type.
   */
  get console(): SimConsole {
    const stdin = this.#stdin;
    return (this.#console ??= new SimConsole(
      stdin,
      this.network,
      this.host,
      (bytes) => this.#sockets.observer?.sent(stdin, bytes, 0, bytes.length),
      () => changed(stdin),
    ));
  }

  /** Something changed that could end a wait on this kernel. */
  touch(): void {
    this.parkedWaits?.touch();
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
      net.runDue();
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
    const fd = this.#files.open(file);
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

  // ---- the shim's OS calls (native/os.h) ------------------------------------------------------

  accept(fd: number): number {
    const f = this.#files.get(fd);
    if (!f) return -E.EBADF;
    return f.kind === 'listener' ? this.#sockets.accept(f) : -E.EINVAL;
  }

  /** Reads into `into` at `offset`; returns bytes, 0 at end of stream, or -errno. */
  read(fd: number, into: Uint8Array, offset: number, len: number): number {
    const s = this.#stream(fd);
    return typeof s === 'number' ? s : this.#sockets.read(s, into, offset, len);
  }

  /** Sends `len` bytes of `from` at `offset`; returns the bytes the peer's buffer took (maybe fewer), or -errno. */
  write(fd: number, from: Uint8Array, offset = 0, len = from.length - offset): number {
    const s = this.#stream(fd);
    return typeof s === 'number' ? s : this.#sockets.write(s, from, offset, len);
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
    return typeof s === 'number' ? 0 : this.#sockets.takeError(s);
  }

  eventfd(): number {
    return this.#open(new EventFd());
  }

  eventfdSignal(fd: number): number {
    const f = this.#files.get(fd);
    if (f?.kind !== 'eventfd') return -E.EBADF;
    f.signal();
    return 0;
  }

  eventfdDrain(fd: number): void {
    const f = this.#files.get(fd);
    if (f?.kind === 'eventfd') f.drain();
  }

  close(fd: number): number {
    const f = this.#files.get(fd);
    if (!f) return -E.EBADF;
    for (const hook of [...this.#closeHooks]) hook(fd);
    this.#files.close(fd);
    this.touch();
    if (f.kind !== 'epoll') for (const ep of f.watchers) ep.forget(fd);
    if (f.kind === 'listener') this.#sockets.closeListener(f);
    if (f.kind === 'stream') this.#sockets.close(f);
    return 0;
  }

  /** Times an open fd's readiness may have risen (each a wakeup of its pollers); 0 when closed. */
  wakeups(fd: number): number {
    const f = this.#files.get(fd);
    return f && f.kind !== 'epoll' ? f.wakeups : 0;
  }

  isOpen(fd: number): boolean {
    return this.#files.has(fd);
  }

  /** The readiness bits of an open fd (level-triggered). */
  readiness(fd: number): number {
    const f = this.#files.get(fd);
    if (!f) return 0;
    switch (f.kind) {
      case 'listener':
        return f.backlog.length > 0 ? EPOLL.EPOLLIN : 0;
      case 'eventfd':
        return f.readiness;
      case 'epoll':
        return 0;
      case 'stream':
        return this.#sockets.readiness(f);
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
    return e.control(op, fd, f.kind === 'epoll' ? null : f, events, tag);
  }

  /**
   * epoll_wait: writes up to `max` ready fds into `out` from `at` as (events, tag) pairs; returns
   * how many (see Epoll.collect), or -errno.
   */
  epollWait(ep: number, timeoutMs: number, max: number, out: Uint32Array, at: number): number {
    const e = this.#files.get(ep);
    if (e?.kind !== 'epoll') return -E.EBADF;
    if (this.#probed === e) this.#probed = null;
    else if (this.#interrupted()) return -E.EINTR;
    // A probe (the scheduler's, every turn) makes no closure.
    if (timeoutMs === 0) {
      this.network.runDue();
      return e.collect(max, this, out, at);
    }
    return this.#waitFor(timeoutMs, () => e.collect(max, this, out, at));
  }

  /**
   * What epoll_wait(ep, timeout 0) would return, as a yes or no, at the cost of a look at its
   * ready list: false, and that wait is over (EINTR retried, as the shim retries it); true, and
   * the next epollWait on `ep` is that wait, its interruption already drawn (the shim's, when a
   * probe finds something to hand it: SimShim.cycle).
   */
  epollProbe(ep: number): boolean {
    const e = this.#files.get(ep);
    if (e?.kind !== 'epoll') return false;
    while (this.#interrupted());
    this.network.runDue();
    if (!e.anyReady(this)) return false;
    this.#probed = e;
    return true;
  }

  /** Whether a probe's wait is still to be taken by an epollWait (after the shim's cycle, never). */
  get probePending(): boolean {
    return this.#probed !== null;
  }

  /** Whether the wait now starting is interrupted (the fault): it sees nothing, and parked waiters must look again. */
  #interrupted(): boolean {
    if (!this.#interrupts || !this.faults.strike('interrupt')) return false;
    this.touch();
    return true;
  }

  /** poll(): fills the list's revents; returns how many entries are ready. */
  poll(list: PollList, timeoutMs: number): number {
    if (this.#interrupted()) return -E.EINTR;
    if (timeoutMs === 0) {
      this.network.runDue();
      return pollOnce(list, this);
    }
    return this.#waitFor(timeoutMs, () => pollOnce(list, this));
  }

  // ---- socket helpers (reactor.os) -----------------------------------------------------------

  socketPair(): [number, number] {
    return this.#sockets.socketPair();
  }

  listen(port: number, backlog: number, address = ANY_ADDRESS): [number, number] | number {
    const listener = this.#sockets.listener(port, backlog, address);
    return typeof listener === 'number' ? listener : [this.#open(listener), listener.port];
  }

  /** Connects to a port on `host` (a host name of the network, or loopback for this host). */
  connect(port: number, host = this.host): number {
    return this.#sockets.connect(port, host);
  }

  shutdown(fd: number): number {
    const s = this.#stream(fd);
    return typeof s === 'number' ? s : this.#sockets.shutdown(s);
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
    if (f.kind !== 'stream' || f === this.#stdin) return -E.ENOTSOCK;
    return f.local ?? -E.EOPNOTSUPP;
  }

  fdKind(fd: number): number {
    const f = this.#files.get(fd);
    if (!f) return -E.EBADF;
    // Stdin is a pipe (KIND_STREAM), like everything that is neither a socket nor a listener.
    return f.kind === 'listener' ? 1 : f.kind === 'stream' && f !== this.#stdin ? 0 : 2;
  }

  /** The receiving end of fd's connection (an identity, the same from both hosts), or null. */
  connectionOf(fd: number): object | null {
    const s = this.#stream(fd);
    return typeof s === 'number' ? null : s;
  }

  observe(observer: KernelObserver | null): void {
    this.#sockets.observer = observer;
  }

  /** Whether the host crashed (Simulation.crash): its programs' waits and socket calls end with EHOSTDOWN. */
  crashed = false;

  /** The host crashes: every connection is reset at its peer, and its ports are free again. */
  crash(): void {
    this.crashed = true;
    this.#sockets.crash(this.#files.values(), this);
  }

  /** Open fds, for tests and invariant checks. */
  get openFiles(): number {
    return this.#files.size;
  }
}
