// The reactor's contract in its simplest form: what each call must do, over a handful of socket
// pairs whose peers the test drives. No rings, no OS: registrations, the bytes each peer sent, the
// reads posted, the writes in flight, the ready queue and the pool's count. The property test
// (test/model.test.ts) and `npm run fuzz` compare the real reactor against it after every step.
//
// Where the OS may choose, the model states the choices it allows and adopts the one observed:
// - A readiness event's bits lie between what must be set and what may be (after the peer closed,
//   WRITE may show; after a reset, ERROR shows until a recv takes the error on Linux, always in
//   the simulator).
// - Ready events of one wait enter the queue in the OS's order: events left over by maxEvents
//   come before later waits' (fair), in any order among themselves.
// - After a reset, a read or recv may still deliver the bytes that arrived before it (Linux) or end
//   at once (the simulator); then it ends: a read as CLOSE with ECONNRESET (or none once that was
//   reported), a recv with ECONNRESET or end of stream (Linux's error is taken once, maybe by
//   the shim reporting ERROR).
// - On IOCP and io_uring a write of several parts, or one behind another write of its fd, may
//   report its WRITE in a later wait than it was handed over (their shims keep one send in flight
//   per socket, in order); it must still come, after the fd's earlier writes, with every byte
//   counted.
// - When the buffers lent to a wait run out, an fd's reads still posted may wait for one even if
//   the others took every byte (without a buffer the shim cannot look). On io_uring, whose reads
//   of an fd all try when data arrives, this happens outside a wait too (no buffers are lent
//   there, as when os.close hands requests over at once).
// - Reads of one fd that end without data (end of stream, failure) share its queue node: one
//   that ends while the node is queued joins it there.
// - The OS gives back a removed fd's contexts when it confirms the cancel: in that wait or later.
// - poolHighWater counts the peak inside a wait, between the contexts taken at its start and those
//   plus every buffer its reads claimed (the order of sends and receives within a wait is the OS's).
import { EventType, type Model, type ReactorStats } from '../../src/index.js';

/** An event as compared: `error` is the portable code name, '' when none. */
export interface ModelEvent {
  fd: number;
  context: number;
  type: number;
  bytes: number;
  error: string;
}

/** The stats() fields the model predicts. */
export type ModelStats = Pick<
  ReactorStats,
  'registered' | 'readyQueued' | 'poolInUse' | 'poolHighWater' | 'poolHeld' | 'poolQueued' | 'readsWaiting' | 'queuedWriteBytes'
>;

/** The refusal a call must give, as its ReactorError code, or null when it must succeed. */
export type Refusal = string | null;

/** What the fd's peer did: still open, closed after reading everything (FIN), or closed with bytes unread (reset). */
export type PeerState = 'open' | 'closed' | 'reset';

export interface ModelSizes {
  bufferSize: number;
  poolSize: number;
  maxQueuedWriteBytes: number;
  /** IOCP and io_uring: a write may complete in a later wait (see above). */
  writesMayLag: boolean;
  /** io_uring: the reads of an fd with data try for buffers outside a wait too (see above). */
  readsTriedAtOnce: boolean;
}

interface Registration {
  context: number;
  mask: number;
  /** Completion: reads posted and not yet ended. */
  armed: number;
  /** Completion: a ready read found no free buffer; it waits for one ('maybe': see above). */
  waiting: boolean | 'maybe';
  /** When it began to wait: waiting fds are served in that order. */
  waitingSince: number;
}

interface Socket {
  /** Bytes the peer sent that this side has not taken. */
  unread: number;
  peer: PeerState;
  /** Reset: a read already reported it (Linux then reads end of stream). */
  resetReported: boolean;
  /** Reset: a write was in flight or posted after it, and may have taken its error (reported once). */
  resetMayBeTaken: boolean;
  /** Bytes read into completions that remove dropped (see takeDropped). */
  dropped: number;
}

interface Write {
  fd: number;
  bytes: number;
  parts: number;
  /** A wait handed it to the OS (it lags). */
  handed: boolean;
}

/** A queued event (completion) or a queued fd's merged readiness (readiness). */
interface Queued {
  fd: number;
  /** Bits that must be set, bits that may be. */
  must: number;
  may: number;
  bytes: [number, number];
  errors: string[];
  /** Completion: the event holds its context (a read with data, or a write's first part). */
  holds: boolean;
  /** Completion: the write this entry completes, or null for a read's. */
  write: Write | null;
  /** The wait that queued it: older waves are delivered first. */
  wave: number;
  /** Readiness: the node may be gone (passed over with nothing to deliver). Completion: a
   * write's entry that may lag (not delivered: still in flight). */
  maybeGone: boolean;
}

const { READ, WRITE, ERROR, CLOSE } = EventType;
const RESET_ERRORS = ['ECONNRESET', ''];
const PEER_GONE_WRITE_ERRORS = ['EPIPE', 'ECONNRESET'];

export class ReactorModel {
  readonly #regs = new Map<number, Registration>();
  readonly #sockets = new Map<number, Socket>();
  /** Completion: writes handed to the core, not yet complete, in post order. */
  #writes: Write[] = [];
  /** Completion: writes waiting in the reactor for free contexts, in post order. */
  #queuedWrites: { fd: number; bytes: number }[] = [];
  #queuedWriteBytes = 0;
  #queue: Queued[] = [];
  #held = 0;
  /** Contexts of removed fds' writes the OS has not given back yet (adopted from stats()). */
  #cancelling = 0;
  /** Contexts counted above that the OS already gave back (a lagging write's sent parts). */
  #returned = 0;
  #highWater: number;
  #wave = 0;
  /** Reads that began to wait so far (orders the waiting fds). */
  #waitings = 0;
  #destroyed = false;

  constructor(
    readonly model: Model,
    readonly sizes: ModelSizes,
    highWater: number,
  ) {
    this.#highWater = highWater;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** Completion: reads posted and not yet ended, over every registration. */
  get readsArmed(): number {
    let n = 0;
    for (const reg of this.#regs.values()) n += reg.armed;
    return n;
  }

  /** Contexts taken now: parts in flight, queued completions that hold one, delivered buffers. */
  get poolInUse(): number {
    let n = this.#held + this.#cancelling - this.#returned;
    for (const w of this.#writes) n += w.parts;
    for (const q of this.#queue) if (q.holds) n++;
    return n;
  }

  /** Writes in flight (a removed fd's would make the pool's count the OS's choice). */
  get writesInFlight(): number {
    return this.#writes.length;
  }

  /** Writes posted and not yet reported, in flight or queued in the reactor. */
  get writesOutstanding(): number {
    return this.#writes.length + this.#queuedWrites.length;
  }

  /** Whether a wait's hidden choices (left queued by a small maxEvents) would stay unknown. */
  get choicesPending(): boolean {
    if (this.model === 'readiness') return false;
    // Writes queued in the reactor start at the wait, so count as in flight.
    const writes = [...this.#writes, ...this.#queuedWrites.map((w) => ({ ...w, parts: this.#partsOf(w.bytes), handed: false }))];
    if (this.sizes.writesMayLag && writes.some((w, i) => w.handed || w.parts > 1 || writes.findIndex((o) => o.fd === w.fd) !== i))
      return true;
    for (const [fd, reg] of this.#regs) if (reg.armed > 0 && this.#socket(fd).peer === 'reset') return true;
    return false;
  }

  /** Bytes of the fd's stream that were lost to the app since the last call (read into a
   * completion that `remove` dropped): the test's byte count skips them. */
  takeDropped(fd: number): number {
    const s = this.#socket(fd);
    const n = s.dropped;
    s.dropped = 0;
    return n;
  }

  #socket(fd: number): Socket {
    let s = this.#sockets.get(fd);
    if (!s) {
      s = { unread: 0, peer: 'open', resetReported: false, resetMayBeTaken: false, dropped: 0 };
      this.#sockets.set(fd, s);
    }
    return s;
  }

  #mayLag(w: Write): boolean {
    return this.sizes.writesMayLag && w.parts > 1;
  }

  #partsOf(bytes: number): number {
    return Math.ceil(bytes / this.sizes.bufferSize);
  }

  add(fd: number, context: number, mask: number): Refusal {
    if (this.#destroyed) return 'EDESTROYED';
    if (this.#regs.has(fd)) return 'EEXIST';
    const armed = this.model === 'completion' && (mask & READ) !== 0 ? 1 : 0;
    this.#regs.set(fd, { context, mask, armed, waiting: false, waitingSince: 0 });
    return null;
  }

  modify(fd: number, mask: number): Refusal {
    if (this.#destroyed) return 'EDESTROYED';
    const reg = this.#regs.get(fd);
    if (!reg) return 'ENOENT';
    // Completion: asking for READ again posts a read, unless one is still posted or waiting.
    if (this.model === 'completion' && mask & READ && !(reg.mask & READ) && reg.armed === 0 && !reg.waiting) reg.armed = 1;
    reg.mask = mask;
    return null;
  }

  /** true when the fd was registered: its posted operations are cancelled, its events dropped. */
  remove(fd: number): boolean | 'EDESTROYED' {
    if (this.#destroyed) return 'EDESTROYED';
    if (!this.#regs.delete(fd)) return false;
    for (const q of this.#queue) if (q.fd === fd && q.must & READ) this.#socket(fd).dropped += q.bytes[0];
    this.#queue = this.#queue.filter((q) => q.fd !== fd);
    // Writes the OS has are cancelled there; those it has not seen yet give their contexts back now.
    for (const w of this.#writes) if (w.fd === fd && w.handed) this.#cancelling += w.parts;
    this.#writes = this.#writes.filter((w) => w.fd !== fd);
    for (const w of this.#queuedWrites) if (w.fd === fd) this.#queuedWriteBytes -= w.bytes;
    this.#queuedWrites = this.#queuedWrites.filter((w) => w.fd !== fd);
    return true;
  }

  postRead(fd: number): Refusal {
    if (this.#destroyed) return 'EDESTROYED';
    const reg = this.#regs.get(fd);
    if (!reg) return 'ENOENT';
    if (this.model !== 'completion') return 'EINVAL';
    reg.armed++;
    return null;
  }

  /** Starts the write now if the pool has its contexts and nothing queued is ahead, else queues it. */
  postWrite(fd: number, bytes: number): Refusal {
    if (this.#destroyed) return 'EDESTROYED';
    if (bytes === 0) return 'EINVAL'; // the arguments are checked before the registration
    if (!this.#regs.has(fd)) return 'ENOENT';
    if (this.model !== 'completion') return 'EINVAL';
    const parts = this.#partsOf(bytes);
    if (parts > this.sizes.poolSize) return 'ENOBUFS';
    const socket = this.#socket(fd);
    if (socket.peer === 'reset') socket.resetMayBeTaken = true;
    if (this.#queuedWrites.length === 0 && parts <= this.#free()) {
      this.#writes.push({ fd, bytes, parts, handed: false });
      return null;
    }
    if (this.#queuedWriteBytes + bytes > this.sizes.maxQueuedWriteBytes) return 'ENOBUFS';
    this.#queuedWrites.push({ fd, bytes });
    this.#queuedWriteBytes += bytes;
    return null;
  }

  #free(): number {
    return this.sizes.poolSize - this.poolInUse;
  }

  destroy(): void {
    this.#destroyed = true;
  }

  stats(): ModelStats | 'EDESTROYED' {
    if (this.#destroyed) return 'EDESTROYED';
    const readiness = this.model === 'readiness';
    let waiting = 0;
    for (const reg of this.#regs.values()) if (reg.waiting === true) waiting++;
    return {
      registered: this.#regs.size,
      readyQueued: this.#queue.length,
      poolInUse: readiness ? 0 : this.poolInUse,
      poolHighWater: this.#highWater,
      poolHeld: this.#held,
      poolQueued: this.#queue.filter((q) => q.holds).length,
      readsWaiting: waiting,
      queuedWriteBytes: this.#queuedWriteBytes,
    };
  }

  /**
   * Checks the reactor's stats() against the model's, adopting the OS's choices the model left
   * open: contexts it gave back early (cancelled writes, a lagging write's sent parts), the peak
   * inside the last wait (`peak`, from `wait`), readiness nodes passed over. Throws when they
   * cannot agree.
   */
  agreeStats(real: ModelStats, peak: [number, number] | null): void {
    const expected = this.stats();
    if (expected === 'EDESTROYED') return;
    const exact = this.poolInUse + this.#returned;
    const lag = this.#writes.reduce((n, w) => n + (this.#mayLag(w) ? w.parts - 1 : 0), 0);
    if (real.poolInUse <= exact && real.poolInUse >= exact - this.#cancelling - lag) {
      const back = exact - real.poolInUse;
      if (lag === 0) {
        this.#cancelling -= back;
        this.#returned = 0;
      } else {
        this.#returned = back;
      }
      expected.poolInUse = real.poolInUse;
      expected.poolHighWater = Math.max(this.#highWater, real.poolInUse);
    }
    // Writes the OS holds may have completed since the last wait: queued, holding their first context.
    const unseen = real.poolQueued - expected.poolQueued;
    if (unseen > 0 && unseen <= this.#writes.filter((w) => w.handed).length && real.readyQueued - expected.readyQueued === unseen) {
      expected.poolQueued += unseen;
      expected.readyQueued += unseen;
    }
    const regs = [...this.#regs.values()];
    const maybeWaiting = regs.filter((reg) => reg.waiting === 'maybe');
    const alsoWaiting = real.readsWaiting - expected.readsWaiting;
    if (alsoWaiting >= 0 && alsoWaiting <= maybeWaiting.length) {
      // Which of several: only one fd is ever short of buffers (see drive.ts), so it matters not.
      if (alsoWaiting === 0 || alsoWaiting === maybeWaiting.length) for (const reg of maybeWaiting) reg.waiting = alsoWaiting > 0;
      expected.readsWaiting = real.readsWaiting;
    }
    const maybeGone = this.#queue.filter((q) => q.maybeGone).length;
    if (real.readyQueued < expected.readyQueued && expected.readyQueued - real.readyQueued <= maybeGone) {
      // Every node that may be gone is, when the counts say all of them are.
      if (expected.readyQueued - real.readyQueued === maybeGone) this.#queue = this.#queue.filter((q) => !q.maybeGone);
      expected.readyQueued = real.readyQueued;
    } else if (real.readyQueued === expected.readyQueued) {
      for (const q of this.#queue) q.maybeGone = false;
    }
    if (peak) {
      const [low, high] = [Math.max(expected.poolHighWater, peak[0]), Math.max(expected.poolHighWater, peak[1])];
      expected.poolHighWater = real.poolHighWater >= low && real.poolHighWater <= high ? real.poolHighWater : low;
    }
    for (const key of Object.keys(expected) as (keyof ModelStats)[]) {
      if (real[key] !== expected[key])
        throw new Error(
          `stats().${key}: the reactor gave ${real[key]}, the model ${expected[key]} (${JSON.stringify(real)} against ${JSON.stringify(expected)})`,
        );
    }
    this.#highWater = real.poolHighWater;
  }

  /** The peer of `fd` sent `bytes`. */
  peerSent(fd: number, bytes: number): void {
    this.#socket(fd).unread += bytes;
  }

  /** The peer of `fd` closed: with nothing left unread (FIN) or with bytes unread (reset). */
  peerClosed(fd: number, how: 'closed' | 'reset'): void {
    const s = this.#socket(fd);
    s.peer = how;
    const writing =
      [...this.#writes, ...this.#queuedWrites].some((w) => w.fd === fd) || this.#queue.some((q) => q.fd === fd && q.write !== null);
    if (how === 'reset' && writing) s.resetMayBeTaken = true;
  }

  /** The fd was closed (os.close: removed first, if registered) and a fresh pair made: the number
   * may come back as a new socket. */
  closed(fd: number): void {
    if (!this.#destroyed && this.remove(fd) === true) this.#flush();
    this.#sockets.delete(fd);
  }

  /**
   * os.close of a registered fd hands the queued requests to the shim at once (so it forgets the
   * fd before the number can come back): writes go out, and complete there, in a wave of their
   * own, except where writes may lag: those the OS now holds, and may have completed unseen.
   */
  #flush(): void {
    if (this.model !== 'completion') return;
    this.#wave++;
    // io_uring tries the reads of an fd with data (or its end), and no buffers are lent outside a wait.
    if (this.sizes.readsTriedAtOnce) {
      for (const [fd, reg] of this.#regs) {
        const s = this.#socket(fd);
        if (reg.armed > 0 && (s.unread > 0 || s.peer !== 'open') && reg.waiting === false) this.#startWaiting(reg, 'maybe');
      }
    }
    if (this.sizes.writesMayLag) {
      for (const w of this.#writes) w.handed = true;
      return;
    }
    for (const w of this.#writes) this.#queue.push(this.#writeEnd(w, false));
    this.#writes = [];
  }

  /** A write's completion: WRITE with every byte, or, the peer gone, CLOSE with what left. One
   * the OS held since an earlier wait may have finished before the peer went: either then. */
  #writeEnd(w: Write, mayLag: boolean): Queued {
    const gone = this.#socket(w.fd).peer !== 'open';
    const entry: Queued = {
      fd: w.fd,
      must: WRITE,
      may: WRITE,
      bytes: [w.bytes, w.bytes],
      errors: [''],
      holds: true,
      write: w,
      wave: this.#wave,
      maybeGone: mayLag,
    };
    if (!gone) return entry;
    if (!w.handed) return { ...entry, must: CLOSE, may: CLOSE, bytes: [0, w.bytes], errors: PEER_GONE_WRITE_ERRORS };
    return { ...entry, must: 0, may: WRITE | CLOSE, bytes: [0, w.bytes], errors: ['', ...PEER_GONE_WRITE_ERRORS] };
  }

  /**
   * Readiness: os.recv(fd, max) took `got` (bytes; 0 at end of stream; null: nothing yet), or
   * threw ECONNRESET. Returns why it disagrees, or null.
   */
  recv(fd: number, max: number, got: number | null | 'ECONNRESET'): string | null {
    const s = this.#socket(fd);
    const data = Math.min(max, s.unread);
    if (s.peer === 'reset') {
      // Linux reads what arrived first, then the error once (unless the shim already took it to
      // report ERROR), then end of stream; the simulator drops what arrived and repeats the error.
      if (got === 'ECONNRESET') {
        s.unread = 0;
        return null;
      }
      if (got === data) {
        s.unread -= data;
        return null;
      }
      return `after a reset, recv must give the ${s.unread} bytes that arrived, ECONNRESET, or end of stream`;
    }
    const expected = data > 0 || s.peer === 'closed' ? data : null;
    if (got !== expected) return `recv must give ${expected === null ? 'nothing yet' : `${expected} bytes`}`;
    s.unread -= data;
    return null;
  }

  /** Readiness bits an fd's socket shows now, as [must, may], within what its registration asks. */
  #readiness(fd: number, mask: number): [number, number] {
    const s = this.#socket(fd);
    const asked = mask | ERROR | CLOSE;
    if (s.peer === 'open') {
      const bits = (s.unread > 0 ? READ : 0) | WRITE;
      return [bits & asked, bits & asked];
    }
    const must = READ | CLOSE;
    const may = must | WRITE | (s.peer === 'reset' ? ERROR : 0);
    return [must & asked, may & asked];
  }

  /**
   * One wait with `maxEvents`, which delivered `events`. Throws at the first disagreement.
   * Returns the range the pool's peak inside the wait may lie in (for `agreeStats`).
   */
  wait(maxEvents: number, events: ModelEvent[]): [number, number] | null {
    if (this.#destroyed) throw new Error('wait after destroy must throw EDESTROYED');
    this.#wave++;
    if (this.model === 'readiness') {
      this.#queueReadiness();
      this.#deliver(maxEvents, events);
      return null;
    }
    this.#held = 0;
    while (this.#queuedWrites.length > 0 && this.#partsOf(this.#queuedWrites[0].bytes) <= this.#free()) {
      const w = this.#queuedWrites.shift()!;
      this.#queuedWriteBytes -= w.bytes;
      this.#writes.push({ fd: w.fd, bytes: w.bytes, parts: this.#partsOf(w.bytes), handed: false });
    }
    const atStart = this.poolInUse;
    // Buffers are lent as the wait starts: what its sends give back serves the next wait's reads.
    const claimed = this.#complete(events, this.sizes.poolSize - atStart);
    this.#deliver(maxEvents, events);
    return [Math.max(this.#highWater, atStart), Math.max(this.#highWater, atStart + claimed)];
  }

  /** Readiness: every registered fd's bits merge into its queued node, or queue a new one. */
  #queueReadiness(): void {
    for (const [fd, reg] of this.#regs) {
      const [must, may] = this.#readiness(fd, reg.mask);
      if (may === 0) continue;
      const errors = this.#socket(fd).peer === 'reset' ? RESET_ERRORS : [''];
      const node = this.#queue.find((q) => q.fd === fd);
      if (node) {
        node.must |= must;
        node.may |= may;
        node.errors = [...new Set([...node.errors, ...errors])];
        if (must !== 0) node.maybeGone = false;
        continue;
      }
      this.#queue.push({ fd, must, may, bytes: [0, 0], errors, holds: false, write: null, wave: this.#wave, maybeGone: must === 0 });
    }
  }

  /**
   * Completion: what this wait's OS completes, queued in this wave. Writes complete, in order per
   * fd; from an fd's first write that may lag on, each may (an entry that may be gone: delivered,
   * it completed; not, it is still in flight). Reads end in turn, each with a buffer's worth of
   * what arrived, while the `free` buffers last. Returns the buffers reads claimed.
   */
  #complete(events: ModelEvent[], free: number): number {
    const lagging = new Set<number>();
    const writing = new Set<number>();
    for (const w of this.#writes) {
      // io_uring sends an fd's writes one after another: behind one, a write may lag too.
      if (this.#mayLag(w) || (this.sizes.writesMayLag && writing.has(w.fd))) lagging.add(w.fd);
      writing.add(w.fd);
      // One the OS held before this wait may have completed unseen, as lagging.
      this.#queue.push(this.#writeEnd(w, lagging.has(w.fd) || w.handed));
    }
    this.#writes = [];
    let claimed = 0;
    // Waiting fds are resumed in the order they began to wait, one per free buffer.
    const waiters = [...this.#regs.values()].filter((reg) => reg.waiting !== false).sort((a, b) => a.waitingSince - b.waitingSince);
    for (const reg of waiters.slice(0, free)) reg.waiting = false;
    for (const [fd, reg] of this.#regs) {
      if (reg.waiting !== false) continue;
      const s = this.#socket(fd);
      const arrived = s.unread > 0;
      // After a reset, Linux reads what arrived first: as many reads with data as the events show
      // beyond the fd's older queued ones.
      let dataReads =
        events.filter((e) => e.fd === fd && e.type & READ).length -
        this.#queue.filter((q) => q.fd === fd && q.must & READ && q.wave < this.#wave).length;
      while (reg.armed > 0) {
        if (s.unread === 0 && s.peer === 'open') break;
        if (s.peer === 'reset' && (dataReads <= 0 || s.unread === 0)) {
          s.unread = 0; // the simulator drops what arrived before the reset
          // Linux reports the reset's error once: a write of the fd in flight at the reset or
          // posted after it may have taken it (the simulator's RST arrives after a latency, so a
          // send can meet it first, and a write cancelled by remove() reports no error), and the
          // read then ends with none.
          this.#queue.push(this.#readEnd(fd, s.resetReported || s.resetMayBeTaken ? RESET_ERRORS : ['ECONNRESET']));
          s.resetReported = true;
          reg.armed--;
          continue;
        }
        if (s.unread === 0) {
          this.#queue.push(this.#readEnd(fd, ['']));
          reg.armed--;
          continue;
        }
        if (free === 0) {
          // io_uring may keep such a read armed in the kernel instead of reporting it waiting.
          this.#startWaiting(reg, this.sizes.readsTriedAtOnce ? 'maybe' : true);
          break;
        }
        const bytes = Math.min(this.sizes.bufferSize, s.unread);
        dataReads--;
        s.unread -= bytes;
        free--;
        claimed++;
        reg.armed--;
        this.#queue.push({
          fd,
          must: READ,
          may: READ,
          bytes: [bytes, bytes],
          errors: [''],
          holds: true,
          write: null,
          wave: this.#wave,
          maybeGone: false,
        });
      }
      if (arrived && reg.armed > 0 && free === 0 && reg.waiting === false) this.#startWaiting(reg, 'maybe');
    }
    return claimed;
  }

  #startWaiting(reg: Registration, how: true | 'maybe'): void {
    reg.waiting = how;
    reg.waitingSince = ++this.#waitings;
  }

  /** A read that ended without data. Such endings ride on the fd's one queue node: a later one
   * joins it where it stands. */
  #readEnd(fd: number, errors: string[]): Queued {
    const wave = this.#queue.find((q) => q.fd === fd && q.write === null && !q.holds)?.wave ?? this.#wave;
    return { fd, must: CLOSE, may: CLOSE, bytes: [0, 0], errors, holds: false, write: null, wave, maybeGone: false };
  }

  /** Whether the entry must be delivered when the queue reaches it. */
  #deliverable(q: Queued): boolean {
    return (q.must & this.#asked(q.fd)) !== 0 && !q.maybeGone;
  }

  /** What of a queued entry's bits its fd asks for now (completion events are never filtered). */
  #asked(fd: number): number {
    return this.model === 'readiness' ? (this.#regs.get(fd)?.mask ?? 0) | ERROR | CLOSE : -1;
  }

  /**
   * Matches events[i..] to queued entries, each the first of its fd's reads or writes (readiness:
   * the fd's one node), none overtaking an older one. A CLOSE may end a read or a failed write:
   * when both fit, each is tried. Returns the entries taken (with readiness nodes passed over), or
   * why no match exists.
   */
  #match(events: ModelEvent[], i: number, taken: Set<Queued>, complete: boolean): Set<Queued> | string {
    if (i === events.length) {
      // Fewer events than maxEvents: nothing deliverable may be left.
      const missed = complete ? this.#queue.find((q) => !taken.has(q) && this.#deliverable(q)) : undefined;
      if (missed)
        return `${events.length} events delivered with room for more, but the model has ${JSON.stringify({ ...missed, write: undefined })} ready`;
      return taken;
    }
    const e = events[i];
    const reg = this.#regs.get(e.fd);
    if (!reg) return `event ${i} ${JSON.stringify(e)} is for an fd that is not registered`;
    if (e.context !== reg.context) return `event ${i} ${JSON.stringify(e)} carries context ${e.context}, not the add-time ${reg.context}`;
    const open = this.#queue.filter((q) => !taken.has(q));
    const asked = this.#asked(e.fd);
    const fits = (q: Queued): boolean =>
      (e.type & ~(q.may & asked)) === 0 &&
      (q.must & asked & ~e.type) === 0 &&
      e.bytes >= q.bytes[0] &&
      e.bytes <= q.bytes[1] &&
      q.errors.includes(e.error);
    const firsts = open.filter((q) => q.fd === e.fd && open.find((o) => o.fd === q.fd && (o.write === null) === (q.write === null)) === q);
    let why = `event ${i} ${JSON.stringify(e)} is none the model allows now: ${JSON.stringify(firsts.map(({ write, ...q }) => q))}`;
    for (const match of firsts.filter(fits)) {
      const older = open.find((q) => q.wave < match.wave && (q.must & this.#asked(q.fd)) !== 0 && !q.maybeGone);
      if (older) {
        why = `event ${i} ${JSON.stringify(e)} came before an older one left queued: ${JSON.stringify({ ...older, write: undefined })}`;
        continue;
      }
      const nextTaken = new Set(taken).add(match);
      // Readiness: nodes of older waves with nothing to deliver were passed over on the way.
      for (const q of open) if (q.wave < match.wave && (q.may & this.#asked(q.fd)) === 0) nextTaken.add(q);
      const rest = this.#match(events, i + 1, nextTaken, complete);
      if (typeof rest !== 'string') return rest;
      why = rest;
    }
    return why;
  }

  /**
   * Delivery: up to maxEvents from the queue, older waves first; within an fd, its reads and its
   * writes each in order. Matches each event to the queued entry it must be, and drops it.
   */
  #deliver(maxEvents: number, events: ModelEvent[]): void {
    if (events.length > maxEvents) throw new Error(`${events.length} events delivered, more than maxEvents ${maxEvents}`);
    const taken = this.#match(events, 0, new Set(), events.length < maxEvents);
    if (typeof taken === 'string') throw new Error(taken);
    for (const q of taken) if (q.holds && q.write === null && events.length > 0) this.#held++;
    for (const e of events) if (e.error === 'ECONNRESET') this.#socket(e.fd).resetReported = true;
    let rest = this.#queue.filter((q) => !taken.has(q));
    if (this.model === 'completion') {
      // A write that may lag and was not delivered has not completed: back in flight, in order.
      const inFlight = rest.filter((q) => q.write !== null && q.maybeGone);
      if (inFlight.length > 0 && events.length === maxEvents)
        throw new Error('the model cannot tell a lagging write from one left queued: wait with a larger maxEvents');
      this.#writes = inFlight.map((q) => ({ ...q.write!, handed: true }));
      rest = rest.filter((q) => !inFlight.includes(q));
    }
    if (events.length < maxEvents) {
      rest = []; // every node was reached: what had nothing to deliver is gone
    } else if (this.model === 'readiness') {
      // Nodes of the last wave reached with nothing to deliver may have been passed over.
      const lastWave = Math.max(0, ...[...taken].map((q) => q.wave));
      for (const q of rest) if (q.wave === lastWave && (q.must & this.#asked(q.fd)) === 0) q.maybeGone = true;
    }
    this.#queue = rest;
  }
}
