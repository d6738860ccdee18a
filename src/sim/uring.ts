// The simulated kernel's io_uring: it answers the calls of native/unix/os_uring.h that io_uring.c
// makes, over the kernel's sockets. Submissions wait in the submission queue until the ring is
// entered; each then completes when the kernel can finish it, its completion
// joining the completion queue, which an enter takes in order. Receives do not wait, and take
// their buffers from the provided-buffer ring in order, only for bytes. The ring runs as the shim
// sets it up (DEFER_TASKRUN): a submission is tried once when submitted, and what it then waits
// for is task work that runs only while the ring is entered, retried at each enter and whenever
// the network delivers something during one. A linked submission starts once the one before it
// is done, as task work for the next enter (until then no cancel finds it), and is cancelled
// when that one fails or ends short; a send keeps sending until all of it has left (MSG_WAITALL). Faults: the kernel's
// (short sends, partial reads, resets, aborted accepts, EMFILE), an interrupted enter, an
// exhausted buffer ring (enobufs: a receive with data finds no buffer), and a
// cancelRace that makes a cancel land at the next enter, so an operation that can finish first
// does, with its result instead of -ECANCELED.
import { E, type SimKernel } from './kernel.js';
import { CompletionQueue } from './completion-queue.js';

/** io_uring's completion flags: a multishot submission goes on (OS_URING_MORE); the completion
 * took a provided buffer, whose id is in the top 16 bits (OS_URING_BUFFER). */
export const URING_MORE = 1 << 1;
export const URING_BUFFER = 1 << 0;
/** A receive left more to read: bytes, the end of the stream, or an error. */
const SOCK_NONEMPTY = 1 << 2;
const BUFFER_SHIFT = 16;

export interface Cqe {
  tag: bigint;
  /** bytes, an accepted fd, revents, or -errno */
  res: number;
  flags: number;
}

interface InFlight {
  tag: bigint;
  fd: number;
  kind: 'send' | 'accept' | 'poll' | 'recv';
  /** send: where the buffer is in the reactor's memory; `sent` of its `len` bytes have left */
  offset: number;
  len: number;
  sent: number;
  /** the next submission is linked after this one */
  linked: boolean;
  /** the linked submission before this one, while it is not done: this one waits for it */
  after: InFlight | null;
  /** poll: the bits it waits for */
  events: number;
  multishot: boolean;
  /** poll: the fd's wakeups (kernel.wakeups) it has seen; a multishot one reports each new one
   * while the fd has the bits, as the real one does (not data still there from before). */
  wakeupsSeen: number;
  /** cancelled, but a cancelRace fault lets it finish first if it can before the next enter */
  cancelling?: boolean;
  /** tried once already: tried again only as task work, in an enter */
  issued?: boolean;
  /** a link whose previous submission is done: it starts with the ring's next task work */
  released?: boolean;
}

type Submission = InFlight | { kind: 'cancel'; tag: bigint; target: bigint };

/** A provided buffer: where it lies in the reactor's memory, and its id. */
interface Provided {
  offset: number;
  len: number;
  id: number;
}

/** Poll reports these whether asked or not, as the real one does. */
const ERR_HUP = 0x008 | 0x010;
const IN = 0x001;

export class SimRing extends CompletionQueue<Cqe> {
  readonly #entries: number;
  #queued: Submission[] = [];
  /** In flight, in the order submitted. */
  #pending: InFlight[] = [];
  /** The provided-buffer ring, taken from the front; at most #buffersMax at once. */
  #buffers: Provided[] = [];
  #buffersMax = 0;
  /** The ring is being entered: its task work runs, until #want completions are there. */
  #entered = false;
  #want = 0;

  /** A ring of `entries` submission slots whose buffers are in `memory`. */
  constructor(kernel: SimKernel, memory: Uint8Array, entries: number) {
    super(kernel, memory);
    this.#entries = entries;
  }

  override shut(): void {
    super.shut();
    this.#queued = [];
    this.#pending = [];
    this.#buffers = [];
  }

  buffersOpen(entries: number): number {
    this.#buffersMax = entries;
    return 0;
  }

  /** The last `count` buffers added leave the ring untaken. */
  buffersDrop(count: number): void {
    this.#buffers.splice(this.#buffers.length - count, count);
  }

  bufferAdd(offset: number, len: number, id: number): void {
    if (this.#buffers.length >= this.#buffersMax) throw new Error(`uring: buffer ${id} added to a full buffer ring (${this.#buffersMax})`);
    this.#buffers.push({ offset, len, id });
  }

  /** A recv() that does not wait (MSG_DONTWAIT), into the next provided buffer. */
  recv(fd: number, len: number, tag: bigint): number {
    return this.#queue({ ...this.#op(tag, fd, 'recv'), len });
  }

  /** Room for `count` submissions back to back, submitting what is queued when needed. */
  reserve(count: number): number {
    if (count > this.#entries) return -E.EINVAL;
    if (this.#entries - this.#queued.length < count) this.#submit();
    return 0;
  }

  send(fd: number, offset: number, len: number, linked: boolean, tag: bigint): number {
    return this.#queue({ ...this.#op(tag, fd, 'send'), offset, len, linked });
  }

  acceptMultishot(fd: number, tag: bigint): number {
    return this.#queue({ ...this.#op(tag, fd, 'accept'), multishot: true });
  }

  poll(fd: number, events: number, multishot: boolean, tag: bigint): number {
    return this.#queue({ ...this.#op(tag, fd, 'poll'), events, multishot });
  }

  #op(tag: bigint, fd: number, kind: InFlight['kind']): InFlight {
    return { tag, fd, kind, offset: 0, len: 0, sent: 0, linked: false, after: null, events: 0, multishot: false, wakeupsSeen: -1 };
  }

  cancel(target: bigint, tag: bigint): number {
    return this.#queue({ kind: 'cancel', tag, target });
  }

  /** Hands what is queued to the kernel, without waiting. A link reaches no further than what
   * is submitted together, as the real ring's does. */
  #submit(): void {
    let before: InFlight | null = null;
    for (const s of this.#queued.splice(0)) {
      if (s.kind === 'cancel') {
        this.#cancel(s.target, s.tag);
        before = null;
        continue;
      }
      s.after = before;
      before = s.linked ? s : null;
      this.#pending.push(s);
    }
    this.progress();
  }

  /** Submits, runs the ring's task work, then waits in virtual time up to timeoutMs for a
   * completion (running task work as it comes); takes up to max. */
  enter(max: number, timeoutMs: number): Cqe[] | number {
    this.#entered = true;
    // An enter that does not wait runs the work there is for all it may take (os_uring.c).
    this.#want = timeoutMs === 0 || this.completions.length > 0 ? max : 1;
    try {
      this.#submit();
      this.#startReleased();
      this.progress();
      // Late cancels land here: what finished before them (during the submissions just made) did.
      this.#end((o) => o.cancelling === true, -E.ECANCELED);
      if (this.completions.length === 0 && timeoutMs !== 0 && this.kernel.faults.strike('interrupt')) return -E.EINTR;
      return this.take(max, timeoutMs);
    } finally {
      this.#entered = false;
    }
  }

  /** The links released since the ring's task work last ran start now. */
  #startReleased(): void {
    for (const o of this.#pending) o.released = false;
  }

  #queue(s: Submission): number {
    if (this.#queued.length === this.#entries) this.#submit(); /* as liburing does with a full queue */
    this.#queued.push(s);
    return 0;
  }

  /** io_uring's async cancel (IORING_ASYNC_CANCEL_ALL): every in-flight submission with that tag
   * ends with -ECANCELED; the cancel's own result is how many. */
  #cancel(target: bigint, tag: bigint): void {
    // A linked submission that has not started is not found: its chain's cancel ends it.
    const found = this.#pending.filter((o) => o.tag === target && !o.cancelling && o.after === null && !o.released);
    this.completions.push({ tag, res: found.length, flags: 0 });
    for (const o of found) {
      if (this.kernel.faults.strike('cancelRace')) o.cancelling = true;
      else this.#end((p) => p === o, -E.ECANCELED);
    }
  }

  protected closed(fd: number): void {
    this.#end((o) => o.fd === fd, -E.ECANCELED);
  }

  #end(which: (o: InFlight) => boolean, res: number): void {
    const ended = this.#pending.filter(which);
    this.#pending = this.#pending.filter((o) => !which(o));
    for (const o of ended) this.#finish(o, res);
  }

  /** Posts a submission's last completion; the one linked after it starts now, or is cancelled
   * (with what is linked after it) when this one failed or ended short. */
  #finish(o: InFlight, res: number, flags = 0): void {
    this.completions.push({ tag: o.tag, res, flags });
    const next = this.#pending.find((p) => p.after === o);
    if (!next) return;
    next.after = null;
    if (res < 0 || (o.kind === 'send' && res < o.len)) this.#end((p) => p === next, -E.ECANCELED);
    else next.released = true;
  }

  /** Outside an enter only what was just submitted is tried; in one, the task work runs too, and
   * the links released meanwhile start while the enter has fewer completions than it wants. */
  protected pass(): void {
    const wanting = (): boolean => this.#entered && this.completions.length < this.#want;
    do {
      if (wanting()) this.#startReleased();
      for (const o of [...this.#pending]) {
        if (o.after !== null || o.released || (o.issued && !this.#entered) || !this.#pending.includes(o)) continue;
        o.issued = true;
        if (!this.#attempt(o)) continue;
        this.#pending = this.#pending.filter((p) => p !== o);
      }
    } while (wanting() && this.#pending.some((o) => o.released));
  }

  /** Its last completion: the submission is done. */
  #done(o: InFlight, res: number, flags = 0): true {
    this.#finish(o, res, flags);
    return true;
  }

  /** Tries one submission; true when it is done (its last completion posted). */
  #attempt(o: InFlight): boolean {
    const k = this.kernel;
    const post = (res: number, more = false): void => {
      this.completions.push({ tag: o.tag, res, flags: more ? URING_MORE : 0 });
    };
    switch (o.kind) {
      case 'send': {
        // Each write takes what the socket has room for (less when a partialWrite fault
        // strikes); the send goes on until all has left. A failure after some bytes reports
        // those bytes, short, as the real one does.
        while (o.sent < o.len) {
          const n = k.write(o.fd, this.memory.subarray(o.offset + o.sent, o.offset + o.len));
          if (n === -E.EAGAIN) return false;
          if (n < 0) return this.#done(o, o.sent > 0 ? o.sent : n);
          o.sent += n;
        }
        return this.#done(o, o.sent);
      }
      case 'accept': {
        for (;;) {
          const fd = k.accept(o.fd);
          if (fd === -E.EAGAIN) return false;
          if (fd < 0) {
            post(fd);
            return true;
          } /* a failure ends the multishot accept */
          post(fd, true);
        }
      }
      case 'recv': {
        // It does not wait. A buffer is taken only for bytes: data with none left (or an
        // enobufs fault: an exhausted buffer ring) is -ENOBUFS; the end of the stream or a
        // failure takes none.
        if ((k.readiness(o.fd) & (IN | ERR_HUP)) === 0) return this.#done(o, -E.EAGAIN);
        const b = this.#buffers[0];
        if (!b || k.faults.strike('enobufs')) return this.#done(o, -E.ENOBUFS);
        const n = k.read(o.fd, this.memory, b.offset, Math.min(o.len, b.len));
        if (n <= 0) return this.#done(o, n);
        this.#buffers.shift();
        const more = (k.readiness(o.fd) & (IN | ERR_HUP)) !== 0 ? SOCK_NONEMPTY : 0;
        return this.#done(o, n, URING_BUFFER | more | (b.id << BUFFER_SHIFT));
      }
      case 'poll': {
        const revents = k.readiness(o.fd) & (o.events | ERR_HUP);
        const wakeups = k.wakeups(o.fd);
        if (revents === 0 || wakeups === o.wakeupsSeen) return false;
        post(revents, o.multishot);
        o.wakeupsSeen = wakeups;
        return !o.multishot;
      }
    }
  }
}
