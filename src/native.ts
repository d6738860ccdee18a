// Loads the native shim: a local build when there is one (the source tree, or an install that
// built from source): build/native/Release/io_reactor.node (cmake-js) on Linux,
// build/win/io_reactor.node (mingw-w64, scripts/build-windows.mjs) on Windows; with
// IO_REACTOR_DEBUG=1 (every test run) io_reactor_debug.node beside it, its assertions on.
// Otherwise the package's prebuilt addon for this platform, prebuilds/<platform>-<arch>/, found by
// node-gyp-build.
import { createRequire } from 'node:module';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { constants as osConstants } from 'node:os';
import type { Backend, NativeShim, OsCalls } from './backend.js';
import type { Model, Mechanism } from './model.js';
import { ReactorError } from './errors.js';
import { MECHANISM } from './seam.js';
import { MAX_RECV_BYTES } from './limits.js';

export interface NativeBinding extends Omit<OsCalls, 'recv'> {
  /** Lends the bytes recvStaged fills and sendStaged sends from, and the frame (stagedFrame.ints
   * int32s) their arguments and result cross in (once per JS environment). */
  lendStaging(bytes: ArrayBuffer, frame: ArrayBuffer): void;
  /** Sends the staging bytes' first frame[bytes] to frame[fd]; frame[result]: bytes taken, or -errno. */
  sendStaged(): void;
  /** Receives up to frame[bytes] from frame[fd] into the staging bytes; frame[result]: bytes received
   * (0: end of stream), or -errno. */
  recvStaged(): void;
  readonly stagedFrame: { fd: number; bytes: number; result: number; ints: number };
  Shim: new (
    memory: ArrayBuffer,
    model: number,
    mechanism: number,
    poolSize: number,
    maxSockets: number,
    requestsAt: number,
    resultsAt: number,
    resultCapacity: number,
    providedAt: number,
  ) => NativeShim & { readonly openError: number };
  wakeByToken(token: number): number;
}

let binding: NativeBinding | undefined;
let socketCalls: OsCalls | undefined;

// The one place above native/ that knows the OS: Windows has IOCP, so the completion model only.
const onWindows = (): boolean => process.platform === 'win32';

/**
 * backend 'native': the model Reactor.create takes when none is given, and the mechanism for
 * `model` (or that default). On Linux both models take epoll: on a quiet machine (npm run bench,
 * 64 B echo) the completion model costs 8.7/11.3 µs of server CPU per round trip over epoll
 * against 11.3/15.5 over io_uring at 100/1000 connections, whose reads still take a recv each.
 */
export function nativeDefaults(_model?: Model): { model: Model; mechanism: Mechanism } {
  if (onWindows()) return { model: 'completion', mechanism: 'iocp' };
  return { model: 'readiness', mechanism: 'epoll' };
}

/** backend 'native': why the native shim here cannot run `model`, or null. */
export function nativeModelRefusal(model: Model | undefined): string | null {
  return onWindows() && model === 'readiness'
    ? `the readiness model does not run natively on Windows (IOCP reports completions); use model: 'completion', or backend: 'sim' for readiness in simulation`
    : null;
}

/** backend 'native': why the native shim here cannot run `mechanism`, or null. */
export function nativeMechanismRefusal(mechanism: Mechanism): string | null {
  if (onWindows()) {
    return mechanism === 'iocp'
      ? null
      : `mechanism ${JSON.stringify(mechanism)} is Linux's; on Windows use 'iocp' (the default), or backend: 'sim' to run it in simulation`;
  }
  return mechanism === 'iocp'
    ? `mechanism 'iocp' runs natively only on Windows; here use 'epoll', 'poll' or 'io_uring', or backend: 'sim' to run IOCP semantics in simulation`
    : null;
}

/** What the OS refused when the native shim for `mechanism` could not open with -`errno`. */
export function nativeOpenRefused(mechanism: Mechanism, errno: number): string {
  if (onWindows()) return 'a completion port; check the process handle quota and memory';
  const name = Object.entries(osConstants.errno).find(([, n]) => n === errno)?.[0] ?? `errno ${errno}`;
  if (mechanism === 'io_uring' && name !== 'EMFILE' && name !== 'ENFILE' && name !== 'ENOMEM') {
    return (
      `io_uring (${name}): the kernel lacks it (Linux 5.19 or later is needed) or refuses it ` +
      `(/proc/sys/kernel/io_uring_disabled, a seccomp filter such as a container's); use mechanism 'epoll', or leave mechanism unset`
    );
  }
  return `an ${mechanism} instance or eventfd (${name}); check the process fd limit (ulimit -n) and memory`;
}

/** The package's root, from build/js/src/. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function addonPath(): string {
  const debug = process.env.IO_REACTOR_DEBUG === '1';
  const name = debug ? 'io_reactor_debug.node' : 'io_reactor.node';
  const local = fileURLToPath(new URL(onWindows() ? `../../win/${name}` : `../../native/Release/${name}`, import.meta.url));
  if (existsSync(local)) return local;
  if (debug) {
    throw new ReactorError(
      'ENOENT',
      `IO_REACTOR_DEBUG=1 loads the asserting addon, ${name}, which only a build from source makes (npm run build in a checkout); unset IO_REACTOR_DEBUG to load the prebuilt one`,
    );
  }
  const nodeGypBuild = createRequire(import.meta.url)('node-gyp-build') as { path(dir: string): string };
  try {
    return nodeGypBuild.path(PACKAGE_ROOT);
  } catch {
    const prebuilt = existsSync(`${PACKAGE_ROOT}prebuilds`) ? readdirSync(`${PACKAGE_ROOT}prebuilds`).join(', ') : 'none';
    throw new ReactorError(
      'ENOENT',
      `io-reactor has no native addon for ${process.platform}-${process.arch} (prebuilt: ${prebuilt}): build it from source with npm install --save-dev cmake-js node-addon-api node-api-headers && npm rebuild io-reactor (needs cmake and a C/C++ compiler), or use backend: 'sim'`,
    );
  }
}

export function nativeBinding(): NativeBinding {
  binding ??= createRequire(import.meta.url)(addonPath()) as NativeBinding;
  return binding;
}

/**
 * Sends of up to this many bytes are copied into the staging buffer: the addon then needs no look
 * at the caller's Uint8Array, which for one this small lives in V8's heap and would be moved out of
 * it (an allocation) to give the addon its address. Larger ones are sent from where they are.
 */
const STAGED_SEND_MAX_BYTES = 64;

/**
 * The addon's socket helpers, with recv and small sends through one staging buffer lent to the
 * addon once: each call crosses with its numbers in a frame both sides share, and a recv's result
 * is a copy sliced here (small ones land in V8's heap) rather than an ArrayBuffer the addon makes
 * per call.
 */
function nativeSocketCalls(binding: NativeBinding): OsCalls {
  const staging = new Uint8Array(MAX_RECV_BYTES);
  const F = binding.stagedFrame;
  const frame = new Int32Array(F.ints);
  binding.lendStaging(staging.buffer, frame.buffer);
  const { socketPair, listen, connect, accept, shutdown, close, fdKind, getsockname, getpeername, sendStaged, recvStaged, send } = binding;
  return {
    socketPair,
    listen,
    connect,
    accept,
    shutdown,
    close,
    fdKind,
    getsockname,
    getpeername,
    send(fd, data) {
      if (data.length > STAGED_SEND_MAX_BYTES) return send(fd, data);
      staging.set(data);
      frame[F.fd] = fd;
      frame[F.bytes] = data.length;
      sendStaged();
      return frame[F.result];
    },
    recv(fd, maxBytes) {
      frame[F.fd] = fd;
      frame[F.bytes] = maxBytes;
      recvStaged();
      const n = frame[F.result];
      return n < 0 ? n : staging.slice(0, n);
    },
  };
}

/** The backend over the real OS: the addon's shim and socket helpers, in real time. */
export function nativeBackend(): Backend {
  const binding = nativeBinding();
  socketCalls ??= nativeSocketCalls(binding);
  return {
    os: socketCalls,
    host: 'native',
    now: () => performance.now(),
    faultReport: () => null,
    async createShim(memory, l) {
      const shim = new binding.Shim(
        memory,
        l.model,
        l.mechanism,
        l.poolSize,
        l.maxSockets,
        l.requestsAt,
        l.resultsAt,
        l.resultCapacity,
        l.providedAt,
      );
      if (shim.openError !== 0) {
        const mechanism = (Object.keys(MECHANISM) as Mechanism[]).find((name) => MECHANISM[name] === l.mechanism)!;
        const refused = nativeOpenRefused(mechanism, -shim.openError);
        throw new ReactorError(l.mechanism === MECHANISM.io_uring ? 'EINVAL' : 'ENOMEM', `Reactor.create: the OS refused ${refused}`);
      }
      return shim;
    },
  };
}
