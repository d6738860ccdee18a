// A simulation of several hosts on one network: each host runs reactors over its own simulated
// kernel, and the scheduler resolves their waitAsync calls in virtual-time order, so programs on
// different hosts take turns as they would in real time, and every run of a seed is the same.
import { openReactorOn, type Reactor } from '../reactor.js';
import type { Backend } from '../backend.js';
import { simBackend } from './backend.js';
import { ReactorError } from '../errors.js';
import { checkOptions, show } from '../validate.js';
import type { ReactorOptions } from '../options.js';
import { SimKernel } from './kernel.js';
import type { Listener } from './stream.js';
import { SimNetwork, type NetworkOptions } from './network.js';
import { hostDown, type WaitScheduler } from './shim.js';
import { Scheduler } from './scheduler.js';
import type { Injection } from './faults.js';
import type { FaultReport } from '../faults.js';
import type { SimConsole } from './console.js';
import { WINDOWS_FLAVORS, type WindowsFlavor } from './windows-flavor.js';
import type { Trace, TraceSink } from '../trace/format.js';
import { TraceRecorder } from '../trace/recorder.js';
import { TraceDigest } from '../trace/digest.js';
import { recordFaults } from './trace-faults.js';
import { recordWire } from './trace-wire.js';
import { Oracle } from './oracle.js';
import type { NetApi } from '../net/api.js';

export interface SimulationOptions extends NetworkOptions {
  /**
   * Records every reactor on every host and each injected fault: true keeps the trace in a
   * TraceRecorder (read it with sim.trace()), or give a sink of your own.
   */
  trace?: TraceSink | true;
  /**
   * Which Windows every host's simulated IOCP plays, seen when one reactor closes an fd under
   * another's pending read: 'windows' (default, 995) or 'wine' (676).
   */
  windowsFlavor?: WindowsFlavor;
  /**
   * Checks the invariants (src/sim/oracle.ts) on every step: the first broken one is thrown as an
   * InvariantViolation where it is found, and again by runUntilIdle and checkInvariants.
   */
  oracle?: boolean;
}

/** What a host's reactors report to: the trace sink (the oracle, when on, in front of it). */
interface Watchers {
  sink?: TraceSink;
  oracle?: Oracle;
}

/** The programs' timers on virtual time (virtual-clock.ts). */
export interface ProgramClock {
  install(nowMs: number): void;
  uninstall(): void;
  /** When the next timer is due; Infinity when none is. */
  nextAt(): number;
  advanceTo(nowMs: number): void;
}

/**
 * Makes a host's net API and the programs' clock: given by the io-reactor/sim entry
 * (host-net.ts), so that the page, which runs simulations in a browser, loads neither Node's
 * streams nor the fake timers through this file.
 */
interface HostNetProvider {
  net(host: SimHost, opening: <T>(reactor: Promise<T>) => Promise<T>): NetApi;
  clock(): ProgramClock;
}
let hostNet: HostNetProvider | null = null;

export function provideHostNet(provider: HostNetProvider): void {
  hostNet = provider;
}

/** What a host's `net` asks of its Simulation. */
interface ProgramHooks {
  useVirtualTime(): void;
  /** A reactor opening for a program: runUntilIdle waits for it before calling the run idle. */
  opening<T>(reactor: Promise<T>): Promise<T>;
}

/** Options that are the Simulation's, refused by one host's createReactor. */
const SIMULATION_WIDE = ['backend', 'seed', 'latencyMs', 'faults', 'windowsFlavor'];

/** A machine of the simulation: reactors created on it share its kernel (fds, ports). */
export class SimHost {
  readonly #watchers: Watchers;
  readonly #programs: ProgramHooks;
  #net: NetApi | null = null;

  constructor(
    readonly name: string,
    readonly kernel: SimKernel,
    readonly scheduler: WaitScheduler,
    watchers: Watchers = {},
    programs: ProgramHooks = { useVirtualTime: () => undefined, opening: (reactor) => reactor },
  ) {
    this.#watchers = watchers;
    this.#programs = programs;
  }

  /**
   * node:net's API bound to this host (io-reactor/net over one reactor of the host): servers
   * listen on its ports, connects go from it, a host name is the address of that host. From
   * the first use on, the programs' timers run on virtual time (Simulation.useVirtualTime).
   */
  get net(): NetApi {
    if (!hostNet) {
      throw new ReactorError(
        'EINVAL',
        `sim.host(${JSON.stringify(this.name)}).net: the net API comes with the io-reactor/sim entry; import { Simulation } from 'io-reactor/sim'`,
      );
    }
    this.#programs.useVirtualTime();
    this.#net ??= hostNet.net(this, (reactor) => this.#programs.opening(reactor));
    return this.#net;
  }

  /** The host's console: `write` types into its stdin (fd 0), `end` closes it. */
  get console(): SimConsole {
    return this.kernel.console;
  }

  /** A reactor on this host; `backend` is implied, the other options are Reactor.create's. */
  createReactor<C = unknown>(options: Omit<ReactorOptions, 'backend' | 'seed' | 'latencyMs' | 'faults'> = {}): Promise<Reactor<C>> {
    return this.createReactorOn<C>(simBackend(this.kernel, this.scheduler), options);
  }

  /** A reactor on this host over a backend of the caller's (a test's misbehaving shim). */
  createReactorOn<C = unknown>(
    backend: Backend,
    options: Omit<ReactorOptions, 'backend' | 'seed' | 'latencyMs' | 'faults'> = {},
  ): Promise<Reactor<C>> {
    checkOptions(options, null, 'createReactor');
    if (typeof backend !== 'object' || backend === null || typeof backend.createShim !== 'function') {
      throw new ReactorError(
        'EINVAL',
        `createReactorOn: backend must be a Backend (an object with createShim(), os and now()), got ${String(backend)}`,
      );
    }
    const misplaced = SIMULATION_WIDE.filter((k) => k in options);
    if (misplaced.length > 0) {
      throw new ReactorError('EINVAL', `createReactor: ${misplaced.join(', ')} belong to the Simulation, not to one host's reactor`);
    }
    const opening = openReactorOn<C>(backend, { trace: this.#watchers.sink, ...options });
    const oracle = this.#watchers.oracle;
    if (!oracle) return opening;
    const os = backend.os;
    const recv = os.recv;
    os.recv = (fd, maxBytes) => {
      const got = recv.call(os, fd, maxBytes);
      if (typeof got !== 'number') oracle.received(this.kernel, fd, got);
      return got;
    };
    return opening.then((reactor) => {
      oracle.attach(reactor);
      return reactor;
    });
  }
}

const SIMULATION_OPTIONS = ['seed', 'latencyMs', 'deliveryWindowMs', 'faults', 'faultSchedule', 'trace', 'windowsFlavor', 'oracle'];

export class Simulation {
  readonly network: SimNetwork<Listener>;
  readonly #hosts = new Map<string, SimHost>();
  readonly #scheduler: Scheduler;
  readonly #trace: TraceSink | undefined;
  readonly #windowsFlavor: WindowsFlavor;
  readonly #watchers: Watchers = {};
  /** The programs' virtual clock, from the first host's `net` on. */
  #clock: ProgramClock | null = null;
  /** Reactors the hosts' `net` are opening (their programs' first socket calls wait on them). */
  readonly #opening = new Set<Promise<unknown>>();
  /** Reactors the hosts' `net` opened: close() destroys them. */
  readonly #netReactors: Reactor<unknown>[] = [];
  /** What every host's `net` asks of the simulation: one for all hosts, not closures made per host. */
  readonly #programs: ProgramHooks = {
    useVirtualTime: () => this.useVirtualTime(),
    opening: (reactor) => {
      this.#opening.add(reactor);
      return reactor
        .then((opened) => {
          this.#netReactors.push(opened as Reactor<unknown>);
          return opened;
        })
        .finally(() => this.#opening.delete(reactor));
    },
  };

  constructor(options: SimulationOptions = {}) {
    checkOptions(options, SIMULATION_OPTIONS, 'Simulation');
    const flavor = options.windowsFlavor ?? 'windows';
    if (!WINDOWS_FLAVORS.includes(flavor)) {
      throw new ReactorError(
        'EINVAL',
        `Simulation: windowsFlavor must be 'windows' (a read ended by a local close completes with 995) or 'wine' (676), got ${show(flavor)}`,
      );
    }
    this.#windowsFlavor = flavor;
    this.network = new SimNetwork<Listener>(options);
    this.#scheduler = new Scheduler(this.network);
    const { trace, oracle } = options;
    if (
      trace !== undefined &&
      trace !== true &&
      (typeof trace !== 'object' || trace === null || typeof trace.reactor !== 'function' || typeof trace.record !== 'function')
    ) {
      throw new ReactorError(
        'EINVAL',
        `Simulation: trace must be true or a TraceSink (an object with reactor() and record()), got ${String(trace)}`,
      );
    }
    if (oracle !== undefined && typeof oracle !== 'boolean') {
      throw new ReactorError('EINVAL', `Simulation: oracle must be true or false, got ${String(oracle)}`);
    }
    this.#trace = trace === true ? new TraceRecorder({ seed: options.seed ?? 0 }) : trace;
    this.#watchers.sink = this.#trace;
    if (oracle) {
      this.#watchers.oracle = new Oracle({
        seed: options.seed ?? 0,
        now: () => this.now,
        kernelOf: (name) => this.host(name).kernel,
        downstream: this.#trace ?? null,
      });
      this.#watchers.sink = this.#watchers.oracle;
    }
    // The faults and the wire are written for a trace: the oracle alone reads neither, and a
    // digest leaves the wire out (trace/hash.ts). A record per segment, its payload in base64,
    // would be made for nothing in every run of a sweep.
    if (this.#trace && this.#watchers.sink) {
      recordFaults(this.network, this.#watchers.sink);
      if (!(this.#trace instanceof TraceDigest)) recordWire(this.network, this.#watchers.sink);
    }
  }

  /**
   * Checks the invariants now, the pool's baseline included (call it when the apps are quiet, as
   * runUntilIdle does at its end); throws the first InvariantViolation. Needs oracle: true.
   */
  checkInvariants(): void {
    if (!this.#watchers.oracle) {
      throw new ReactorError('EINVAL', 'sim.checkInvariants(): this simulation has no oracle; create it with oracle: true');
    }
    this.#watchers.oracle.checkQuiet();
  }

  /** The trace so far, of every reactor on every host (the Simulation's own recorder). */
  trace(): Trace {
    if (!(this.#trace instanceof TraceRecorder)) {
      throw new ReactorError(
        'EINVAL',
        'sim.trace(): this simulation keeps no trace; create it with trace: true (or a TraceRecorder of your own and read that)',
      );
    }
    return this.#trace.toJSON();
  }

  /** The host of that name, created on first use. Connect to it with os.connect(port, name). */
  host(name: string): SimHost {
    let host = this.#hosts.get(name);
    if (!host && (typeof name !== 'string' || name.length === 0)) {
      throw new ReactorError(
        'EINVAL',
        `sim.host: name must be a non-empty string such as 'server' (other hosts connect to it by that name), got ${show(name)}`,
      );
    }
    if (!host) {
      const kernel = new SimKernel(this.network, name, { windowsFlavor: this.#windowsFlavor });
      if (this.#watchers.oracle) kernel.observe(this.#watchers.oracle.kernelObserver);
      host = new SimHost(name, kernel, this.#scheduler, this.#watchers, this.#programs);
      this.#hosts.set(name, host);
    }
    return host;
  }

  /** Virtual time, in ms. */
  get now(): number {
    return this.network.now;
  }

  faultReport(): FaultReport {
    return this.network.faults.report();
  }

  /** Every fault injected so far: pass it as `faultSchedule` to replay exactly these. */
  faultInjections(): Injection[] {
    return this.network.faults.injections();
  }

  /**
   * The host crashes: every connection of its is reset at its peer, its ports are freed, and its
   * reactors' waits (parked or later) and socket calls (but close) fail with EHOSTDOWN.
   * sim.restart(name) boots it again.
   */
  crash(name: string): void {
    const host = this.#hosts.get(name);
    if (!host) throw new ReactorError('EINVAL', `sim.crash: no host ${show(name)}; hosts are made by sim.host(name)`);
    this.#watchers.oracle?.crashed(name);
    host.kernel.crash();
    this.#scheduler.rejectWhere(
      (shim) => shim.crashed,
      () => hostDown(name, 'waitAsync'),
    );
  }

  /** A crashed host boots again: a fresh kernel under the same name (no fds, no listeners). */
  restart(name: string): SimHost {
    if (!this.#hosts.get(name)?.kernel.crashed) {
      throw new ReactorError('EINVAL', `sim.restart: host ${show(name)} has not crashed; crash it first with sim.crash(name)`);
    }
    this.#hosts.delete(name);
    const host = this.host(name);
    this.#watchers.oracle?.restarted(name, host.kernel);
    return host;
  }

  /**
   * Runs the programs on every host until none can make progress: every wait is parked with
   * nothing scheduled that could end it, or virtual time reaches `untilMs`. Returns the time.
   */
  runUntilIdle(untilMs = Infinity): Promise<number> {
    if (typeof untilMs !== 'number' || !(untilMs >= 0)) {
      return Promise.reject(
        new ReactorError(
          'EINVAL',
          `sim.runUntilIdle: untilMs must be a virtual time in ms >= 0 (Infinity, the default: until idle), got ${show(untilMs)}`,
        ),
      );
    }
    return this.#scheduler.runUntilIdle(untilMs, { oracle: this.#watchers.oracle, opening: this.#opening, clock: () => this.#clock });
  }

  /**
   * Virtual time for the programs: from a host's first `net` on, setTimeout, setInterval, Date
   * and performance.now of this realm follow the simulation's clock, until restoreTimers().
   */
  useVirtualTime(): void {
    this.#clock ??= hostNet?.clock() ?? null;
    this.#clock?.install(this.now);
  }

  /** Gives the programs' timers back to real time (another Simulation's `net` does too). */
  restoreTimers(): void {
    this.#clock?.uninstall();
  }

  /**
   * Ends the programs on the hosts' `net`: destroys the reactors it opened (their sockets with
   * them) and gives the timers back. A thread that runs many simulations over `net` calls it after
   * each, or their reactors' simulated shims pile up in the thread's one shim module until none opens.
   */
  close(): void {
    for (const reactor of this.#netReactors.splice(0)) if (!reactor.destroyed) reactor.destroy();
    this.restoreTimers();
  }
}
