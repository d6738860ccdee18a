// One reactor per thread drives every socket and server of an io-reactor/net stack. Its waits run
// off Node's loop (waitAsync); only ref'ed handles keep a wait pending, so the process exits when
// nothing ref'ed is left, as with node:net.
import type { IoEvent, Reactor } from '../index.js';

/** A socket or server: the loop hands it the events of its fd. */
export interface Watcher {
  onEvent(event: IoEvent<Watcher>): void;
}

export interface LoopOptions {
  /** Opens the reactor, on first use. */
  open(): Promise<Reactor<Watcher>>;
  /**
   * Natively: poll with a non-blocking wait before going off-thread (it saves a thread hop under
   * load), and serve unref'ed handles by a timer that does not keep the process alive. A
   * simulation's waits park in its scheduler, which keeps nothing alive, so it needs neither.
   */
  native: boolean;
}

/** How often an unref'ed handle's events are looked at while something else keeps Node alive. */
const UNREFED_POLL_MS = 1;

/**
 * Empty polls in a row, each a turn of Node's loop apart, before waiting off-thread: while
 * connections are busy their next events are usually a turn away, and an off-thread wait costs
 * two thread switches (a slice each on a loaded machine).
 */
const BUSY_POLLS = 2;

// Taken at load: a simulation's virtual timers must not pace the native loop.
const realSetTimeout = globalThis.setTimeout;
const realSetImmediate = globalThis.setImmediate;

export class NetLoop {
  readonly #options: LoopOptions;
  #reactor: Reactor<Watcher> | null = null;
  #opening: Promise<Reactor<Watcher>> | null = null;
  /** The fds this loop's reactor watches. */
  readonly #watched = new Set<number>();
  #refs = 0;
  #pumping = false;
  #waiting = false;
  #pollTimer: ReturnType<typeof setTimeout> | null = null;
  #afterWait: (() => void)[] = [];

  constructor(options: LoopOptions) {
    this.#options = options;
  }

  /** Runs `use` with the reactor: now when it is open, else once it is (calls keep their order). */
  withReactor(use: (reactor: Reactor<Watcher>) => void, failed: (error: unknown) => void): void {
    if (this.#reactor) {
      use(this.#reactor);
      return;
    }
    this.#opening ??= this.#options.open().then((r) => (this.#reactor = r));
    this.#opening.then(use, failed);
  }

  /** Starts watching fd (the reactor is open: fds come from it). */
  watch(fd: number, watcher: Watcher, events: number): void {
    this.#reactor!.add(fd, watcher, events);
    this.#watched.add(fd);
    this.#schedule();
  }

  /** Changes what fd is watched for. */
  interest(fd: number, events: number): void {
    this.#reactor!.modify(fd, events);
  }

  /**
   * Stops watching fd and closes it; `closed` runs once it is closed. Under a pending wait the
   * reactor closes it when the wait ends (woken at once), so the fd number is not reused under it.
   */
  close(fd: number, closed: () => void): void {
    this.#watched.delete(fd);
    this.#reactor!.os.close(fd);
    if (this.#waiting) this.#afterWait.push(closed);
    else process.nextTick(closed);
  }

  /**
   * Stops watching a listener and closes it now, so its port refuses connects at once as
   * node:net's does. The shim still knows the fd until its wait ends, but no connection can
   * reuse the number under it: a listener is never handed to another registration by its number
   * before the shim has dropped it (remove is queued before any later add).
   */
  closeListener(fd: number): void {
    this.#reactor!.remove(fd);
    this.#watched.delete(fd);
    this.#reactor!.os.close(fd);
  }

  /** Stops watching fd, which stays open (a hung-up socket nobody reads from). */
  unwatch(fd: number): void {
    this.#reactor!.remove(fd);
    this.#watched.delete(fd);
  }

  get os(): Reactor<Watcher>['os'] {
    return this.#reactor!.os;
  }

  /** A handle that keeps the process alive while it is open. */
  ref(): void {
    this.#refs++;
    if (this.#refs === 1) this.#schedule();
  }

  unref(): void {
    this.#refs--;
    // A pending off-thread wait keeps Node alive: end it, the pump goes back to polling.
    if (this.#refs === 0 && this.#waiting && this.#options.native) this.#reactor?.wakeup();
  }

  #schedule(): void {
    if (this.#pumping || this.#reactor === null || this.#watched.size === 0) return;
    if (this.#pollTimer !== null) {
      clearTimeout(this.#pollTimer);
      this.#pollTimer = null;
    }
    this.#pumping = true;
    this.#pump().catch((error: unknown) => {
      this.#pumping = false;
      queueMicrotask(() => {
        throw error;
      });
    });
  }

  async #pump(): Promise<void> {
    const reactor = this.#reactor!;
    const native = this.#options.native;
    let emptyPolls = 0;
    while (this.#watched.size > 0 && !reactor.destroyed) {
      let events = native ? reactor.wait(0) : [];
      if (events.length === 0 && native && ++emptyPolls <= BUSY_POLLS) {
        await new Promise((resolve) => realSetImmediate(resolve));
        continue;
      }
      if (events.length === 0) {
        if (native && this.#refs === 0) break;
        this.#waiting = true;
        try {
          events = await reactor.waitAsync(null);
        } finally {
          this.#waiting = false;
          const closed = this.#afterWait;
          this.#afterWait = [];
          for (const done of closed) done();
        }
      }
      if (events.length > 0) emptyPolls = 0;
      for (const event of events) event.context.onEvent(event);
      // Let the callbacks those events scheduled run before looking again.
      if (native) await new Promise((resolve) => realSetImmediate(resolve));
    }
    this.#pumping = false;
    if (this.#watched.size > 0 && !reactor.destroyed) {
      this.#pollTimer = realSetTimeout(() => {
        this.#pollTimer = null;
        this.#schedule();
      }, UNREFED_POLL_MS);
      this.#pollTimer.unref();
    }
  }
}
