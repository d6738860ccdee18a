// The scheduler of a Simulation: each host's waitAsync parks here when it has nothing to report,
// and is resumed in virtual-time order. Nothing is rescanned: a kernel change marks only the waits
// parked on that kernel, deadlines sit in a heap, and the marked waits are probed in the order
// they parked, so every run of a seed resumes its programs in the same order.
import { ReactorError } from '../errors.js';
import type { SimNetwork } from './network.js';
import { type SimShim, type WaitScheduler, NOTHING_FOUND } from './shim.js';
import { KeyedHeap } from './heap.js';
import type { ParkedWaits } from './kernel.js';

/** A shim's parked wait: one record per shim (SimShim.parkedWait), made at its first park and reused by every later one. */
export class ParkedWait {
  deadline = Infinity;
  /** Park order: waits are probed and resumed in it; a queue's entry under another seq is stale. */
  seq = -1;
  /** Something changed on its kernel since it last found nothing: probe it. */
  marked = false;
  /** Being probed now: its own probe's changes do not mark it again. */
  probing = false;
  parked = false;
  /** Its place in its kernel's list of parked waits. */
  place = 0;
  /** Its kernel's parked waits. */
  readonly onKernel: KernelWaits;
  /** What its wait returns, once it ends. */
  results = 0;
  /** The reactor's continuations (NativeShim.cycleAsync): the scheduler runs them itself. */
  waited: (results: number) => unknown = unset;
  failed: (error: unknown) => never = unset;
  /** The settlers of the program's promise. */
  resolve: (value: unknown) => void = unset;
  reject: (error: unknown) => void = unset;

  constructor(
    readonly shim: SimShim,
    onKernel: KernelWaits,
  ) {
    this.onKernel = onKernel;
  }
}

/**
 * The waits parked on one kernel (SimKernel.parkedWaits), in no order: a change of the kernel marks
 * these, and only these. A field of the kernel, not a map by kernel: every change reaches it.
 */
export class KernelWaits implements ParkedWaits {
  readonly parked: ParkedWait[] = [];

  constructor(readonly marked: KeyedHeap<ParkedWait>) {}

  /** Something changed on the kernel: its parked waits must look again. */
  touch(): void {
    const parked = this.parked;
    for (let i = 0; i < parked.length; i++) mark(this.marked, parked[i]);
  }
}

/** Queues `wait` for a probe, unless it is queued already or being probed (its own changes do not mark it again). */
function mark(marked: KeyedHeap<ParkedWait>, wait: ParkedWait): void {
  if (wait.marked || wait.probing) return;
  wait.marked = true;
  marked.push(wait.seq, wait);
}

function unset(): never {
  throw new Error('io-reactor: a parked wait ran a continuation it was not given; this is a bug, please report it');
}

/** What runUntilIdle asks of its Simulation besides the waits. */
export interface RunHooks {
  /** Told after each turn of the programs, and when they are quiet (oracle.ts). */
  oracle?: { check(): void; checkQuiet(): void };
  /** Reactors still opening: the run lets them open before it calls the programs idle. */
  opening: ReadonlySet<Promise<unknown>>;
  /** The programs' timers on virtual time, if they run on it: moving the clock may run their code. */
  clock(): { nextAt(): number; advanceTo(nowMs: number): void } | null;
}

const nextTick = (globalThis as { process?: { nextTick?(run: () => void): void } }).process?.nextTick;

/**
 * Queues `run` as a promise job: the queue queueMicrotask uses, in the same order, but Node wraps
 * each queueMicrotask callback in an AsyncResource, a third of a turn's cost.
 */
const settled = Promise.resolve();
const job = (run: () => void): void => void settled.then(run);

/**
 * Ends a wait's program promise through the reactor's continuations: with its results, or with
 * `error`. Called in the turn that ends the wait, it settles the promise itself, a job sooner than
 * a promise of the scheduler's would: every wait a turn ends gains that job alike, so the
 * programs resume in the same order.
 */
function settle(wait: ParkedWait, error?: ReactorError): void {
  try {
    wait.resolve(error === undefined ? wait.waited(wait.results) : wait.failed(error));
  } catch (e) {
    wait.reject(e);
  }
}

/** Whether a deadline queue's entry under `deadline` is the wait's own, not one of its record's earlier waits. */
function isDue(deadline: number, wait: ParkedWait): boolean {
  return wait.parked && wait.deadline === deadline;
}

/** A runUntilIdle in progress. */
interface Run {
  untilMs: number;
  hooks: RunHooks;
  done(nowMs: number): void;
  fail(error: unknown): void;
}

export class Scheduler implements WaitScheduler {
  /** Every kernel's parked waits, as they were first parked on (a crash looks through them all). */
  readonly #kernels: KernelWaits[] = [];
  /** Waits whose changes are not tracked (SimShim.probedAlways): probed every turn. */
  readonly #always = new Set<ParkedWait>();
  /** Marked waits by park order. */
  readonly #marked = new KeyedHeap<ParkedWait>();
  /**
   * Parked waits by deadline, equal ones in park order (the order they are pushed); an entry stays
   * until it comes out, one no longer parked is skipped.
   */
  readonly #deadlines = new KeyedHeap<ParkedWait>();
  #seq = 0;
  /** resolveReady's lists, reused from turn to turn (the entries past a turn's count are stale). */
  readonly #later: ParkedWait[] = [];
  readonly #done: ParkedWait[] = [];

  constructor(readonly network: SimNetwork<unknown>) {}

  get now(): number {
    return this.network.now;
  }

  park<T>(shim: SimShim, timeoutMs: number, waited: (results: number) => T, failed: (error: unknown) => never): Promise<T> {
    const promise = new Promise(this.#capture) as Promise<T>;
    const wait = (shim.parkedWait ?? this.#recordOf(shim)) as ParkedWait;
    wait.deadline = timeoutMs < 0 ? Infinity : this.now + timeoutMs;
    wait.seq = this.#seq++;
    wait.marked = false;
    wait.probing = false;
    wait.parked = true;
    wait.results = 0;
    wait.waited = waited;
    wait.failed = failed;
    wait.resolve = this.#resolve!;
    wait.reject = this.#reject!;
    this.#resolve = this.#reject = null;
    if (shim.probedAlways) this.#always.add(wait);
    const waits = wait.onKernel.parked;
    wait.place = waits.length;
    waits.push(wait);
    if (wait.deadline !== Infinity) this.#deadlines.push(wait.deadline, wait);
    return promise;
  }

  /** A shim's record of its waits, at its first park; its kernel's list of waits with it, at the kernel's first. */
  #recordOf(shim: SimShim): ParkedWait {
    const kernel = shim.kernel;
    // The scheduler alone sets both fields: they hold its own records.
    let waits = kernel.parkedWaits as KernelWaits | null;
    if (!waits) {
      kernel.parkedWaits = waits = new KernelWaits(this.#marked);
      this.#kernels.push(waits);
    }
    const wait = new ParkedWait(shim, waits);
    shim.parkedWait = wait;
    return wait;
  }

  /** The settlers of the promise park makes, taken by one executor made once, not a closure per wait. */
  #resolve: ((value: unknown) => void) | null = null;
  #reject: ((error: unknown) => void) | null = null;
  readonly #capture = (resolve: (value: unknown) => void, reject: (error: unknown) => void): void => {
    this.#resolve = resolve;
    this.#reject = reject;
  };

  /**
   * Ends every parked wait `which` picks with `error(wait)`, in park order (a host crashed). Each
   * program's promise settles a job later, as it would behind a promise of the shim's own: the
   * programs still running see it when they always did.
   */
  rejectWhere(which: (shim: SimShim) => boolean, error: () => ReactorError): void {
    const parked = this.#kernels.flatMap((waits) => waits.parked).sort((a, b) => a.seq - b.seq);
    for (const wait of parked) {
      if (!which(wait.shim)) continue;
      this.#unpark(wait);
      const e = error();
      job(() => settle(wait, e));
    }
  }

  /**
   * Runs the programs until none can make progress: every wait is parked with nothing scheduled
   * that could end it, or virtual time reaches `untilMs`. Returns the time.
   *
   * A turn lets the programs resumed by the last one run as far as they can, then resumes the
   * next waits. Turns are callbacks, not an async loop: a chat seed takes ten thousand of them,
   * and each step of an async loop cost a promise, its jobs and their garbage.
   */
  runUntilIdle(untilMs: number, hooks: RunHooks): Promise<number> {
    if (this.#run) {
      return Promise.reject(new ReactorError('EBUSY', 'sim.runUntilIdle: another run is in progress; await it before running again'));
    }
    return new Promise((done, fail) => {
      this.#run = { untilMs, hooks, done, fail };
      this.#afterPrograms();
    });
  }

  #run: Run | null = null;
  /** The turn, as a callback made once. */
  readonly #turnSoon = (): void => job(this.#turn);
  /** Queued as a job behind the resumed programs' own: it runs once every job queued so far has. */
  readonly #afterJobs = (): void => nextTick!(this.#turnSoon);
  readonly #turn = (): void => {
    const run = this.#run!;
    try {
      this.#step(run);
    } catch (e) {
      this.#run = null;
      run.fail(e);
    }
  };

  /**
   * Takes the next turn once the programs resumed so far have run as far as they can: every
   * promise job queued so far and every one they queue in turn. When the programs use nothing but
   * promises (no host's net API, whose streams take process.nextTick turns and its timers), Node
   * runs a nextTick queued from a promise job only once the whole job queue is empty, which is
   * that moment, at a third of the cost of a setImmediate turn of the event loop. Otherwise, and
   * where there is no nextTick (a browser), a full turn. The turn itself runs as a job, where an
   * awaited promise would have resumed it, so programs that queue ticks of their own see the same
   * order as before.
   */
  #afterPrograms(): void {
    if (nextTick && this.#run!.hooks.clock() === null) job(this.#afterJobs);
    else setImmediate(this.#turnSoon);
  }

  #step(run: Run): void {
    const { hooks, untilMs } = run;
    const { oracle } = hooks;
    if (hooks.opening.size > 0) {
      void Promise.allSettled([...hooks.opening]).then(() => this.#afterPrograms());
      return;
    }
    oracle?.check();
    while (!this.resolveReady()) {
      const clock = hooks.clock();
      const network = this.network;
      const delivery = network.nextAt();
      const timer = Math.min(clock?.nextAt() ?? Infinity, this.#nextDeadline());
      const next = Math.min(delivery, timer);
      if (next === Infinity) {
        oracle?.checkQuiet();
        return this.#finish(run);
      }
      // A window of deliveries stops short of a program's timer, a wait's deadline and the run's end.
      const before = Math.min(timer, untilMs);
      if (network.deliveryWindowMs > 0 && delivery < before) network.deliverWindow(before);
      else network.advance(Math.min(next, untilMs));
      clock?.advanceTo(this.now);
      if (next > untilMs) return this.#finish(run);
      // The programs' timers may have run program code: let it settle. Without them, moving the
      // clock ran only the network's deliveries: probe again at once.
      if (clock) break;
      oracle?.check();
    }
    this.#afterPrograms();
  }

  #finish(run: Run): void {
    this.#run = null;
    run.done(this.now);
  }

  /** The earliest deadline of a parked wait (Infinity: none). */
  #nextDeadline(): number {
    const deadlines = this.#deadlines;
    while (deadlines.size > 0 && !isDue(deadlines.peekKey(), deadlines.peek()!)) deadlines.pop();
    return deadlines.peekKey();
  }

  /**
   * Ends, in the order they parked, the waits that have events, a wakeup, or their deadline;
   * returns whether any ended. A wait probed here that marks one parked before it leaves that one
   * for the next turn, as a scan in park order would.
   */
  private resolveReady(): boolean {
    const now = this.now;
    const deadlines = this.#deadlines;
    while (deadlines.size > 0 && (deadlines.peekKey() <= now || !isDue(deadlines.peekKey(), deadlines.peek()!))) {
      const key = deadlines.peekKey();
      const due = deadlines.pop()!;
      if (isDue(key, due)) mark(this.#marked, due);
    }
    if (this.#always.size > 0) for (const wait of this.#always) mark(this.#marked, wait);
    const later = this.#later;
    const done = this.#done;
    let deferred = 0;
    let ended = 0;
    let cursor = -1;
    const marked = this.#marked;
    while (marked.size > 0) {
      const seq = marked.peekKey();
      const wait = marked.pop()!;
      if (!wait.parked || wait.seq !== seq) continue;
      if (wait.seq < cursor) {
        later[deferred++] = wait;
        continue;
      }
      cursor = wait.seq;
      wait.marked = false;
      wait.probing = true;
      const n = wait.shim.probe();
      wait.probing = false;
      if (n !== NOTHING_FOUND || now >= wait.deadline) {
        this.#unpark(wait);
        wait.results = Math.max(n, 0);
        done[ended++] = wait;
      }
    }
    for (let i = 0; i < deferred; i++) this.#marked.push(later[i].seq, later[i]);
    for (let i = 0; i < ended; i++) settle(done[i]);
    return ended > 0;
  }

  #unpark(wait: ParkedWait): void {
    wait.parked = false;
    wait.marked = false;
    this.#always.delete(wait);
    const waits = wait.onKernel.parked;
    const last = waits.pop()!;
    if (last !== wait) {
      waits[wait.place] = last;
      last.place = wait.place;
    }
  }
}
