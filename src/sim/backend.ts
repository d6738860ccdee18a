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
  // allowed, so their clean-up code runs). Checked in each call, not by a closure made per call:
  // a 1000-host seed makes tens of thousands of these calls.
  const up = (op: string): void => {
    if (kernel.crashed) throw hostDown(kernel.host, `os.${op}`);
  };
  return {
    socketPair: () => {
      up('socketPair');
      return kernel.socketPair();
    },
    listen: (host, port, backlog) => {
      up('listen');
      return kernel.listen(port, backlog, host);
    },
    connect: (host, port) => {
      up('connect');
      return kernel.connect(port, host);
    },
    accept: (fd) => {
      up('accept');
      // As natively: a connection aborted before accept is skipped, the next one taken.
      for (;;) {
        const r = kernel.accept(fd);
        if (r !== -E.ECONNABORTED) return r;
      }
    },
    send: (fd, data) => {
      up('send');
      return kernel.write(fd, data);
    },
    sendPrefix: (fd, data, length) => {
      up('send');
      return kernel.write(fd, data, 0, length);
    },
    recv: (fd, maxBytes) => {
      up('recv');
      // Sized to what is queued: a recv of 64 KiB for a 20-byte line should not allocate 64 KiB.
      const into = new Uint8Array(Math.min(maxBytes, kernel.queuedBytes(fd)));
      const n = kernel.read(fd, into, 0, into.length);
      return n < 0 ? n : n === into.length ? into : into.slice(0, n);
    },
    shutdown: (fd) => {
      up('shutdown');
      return kernel.shutdown(fd);
    },
    close: (fd) => kernel.close(fd),
    fdKind: (fd) => kernel.fdKind(fd),
    getsockname: (fd) => {
      up('getsockname');
      return kernel.sockName(fd);
    },
    getpeername: (fd) => {
      up('getpeername');
      return kernel.peerName(fd);
    },
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
