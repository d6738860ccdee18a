// Where a reactor's system calls go: a backend gives the Reactor its shim and socket helpers. The
// native one (src/native.ts) runs over the real OS, the simulated one (src/sim/backend.ts) over a
// simulated kernel; the Reactor receives one and never knows which.
import type { FaultReport } from './faults.js';
import type { CoreExports, CoreSizes } from './core.js';

/** The socket helpers' system calls; failures are -errno. */
export interface OsCalls {
  socketPair(): [number, number] | number;
  listen(host: string, port: number, backlog: number): [number, number] | number;
  connect(host: string, port: number): number;
  accept(fd: number): number;
  send(fd: number, data: Uint8Array): number;
  recv(fd: number, maxBytes: number): Uint8Array | number;
  /**
   * In place, without allocating: receive into buffer (up to its length), send data's first
   * `length` bytes. Only the native backend has them; elsewhere reactor.os uses recv and send with
   * a copy or a view (the simulation's oracle and a trace's loopback wire watch those two).
   */
  recvInto?(fd: number, buffer: Uint8Array): number;
  sendPrefix?(fd: number, data: Uint8Array, length: number): number;
  shutdown(fd: number): number;
  close(fd: number): number;
  fdKind(fd: number): number;
  /** fd's own address and port. */
  getsockname(fd: number): [string, number] | number;
  /** The address and port of fd's peer. */
  getpeername(fd: number): [string, number] | number;
}

/** The shim: one call per wait cycle, over the core's request and result rings. */
export interface NativeShim {
  /** Performs the first `requests` queued requests without waiting; returns the results written. */
  apply(requests: number): number;
  /** Performs the requests, then waits up to timeoutMs (-1: forever); returns the results written. */
  cycle(requests: number, timeoutMs: number): number;
  /**
   * cycle without blocking the caller. The promise settles with what `waited` returns for the
   * results written, or with what `failed` throws for the wait's error: the reactor's own
   * continuations, so a shim that ends the wait itself (a simulated one's scheduler) settles the
   * program's promise directly, with no promise of its own in between.
   */
  cycleAsync<T>(requests: number, timeoutMs: number, waited: (results: number) => T, failed: (error: unknown) => never): Promise<T>;
  wakeup(): number;
  close(): void;
  readonly wakeToken: number;
  readonly waitsInterrupted: number;
}

/** A shim whose async cycle settles a promise of the results written (the addon's, a replay's). */
export interface PromisingShim extends Omit<NativeShim, 'cycleAsync'> {
  cycleAsync(requests: number, timeoutMs: number): Promise<number>;
}

/** A PromisingShim as a NativeShim: the reactor's continuations take its promise. */
export function continuing(shim: PromisingShim): NativeShim {
  return {
    apply: (requests) => shim.apply(requests),
    cycle: (requests, timeoutMs) => shim.cycle(requests, timeoutMs),
    cycleAsync: (requests, timeoutMs, waited, failed) => shim.cycleAsync(requests, timeoutMs).then(waited, failed),
    wakeup: () => shim.wakeup(),
    close: () => shim.close(),
    get wakeToken() {
      return shim.wakeToken;
    },
    get waitsInterrupted() {
      return shim.waitsInterrupted;
    },
  };
}

export interface ShimLayout {
  model: number;
  mechanism: number;
  poolSize: number;
  maxSockets: number;
  requestsAt: number;
  requestCapacity: number;
  resultsAt: number;
  resultCapacity: number;
  /** The provided-buffer ring (assembly/provided.ts). */
  providedAt: number;
}

export interface Backend {
  readonly os: OsCalls;
  /** The machine it runs on, as traces name it: 'native', or the simulated host's name. */
  readonly host: string;
  /** Monotonic milliseconds: real time, or the simulation's virtual time. */
  now(): number;
  /** Injected faults so far (simulation only). */
  faultReport(): FaultReport | null;
  createShim(memory: ArrayBuffer, layout: ShimLayout): Promise<NativeShim>;
  /** The core a reactor runs on, when the backend keeps its own (a simulation's pool); else a fresh instance. */
  takeCore?(sizes: CoreSizes): Promise<CoreExports | null>;
  /** A destroyed reactor's core, once nothing of the reactor touches it again: the backend may reuse it. */
  releaseCore?(core: CoreExports): void;
}
