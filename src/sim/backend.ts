// A simulated host's backend: the emscripten-built shim and the socket helpers over its simulated
// kernel. The API reaches it only through src/sim-door.ts, by import(), when a reactor asks for it.
import type { Backend, OsCalls } from '../backend.js';
import type { ResolvedOptions } from '../options.js';
import { SimKernel, E } from './kernel.js';
import type { Listener } from './stream.js';
import { SimNetwork } from './network.js';
import { SimShim, hostDown, type WaitScheduler } from './shim.js';
import { recordFaults } from './trace-faults.js';
import { recordWire } from './trace-wire.js';
import { LONE_SIM_HOST } from '../sim-door.js';
import { takeCore, releaseCore } from './core-pool.js';

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
    listen: (host, port, backlog) => up(() => kernel.listen(port, backlog, host), 'listen'),
    connect: (host, port) => up(() => kernel.connect(port, host), 'connect'),
    accept: (fd) =>
      up(() => {
        // As natively: a connection aborted before accept is skipped, the next one taken.
        for (;;) {
          const r = kernel.accept(fd);
          if (r !== -E.ECONNABORTED) return r;
        }
      }, 'accept'),
    send: (fd, data) => up(() => kernel.write(fd, data), 'send'),
    recv: (fd, maxBytes) =>
      up(() => {
        // Sized to what is queued: a recv of 64 KiB for a 20-byte line should not allocate 64 KiB.
        const into = new Uint8Array(Math.min(maxBytes, kernel.queuedBytes(fd)));
        const n = kernel.read(fd, into, 0, into.length);
        return n < 0 ? n : n === into.length ? into : into.slice(0, n);
      }, 'recv'),
    shutdown: (fd) => up(() => kernel.shutdown(fd), 'shutdown'),
    close: (fd) => kernel.close(fd),
    fdKind: (fd) => kernel.fdKind(fd),
    getsockname: (fd) => up(() => kernel.sockName(fd), 'getsockname'),
    getpeername: (fd) => up(() => kernel.peerName(fd), 'getpeername'),
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
    takeCore,
    releaseCore,
  };
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
