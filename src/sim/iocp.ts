// The simulated kernel's I/O completion ports, with Windows semantics: they answer the OS calls
// of native/os_iocp.h that iocp.c makes, over the kernel's sockets. An operation completes when
// the kernel can finish it; its completion joins the port's queue then, and waits take them in
// that (FIFO) order. The port retries its operations whenever the network delivers something,
// when it is waited on, and when it is posted to. A cancelRace fault makes a cancel land late, at
// the next wait: an operation that can finish before then does, with its result instead of 995.
import { E, type SimKernel } from './kernel.js';
import { WIN32, EPOLL } from '../seam.js';
import { CompletionQueue } from './completion-queue.js';

/** The op id of a wakeup posted with os_iocp_post (OS_IOCP_WAKE_OP). */
export const WAKE_OP = 0xffffffff;

export interface Completion {
  op: number;
  bytes: number;
  error: number;
  /** accepts: the new socket's fd; else -1 */
  accepted: number;
}

interface Operation {
  op: number;
  fd: number;
  kind: 'recv' | 'send' | 'accept';
  /** where its buffer is in the reactor's memory */
  offset: number;
  len: number;
  /** sends: bytes the kernel took so far */
  taken: number;
  /** cancelled, but a cancelRace fault lets it finish first if it can before the next wait */
  cancelling?: boolean;
}

const READABLE = EPOLL.EPOLLIN;
const WRITABLE = EPOLL.EPOLLOUT;
const BROKEN = EPOLL.EPOLLERR | EPOLL.EPOLLHUP; // a receive would say so at once

/** The Win32 code for what the kernel's socket calls fail with. */
function win32Code(errno: number): number {
  switch (errno) {
    case E.ECONNRESET:
    case E.EPIPE:
      return WIN32.ERROR_NETNAME_DELETED;
    case E.ECONNABORTED:
      return WIN32.ERROR_CONNECTION_ABORTED;
    case E.EMFILE:
      return WIN32.WSAEMFILE;
    case E.EBADF:
      return WIN32.ERROR_INVALID_HANDLE;
    case E.EINVAL:
      return WIN32.WSAENOTSOCK;
    default:
      throw new Error(`simulated IOCP: no Win32 code for errno ${errno}; this is a bug`);
  }
}

/**
 * Each kernel's sockets, by the port they were first associated with. Windows binds a handle to
 * one port for life (until it closes): os_iocp_associate lets the same port take it again after
 * a dissociate, and refuses any other, whose completions would go to the first.
 */
const boundPorts = new WeakMap<SimKernel, Map<number, CompletionPort>>();

export class CompletionPort extends CompletionQueue<Completion> {
  readonly #maxOps: number;
  readonly #associated = new Set<number>();
  /** Associated fds that are streams (stdin), not sockets. */
  readonly #streams = new Set<number>();
  readonly #bound: Map<number, CompletionPort>;
  /** In flight, in the order posted. */
  #pending: Operation[] = [];
  /** The op ids of #pending, so a post checks for a duplicate without a scan (ten thousand idle reads). */
  readonly #pendingOps = new Set<number>();

  /** A port for up to `maxOps` operations in flight, whose buffers are in `memory`. */
  constructor(kernel: SimKernel, memory: Uint8Array, maxOps: number) {
    super(kernel, memory);
    this.#maxOps = maxOps;
    if (!boundPorts.has(kernel)) boundPorts.set(kernel, new Map());
    this.#bound = boundPorts.get(kernel)!;
  }

  override shut(): void {
    super.shut();
    this.#pending = [];
    this.#pendingOps.clear();
  }

  /**
   * `stream`: stdin, which Windows' shim serves with a reader thread (native/os_win32.c) rather
   * than overlapped I/O: associating it again is no error, and one read at a time may be posted.
   */
  associate(fd: number, stream = false): number {
    if (this.kernel.fdKind(fd) < 0) return WIN32.ERROR_INVALID_HANDLE;
    // Windows refuses a second association of a socket, to this port or another (a handle is
    // bound to one port for life); stdin's reader thread serves every port.
    if (!stream) {
      if (this.#associated.has(fd) || (this.#bound.get(fd) ?? this) !== this) return WIN32.ERROR_INVALID_PARAMETER;
      this.#bound.set(fd, this);
    }
    this.#associated.add(fd);
    if (stream) this.#streams.add(fd);
    return 0;
  }

  /** Forgets fd; what is in flight on it completes with ERROR_OPERATION_ABORTED. */
  dissociate(fd: number): number {
    if (!this.#associated.delete(fd)) return WIN32.ERROR_INVALID_HANDLE;
    for (const o of this.#pending) if (o.fd === fd && this.kernel.faults.strike('cancelRace')) o.cancelling = true;
    this.#end(
      (o) => o.fd === fd && !o.cancelling,
      () => WIN32.ERROR_OPERATION_ABORTED,
    );
    return 0;
  }

  recv(fd: number, offset: number, len: number, op: number): number {
    // The stream's reader serves one posted read; a second is refused as os_win32.c's is.
    if (this.#streams.has(fd) && this.#pending.some((o) => o.fd === fd && o.kind === 'recv')) return WIN32.ERROR_INVALID_PARAMETER;
    return this.#post({ op, fd, kind: 'recv', offset, len, taken: 0 });
  }

  /** A non-blocking receive (os_iocp_recv_now): bytes, 0 at end of stream, or -code. */
  recvNow(fd: number, offset: number, len: number): number {
    if (!this.#associated.has(fd)) return -WIN32.ERROR_INVALID_HANDLE;
    const n = this.kernel.read(fd, this.memory, offset, len);
    if (n === -E.EAGAIN) return -WIN32.WSAEWOULDBLOCK;
    return n >= 0 ? n : -win32Code(-n);
  }

  send(fd: number, offset: number, len: number, op: number): number {
    return this.#post({ op, fd, kind: 'send', offset, len, taken: 0 });
  }

  accept(fd: number, op: number): number {
    // AcceptEx needs a fresh socket, made when the accept is posted.
    if (this.kernel.faults.strike('enobufs')) return WIN32.WSAENOBUFS;
    return this.#post({ op, fd, kind: 'accept', offset: 0, len: 0, taken: 0 });
  }

  /** PostQueuedCompletionStatus of a wakeup. */
  post(): number {
    this.completions.push({ op: WAKE_OP, bytes: 0, error: 0, accepted: -1 });
    return 0;
  }

  /** Whether a wakeup waits in the queue. */
  get wakePending(): boolean {
    return this.completions.some((c) => c.op === WAKE_OP);
  }

  /**
   * GetQueuedCompletionStatusEx: up to `max` completions, oldest first, waiting in virtual time.
   * Never interrupted (no interrupt fault): native/os_win32.c waits with fAlertable FALSE.
   */
  wait(max: number, timeoutMs: number): Completion[] {
    // Late cancels land here: what finished before them (during the requests just made) did.
    this.progress();
    this.#end(
      (o) => o.cancelling === true,
      () => WIN32.ERROR_OPERATION_ABORTED,
    );
    return this.take(max, timeoutMs);
  }

  #post(operation: Operation): number {
    if (!this.#associated.has(operation.fd))
      return this.kernel.fdKind(operation.fd) < 0 ? WIN32.ERROR_INVALID_HANDLE : WIN32.ERROR_INVALID_PARAMETER;
    // An op id twice in flight is the caller's bug: Windows would corrupt its OVERLAPPED.
    if (operation.op >= this.#maxOps || this.#pendingOps.has(operation.op)) return WIN32.ERROR_INVALID_PARAMETER;
    // A zero-byte receive takes nothing and moves nothing: it can only finish itself, at once or later.
    const alone = operation.kind === 'recv' && operation.len === 0 ? this.#attempt(operation) : null;
    if (alone) {
      this.completions.push(alone);
      return 0;
    }
    this.#pending.push(operation);
    this.#pendingOps.add(operation.op);
    if (operation.len > 0 || operation.kind !== 'recv') this.progress();
    return 0;
  }

  /** A local close: what is in flight on fd ends, a read as this kernel's flavor of Windows says. */
  protected closed(fd: number): void {
    this.#bound.delete(fd);
    this.#associated.delete(fd);
    this.#streams.delete(fd);
    const readEnds = this.kernel.windowsFlavor === 'wine' ? WIN32.STATUS_LOCAL_CLOSE : WIN32.ERROR_OPERATION_ABORTED;
    this.#end(
      (o) => o.fd === fd,
      (o) => (o.kind === 'recv' ? readEnds : WIN32.ERROR_OPERATION_ABORTED),
    );
  }

  /** Ends the operations `which` picks, in the order posted, each with its `code`. */
  #end(which: (o: Operation) => boolean, code: (o: Operation) => number): void {
    for (const o of this.#pending) {
      if (!which(o)) continue;
      this.completions.push({ op: o.op, bytes: o.taken, error: code(o), accepted: -1 });
      this.#pendingOps.delete(o.op);
    }
    this.#pending = this.#pending.filter((o) => this.#pendingOps.has(o.op));
  }

  protected pass(): void {
    const still: Operation[] = [];
    // A send waits behind an earlier one on its socket, as Windows keeps a socket's sends in order.
    const sendBlocked = new Set<number>();
    for (const o of this.#pending) {
      const done = o.kind === 'send' && sendBlocked.has(o.fd) ? null : this.#attempt(o);
      if (done) {
        this.completions.push(done);
        this.#pendingOps.delete(o.op);
        continue;
      }
      still.push(o);
      if (o.kind === 'send') sendBlocked.add(o.fd);
    }
    this.#pending = still;
  }

  #attempt(o: Operation): Completion | null {
    const k = this.kernel;
    const ended = (bytes: number, error: number, accepted = -1): Completion => ({ op: o.op, bytes, error, accepted });
    switch (o.kind) {
      case 'recv': {
        // A zero-byte receive completes once there is something to read (data, end or error).
        if (o.len === 0) return k.readiness(o.fd) & (READABLE | BROKEN) ? ended(0, 0) : null;
        // 0 bytes: the peer's FIN, a graceful close.
        const n = k.read(o.fd, this.memory, o.offset, o.len);
        if (n === -E.EAGAIN) return null;
        return n >= 0 ? ended(n, 0) : ended(0, win32Code(-n));
      }
      case 'accept': {
        const fd = k.accept(o.fd);
        if (fd === -E.EAGAIN) return null;
        return fd >= 0 ? ended(0, 0, fd) : ended(0, win32Code(-fd));
      }
      case 'send': {
        const n = k.write(o.fd, this.memory.subarray(o.offset + o.taken, o.offset + o.len));
        if (n === -E.EAGAIN) return null;
        if (n < 0) return ended(o.taken, win32Code(-n));
        o.taken += n;
        if (o.taken === o.len) return ended(o.len, 0);
        // Short with room left: a partialWrite fault ends the send early (the shim must send the
        // rest). Short because the peer's buffer is full: the rest goes as room frees.
        return k.readiness(o.fd) & WRITABLE ? ended(o.taken, 0) : null;
      }
    }
  }
}
