// The simulated kernel's io_uring: it answers the calls of native/unix/os_uring.h that io_uring.c
// makes, over the kernel's sockets. Submissions wait in the submission queue until the ring is
// entered; each then completes when the kernel can finish it, its completion
// joining the completion queue, which an enter takes in order. What is in flight is retried
// whenever the network delivers something and when the ring is entered. Faults: the kernel's
// (short sends, partial reads, resets, aborted accepts, EMFILE), an interrupted enter, and a
// cancelRace that makes a cancel land at the next enter, so an operation that can finish first
// does, with its result instead of -ECANCELED.
import { E, type SimKernel } from './kernel.js';

/** io_uring's completion flag: a multishot submission goes on (OS_URING_MORE). */
export const URING_MORE = 1 << 1;

export interface Cqe {
  tag: bigint;
  /** bytes, an accepted fd, revents, or -errno */
  res: number;
  flags: number;
}

interface InFlight {
  tag: bigint;
  fd: number;
  kind: 'send' | 'accept' | 'poll';
  /** send: where the buffer is in the reactor's memory */
  offset: number;
  len: number;
  /** poll: the bits it waits for */
  events: number;
  multishot: boolean;
  /**
   * A multishot poll reported in this enter. It reports a ready fd once per enter: the real one
   * reports each new wakeup of the fd, and for the shim's use (the wakeup eventfd, drained at
   * each report) the two look the same.
   */
  reported: boolean;
  /** cancelled, but a cancelRace fault lets it finish first if it can before the next enter */
  cancelling?: boolean;
}

type Submission = InFlight | { kind: 'cancel'; tag: bigint; target: bigint };

/** Poll reports these whether asked or not, as the real one does. */
const ERR_HUP = 0x008 | 0x010;

export class SimRing {
  readonly #kernel: SimKernel;
  readonly #memory: Uint8Array;
  readonly #entries: number;
  #queued: Submission[] = [];
  /** In flight, in the order submitted. */
  #pending: InFlight[] = [];
  readonly #completions: Cqe[] = [];
  #progressing = false;
  #again = false;
  readonly #stopWatching: () => void;
  readonly #stopHooking: () => void;

  /** A ring of `entries` submission slots whose buffers are in `memory`. */
  constructor(kernel: SimKernel, memory: Uint8Array, entries: number) {
    this.#kernel = kernel;
    this.#memory = memory;
    this.#entries = entries;
    this.#stopWatching = kernel.network.watch(() => this.#progress());
    this.#stopHooking = kernel.onClose((fd) => this.#closed(fd));
  }

  shut(): void {
    this.#stopWatching();
    this.#stopHooking();
    this.#queued = [];
    this.#pending = [];
    this.#completions.length = 0;
  }

  send(fd: number, offset: number, len: number, tag: bigint): number {
    return this.#queue({ tag, fd, kind: 'send', offset, len, events: 0, multishot: false, reported: false });
  }

  acceptMultishot(fd: number, tag: bigint): number {
    return this.#queue({ tag, fd, kind: 'accept', offset: 0, len: 0, events: 0, multishot: true, reported: false });
  }

  poll(fd: number, events: number, multishot: boolean, tag: bigint): number {
    return this.#queue({ tag, fd, kind: 'poll', offset: 0, len: 0, events, multishot, reported: false });
  }

  cancel(target: bigint, tag: bigint): number {
    return this.#queue({ kind: 'cancel', tag, target });
  }

  /** Hands what is queued to the kernel, without waiting. */
  #submit(): void {
    for (const s of this.#queued.splice(0)) {
      if (s.kind === 'cancel') this.#cancel(s.target, s.tag);
      else this.#pending.push(s);
    }
    this.#progress();
  }

  /** Submits, then waits in virtual time up to timeoutMs for a completion; takes up to max. */
  enter(max: number, timeoutMs: number): Cqe[] | number {
    this.#submit();
    for (const o of this.#pending) o.reported = false;
    // Late cancels land here: what finished before them (during the submissions just made) did.
    this.#end((o) => o.cancelling === true, -E.ECANCELED);
    if (this.#completions.length === 0 && timeoutMs !== 0 && this.#kernel.faults.strike('interrupt')) return -E.EINTR;
    this.#kernel.waitFor(timeoutMs, () => {
      this.#progress();
      return this.#completions.length;
    });
    return this.#completions.splice(0, Math.min(max, this.#completions.length));
  }

  #queue(s: Submission): number {
    if (this.#queued.length === this.#entries) this.#submit();   /* as liburing does with a full queue */
    this.#queued.push(s);
    return 0;
  }

  /** io_uring's async cancel: the first in-flight submission with that tag ends with -ECANCELED. */
  #cancel(target: bigint, tag: bigint): void {
    const found = this.#pending.find((o) => o.tag === target && !o.cancelling);
    if (!found) {
      this.#completions.push({ tag, res: -E.ENOENT, flags: 0 });
      return;
    }
    this.#completions.push({ tag, res: 0, flags: 0 });
    if (this.#kernel.faults.strike('cancelRace')) found.cancelling = true;
    else this.#end((o) => o === found, -E.ECANCELED);
  }

  /** Its fd closed: the file is gone, so what is in flight on it ends. */
  #closed(fd: number): void {
    this.#end((o) => o.fd === fd, -E.ECANCELED);
  }

  #end(which: (o: InFlight) => boolean, res: number): void {
    for (const o of this.#pending) if (which(o)) this.#completions.push({ tag: o.tag, res, flags: 0 });
    this.#pending = this.#pending.filter((o) => !which(o));
  }

  /** Completes what the kernel can finish now; re-entered (through a send's delivery), it repeats. */
  #progress(): void {
    if (this.#progressing) {
      this.#again = true;
      return;
    }
    this.#progressing = true;
    try {
      do {
        this.#again = false;
        this.#pending = this.#pending.filter((o) => !this.#attempt(o));
      } while (this.#again);
    } finally {
      this.#progressing = false;
    }
  }

  /** Tries one submission; true when it is done (its last completion posted). */
  #attempt(o: InFlight): boolean {
    const k = this.#kernel;
    const post = (res: number, more = false): void => { this.#completions.push({ tag: o.tag, res, flags: more ? URING_MORE : 0 }); };
    switch (o.kind) {
      case 'send': {
        // A send takes what the socket has room for: short when it is nearly full (or a
        // partialWrite fault strikes), and the shim sends the rest.
        const n = k.write(o.fd, this.#memory.subarray(o.offset, o.offset + o.len));
        if (n === -E.EAGAIN) return false;
        post(n);
        return true;
      }
      case 'accept': {
        for (;;) {
          const fd = k.accept(o.fd);
          if (fd === -E.EAGAIN) return false;
          if (fd < 0) { post(fd); return true; }   /* a failure ends the multishot accept */
          post(fd, true);
        }
      }
      case 'poll': {
        const revents = k.readiness(o.fd) & (o.events | ERR_HUP);
        if (revents === 0 || o.reported) return false;
        post(revents, o.multishot);
        o.reported = true;
        return !o.multishot;
      }
    }
  }
}
