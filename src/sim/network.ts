// The simulated network that every host's kernel shares: one virtual clock, the scheduled
// deliveries, the listening ports of every host, the network's random stream and the faults.
import { MAX_SEED, Random } from './random.js';
import { ReactorError } from '../errors.js';
import { checkIntegerIn, show } from '../validate.js';
import { Faults, STALL_MS, type Injection } from './faults.js';
import type { FaultRates } from '../faults.js';
import { KeyedHeap } from './heap.js';
import type { WireTap } from './wire.js';

/** First port handed out for listen(0), on each host. */
export const FIRST_EPHEMERAL_PORT = 40000;
/** First local port of a host's outgoing connections; they count up from here, apart from
 * listen(0)'s, so connecting changes no port a listener is given. */
export const FIRST_CONNECTION_PORT = 50000;
const LAST_PORT = 65535;

export interface NetworkOptions {
  seed?: number;
  /** One-way delivery delay of TCP segments, in virtual ms: [min, max], drawn per segment. */
  latencyMs?: [number, number];
  faults?: FaultRates;
  /** Instead of rates: inject exactly these faults (see Faults.injections), nothing else. */
  faultSchedule?: Injection[];
  /**
   * How far past the next delivery the scheduler delivers before the hosts run, in virtual ms: at
   * most, and by default, the shortest delay a segment can take (SimNetwork.shortestDelayMs), so
   * nothing sent in reply lands inside it; 0: every delivery at its exact time, the hosts run
   * between any two.
   */
  deliveryWindowMs?: number;
}

export class SimNetwork<Port = unknown> {
  /** Virtual time, in ms. */
  now = 0;
  readonly faults: Faults;
  /** What runs when, by virtual time; equal times in the order scheduled. */
  readonly #timers = new KeyedHeap<() => void>();
  readonly #random: Random;
  readonly #latency: [number, number];
  readonly #ports = new Map<string, Port>();
  readonly #nextPort = new Map<string, number>();
  readonly #nextConnectionPort = new Map<string, number>();
  /** One-way partitions: "from>to" host pairs, and when each heals. */
  readonly #cutUntil = new Map<string, number>();
  readonly #watchers: (() => void)[] = [];
  /** Told of every segment sent and every take (wire.ts); null: the kernels build nothing for it. */
  wiretap: WireTap | null = null;
  /** The end of the window last delivered: nothing may be scheduled before it (deliverWindow). */
  #windowEnd = 0;

  readonly seed: number;
  /** The shortest delay a scheduled delivery can take, in virtual ms. */
  readonly shortestDelayMs: number;
  readonly deliveryWindowMs: number;

  constructor(options: NetworkOptions = {}) {
    this.seed = checkIntegerIn(options.seed ?? 0, 0, MAX_SEED, 'seed', 'Simulation');
    const latency = options.latencyMs;
    if (
      latency !== undefined &&
      !(
        Array.isArray(latency) &&
        latency.length === 2 &&
        latency.every((ms) => typeof ms === 'number' && Number.isFinite(ms)) &&
        latency[0] >= 0 &&
        latency[0] <= latency[1]
      )
    ) {
      throw new ReactorError('EINVAL', `Simulation: latencyMs must be [min, max] in virtual ms with 0 <= min <= max, got ${show(latency)}`);
    }
    this.#random = new Random(this.seed, 'network');
    this.faults = new Faults(options.seed ?? 0, options.faults, options.faultSchedule);
    this.#latency = options.latencyMs ?? [0, 0];
    // A stall holds a segment of a socket pair, which has no latency, for STALL_MS alone.
    this.shortestDelayMs = this.faults.mayStrike('stall') ? Math.min(this.#latency[0], STALL_MS) : this.#latency[0];
    const window = options.deliveryWindowMs ?? this.shortestDelayMs;
    if (typeof window !== 'number' || !(window >= 0 && window <= this.shortestDelayMs)) {
      throw new ReactorError(
        'EINVAL',
        `Simulation: deliveryWindowMs must be from 0 (exact arrival times) to ${this.shortestDelayMs}, the shortest delay a segment can take ` +
          `(latencyMs[0]${this.faults.mayStrike('stall') ? `, or ${STALL_MS} of a stall` : ''}): a wider window could hold a reply to its own deliveries; got ${show(window)}`,
      );
    }
    this.deliveryWindowMs = window;
  }

  /** Runs `run` at virtual time `at`; equal times run in the order scheduled. */
  schedule(at: number, run: () => void): void {
    if (at < this.#windowEnd) {
      throw new Error(
        `simulated network: a delivery at ${at} ms lands inside the window delivered up to ${this.#windowEnd} ms (the clock is at ${this.now} ms): ` +
          `deliveryWindowMs exceeds a delay; this is a bug, please report it`,
      );
    }
    this.#timers.push(at, run);
  }

  /** Calls `watcher` after each delivery from now on (completion ports retry then); returns the unwatch. */
  watch(watcher: () => void): () => void {
    this.#watchers.push(watcher);
    return () => {
      this.#watchers.splice(this.#watchers.indexOf(watcher), 1);
    };
  }

  /** Something arrived somewhere: tells the watchers, in the order they came. */
  changed(): void {
    if (this.#watchers.length === 0) return;
    for (const watcher of [...this.#watchers]) watcher();
  }

  /** When the next scheduled thing happens (Infinity: nothing is scheduled). */
  nextAt(): number {
    return this.#timers.peekKey();
  }

  /**
   * Runs everything due by now (a wait's look at the kernel, which every probe takes): advance to
   * the clock's own time, without the clock passed in (a fractional time passed to a call that
   * is not inlined is a number allocated per call).
   */
  runDue(): void {
    const timers = this.#timers;
    for (let at = timers.peekKey(); timers.size > 0 && at <= this.now; at = timers.peekKey()) timers.pop()!();
  }

  /** Runs everything due by `until`, moving the clock forward to it. */
  advance(until: number): void {
    const timers = this.#timers;
    for (let at = timers.peekKey(); timers.size > 0 && at <= until; at = timers.peekKey()) {
      const run = timers.pop()!;
      if (at > this.now) this.now = at;
      run();
    }
    if (until > this.now && until !== Infinity) this.now = until;
  }

  /**
   * Runs the next delivery and every one due less than deliveryWindowMs after it, but none at or
   * past `before` (a timer, a wait's deadline, the run's end). The clock stops at the last of them:
   * the hosts see every segment of the window as of that time, as a host busy until then would.
   * Whatever they send takes at least the window to arrive, so it lands past the window (schedule
   * asserts it): the window holds the same segments, in the same order, as exact times would.
   */
  deliverWindow(before: number): void {
    const timers = this.#timers;
    const next = timers.peekKey();
    const end = Math.min(next + this.deliveryWindowMs, before);
    // The next delivery is in however narrow a window: one below a float's step at that time adds nothing to it.
    for (let at = next; timers.size > 0 && (at < end || at === next); at = timers.peekKey()) {
      const run = timers.pop()!;
      if (at > this.now) this.now = at;
      run();
    }
    this.#windowEnd = end;
  }

  /** Cuts the direction from host `from` to host `to` until `until` (a one-way partition). */
  partition(from: string, to: string, until: number): void {
    const key = `${from}>${to}`;
    this.#cutUntil.set(key, Math.max(this.#cutUntil.get(key) ?? 0, until));
  }

  /** When segments from `from` to `to` can flow again (0: they can now). */
  healsAt(from: string, to: string): number {
    if (this.#cutUntil.size === 0) return 0;
    return this.#cutUntil.get(`${from}>${to}`) ?? 0;
  }

  /** A segment's one-way delay, drawn from the network's stream or a subsystem's own. */
  delay(random: Random = this.#random): number {
    return random.between(this.#latency[0], this.#latency[1]);
  }

  /** Binds a port on a host (0: the host's next free one); the port, or -1 when taken. */
  bind(host: string, port: number, value: Port): number {
    if (port === 0) {
      let next = this.#nextPort.get(host) ?? FIRST_EPHEMERAL_PORT;
      while (this.#ports.has(`${host}:${next}`)) next++;
      this.#nextPort.set(host, next + 1);
      port = next;
    }
    if (this.#ports.has(`${host}:${port}`)) return -1;
    this.#ports.set(`${host}:${port}`, value);
    return port;
  }

  /** The local port of a host's next outgoing connection: the next not listened on, wrapping round. */
  connectionPort(host: string): number {
    let port = this.#nextConnectionPort.get(host) ?? FIRST_CONNECTION_PORT;
    while (this.#ports.has(`${host}:${port}`)) port = port === LAST_PORT ? FIRST_CONNECTION_PORT : port + 1;
    this.#nextConnectionPort.set(host, port === LAST_PORT ? FIRST_CONNECTION_PORT : port + 1);
    return port;
  }

  unbind(host: string, port: number): void {
    this.#ports.delete(`${host}:${port}`);
  }

  lookup(host: string, port: number): Port | undefined {
    return this.#ports.get(`${host}:${port}`);
  }
}
