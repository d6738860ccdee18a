// Where a reactor's system calls go: a backend gives the Reactor its shim and socket helpers. The
// native one (src/native.ts) runs over the real OS, the simulated one (src/sim/backend.ts) over a
// simulated kernel; the Reactor receives one and never knows which.
import type { FaultReport } from './faults.js';

/** The socket helpers' system calls; failures are -errno. */
export interface OsCalls {
  socketPair(): [number, number] | number;
  listen(host: string, port: number, backlog: number): [number, number] | number;
  connect(host: string, port: number): number;
  accept(fd: number): number;
  send(fd: number, data: Uint8Array): number;
  recv(fd: number, maxBytes: number): Uint8Array | number;
  shutdown(fd: number): number;
  close(fd: number): number;
  fdKind(fd: number): number;
}

/** The shim: one call per wait cycle, over the core's request and result rings. */
export interface NativeShim {
  /** Performs the first `requests` queued requests without waiting; returns the results written. */
  apply(requests: number): number;
  /** Performs the requests, then waits up to timeoutMs (-1: forever); returns the results written. */
  cycle(requests: number, timeoutMs: number): number;
  cycleAsync(requests: number, timeoutMs: number): Promise<number>;
  wakeup(): number;
  close(): void;
  readonly wakeToken: number;
  readonly waitsInterrupted: number;
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
}
