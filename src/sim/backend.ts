// A simulated host's backend: the emscripten-built shim and the socket helpers over its simulated
// kernel. The API reaches it only through src/sim-door.ts, by import(), when a reactor asks for it.
import type { Backend, NativeShim, OsCalls, ShimLayout } from '../backend.js';
import type { FaultReport } from '../faults.js';
import type { ResolvedOptions } from '../options.js';
import { SimKernel, E } from './kernel.js';
import type { Listener } from './stream.js';
import { SimNetwork } from './network.js';
import { SimShim, hostDown, type WaitScheduler } from './shim.js';
import { recordFaults } from './trace-faults.js';
import { recordWire } from './trace-wire.js';
import { LONE_SIM_HOST } from '../sim-door.js';
import { takeCore, releaseCore } from './core-pool.js';

/**
 * The simulated kernel's socket helpers; hosts are accepted as given (one simulated host). A class,
 * not an object of closures: a 1000-host seed makes one per reactor, and each closure was an
 * object the seed's scavenges copied.
 */
class SimOs implements OsCalls {
  constructor(readonly kernel: SimKernel) {}

  /**
   * A crashed host's programs are dead: what they still call fails, saying so (close stays
   * allowed, so their clean-up code runs).
   */
  #up(op: string): void {
    if (this.kernel.crashed) throw hostDown(this.kernel.host, `os.${op}`);
  }

  socketPair(): [number, number] | number {
    this.#up('socketPair');
    return this.kernel.socketPair();
  }

  listen(host: string, port: number, backlog: number): [number, number] | number {
    this.#up('listen');
    return this.kernel.listen(port, backlog, host);
  }

  connect(host: string, port: number): number {
    this.#up('connect');
    return this.kernel.connect(port, host);
  }

  accept(fd: number): number {
    this.#up('accept');
    // As natively: a connection aborted before accept is skipped, the next one taken.
    for (;;) {
      const r = this.kernel.accept(fd);
      if (r !== -E.ECONNABORTED) return r;
    }
  }

  send(fd: number, data: Uint8Array): number {
    return this.sendPrefix(fd, data, data.length);
  }

  /** A send of data's first `length` bytes, with no view made for them. */
  sendPrefix(fd: number, data: Uint8Array, length: number): number {
    this.#up('send');
    return this.kernel.write(fd, data, 0, length);
  }

  recv(fd: number, maxBytes: number): Uint8Array | number {
    this.#up('recv');
    const kernel = this.kernel;
    // Sized to what is queued: a recv of 64 KiB for a 20-byte line should not allocate 64 KiB.
    const into = new Uint8Array(Math.min(maxBytes, kernel.queuedBytes(fd)));
    const n = kernel.read(fd, into, 0, into.length);
    return n < 0 ? n : n === into.length ? into : into.slice(0, n);
  }

  shutdown(fd: number): number {
    this.#up('shutdown');
    return this.kernel.shutdown(fd);
  }

  close(fd: number): number {
    return this.kernel.close(fd);
  }

  fdKind(fd: number): number {
    return this.kernel.fdKind(fd);
  }

  getsockname(fd: number): [string, number] | number {
    this.#up('getsockname');
    return this.kernel.sockName(fd);
  }

  getpeername(fd: number): [string, number] | number {
    this.#up('getpeername');
    return this.kernel.peerName(fd);
  }
}

/**
 * A simulated host's backend; with a scheduler, waitAsync yields to it (see Simulation). A class,
 * as SimOs: a 1000-host seed makes one per reactor.
 */
class SimBackend implements Backend {
  readonly os: SimOs;
  readonly host: string;
  /** An arrow: a reactor's trace tap keeps it apart from the backend. */
  readonly now = (): number => this.kernel.now;
  readonly takeCore = takeCore;
  readonly releaseCore = releaseCore;

  constructor(
    readonly kernel: SimKernel,
    readonly scheduler: WaitScheduler | undefined,
  ) {
    this.os = new SimOs(kernel);
    this.host = kernel.host;
  }

  faultReport(): FaultReport {
    return this.kernel.faults.report();
  }

  createShim(memory: ArrayBuffer, layout: ShimLayout): Promise<NativeShim> {
    return SimShim.create(this.kernel, memory, layout, this.scheduler);
  }
}

/** A simulated host's backend; with a scheduler, waitAsync yields to it (see Simulation). */
export function simBackend(kernel: SimKernel, scheduler?: WaitScheduler): Backend {
  return new SimBackend(kernel, scheduler);
}

/** Reactor.create({ backend: 'sim' }): a network of its own, with one host. */
export function loneBackend(options: ResolvedOptions): Backend {
  const network = new SimNetwork<Listener>({ seed: options.seed, latencyMs: options.latencyMs, faults: options.faults });
  if (options.trace) {
    recordFaults(network, options.trace);
    recordWire(network, options.trace);
  }
  return simBackend(new SimKernel(network, LONE_SIM_HOST));
}
