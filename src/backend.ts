// Where a reactor's system calls go: the native addon over the real OS, or the emscripten-built
// shim over a simulated kernel. Nothing above this file knows which.
import { nativeBinding, nativeOpenRefused, type NativeShim } from './native.js';
import { ReactorError } from './errors.js';
import { MECHANISM, MECHANISM_NAMES } from './seam.js';
import { SimKernel, E } from './sim/kernel.js';
import type { FaultReport } from './sim/faults.js';
import { SimShim, hostDown, type WaitScheduler } from './sim/shim.js';

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

export interface ShimLayout {
  model: number;
  mechanism: number;
  poolSize: number;
  maxSockets: number;
  requestsAt: number;
  requestCapacity: number;
  resultsAt: number;
  resultCapacity: number;
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

export function nativeBackend(): Backend {
  const binding = nativeBinding();
  return {
    os: binding,
    host: 'native',
    now: () => performance.now(),
    faultReport: () => null,
    async createShim(memory, l) {
      const shim = new binding.Shim(memory, l.model, l.mechanism, l.poolSize, l.maxSockets, l.requestsAt, l.resultsAt, l.resultCapacity);
      if (shim.openError !== 0) {
        const refused = nativeOpenRefused(MECHANISM_NAMES[l.mechanism], -shim.openError);
        throw new ReactorError(l.mechanism === MECHANISM.io_uring ? 'EINVAL' : 'ENOMEM', `Reactor.create: the OS refused ${refused}`);
      }
      return shim;
    },
  };
}

/** The simulated kernel's socket helpers; hosts are accepted as given (one simulated host). */
function simOs(kernel: SimKernel): OsCalls {
  // A crashed host's programs are dead: what they still call fails, saying so (close stays
  // allowed, so their clean-up code runs).
  const up = <T>(call: () => T, op: string): T => {
    if (kernel.crashed) throw hostDown(kernel.host, `os.${op}`);
    return call();
  };
  return {
    socketPair: () => up(() => kernel.socketPair(), 'socketPair'),
    listen: (_host, port, backlog) => up(() => kernel.listen(port, backlog), 'listen'),
    connect: (host, port) => up(() => kernel.connect(port, host), 'connect'),
    accept: (fd) => up(() => {
      // As natively: a connection aborted before accept is skipped, the next one taken.
      for (;;) {
        const r = kernel.accept(fd);
        if (r !== -E.ECONNABORTED) return r;
      }
    }, 'accept'),
    send: (fd, data) => up(() => kernel.write(fd, data), 'send'),
    recv: (fd, maxBytes) => up(() => {
      // Sized to what is queued: a recv of 64 KiB for a 20-byte line should not allocate 64 KiB.
      const into = new Uint8Array(Math.min(maxBytes, kernel.queuedBytes(fd)));
      const n = kernel.read(fd, into, 0, into.length);
      return n < 0 ? n : into.slice(0, n);
    }, 'recv'),
    shutdown: (fd) => up(() => kernel.shutdown(fd), 'shutdown'),
    close: (fd) => kernel.close(fd),
    fdKind: (fd) => kernel.fdKind(fd),
  };
}

/** A simulated host's backend; with a scheduler, waitAsync yields to it (see Simulation). */
export function simBackend(kernel: SimKernel, scheduler?: WaitScheduler): Backend {
  return {
    os: simOs(kernel),
    host: kernel.host,
    now: () => kernel.now,
    faultReport: () => kernel.faults.report(),
    createShim: (memory, layout) => SimShim.create(kernel, memory, layout, scheduler),
  };
}
