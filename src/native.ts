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
import { type Backend, type OsCalls, type PromisingShim, continuing } from './backend.js';
import type { Model, Mechanism } from './model.js';
import { ReactorError } from './errors.js';
import { MECHANISM } from './seam.js';
import { MAX_RECV_BYTES } from './limits.js';

export interface NativeBinding extends Omit<OsCalls, 'send' | 'recv' | 'recvInto' | 'sendPrefix'> {
  /** Lends the frame (stagedFrame.ints int32s) sendLent's and recvLent's arguments and result cross in
   * (once per JS environment). */
  lendFrame(frame: ArrayBuffer): void;
  /** Lends `bytes` as region `region` (below stagedFrame.regions), held until another is lent there. */
  lendBytes(region: number, bytes: ArrayBuffer): void;
  /** Sends frame[bytes] bytes at frame[offset] of region frame[region] to frame[fd]; frame[result]:
   * bytes taken, or -errno. */
  sendLent(): void;
  /** Receives up to frame[bytes] from frame[fd] into region frame[region] at frame[offset];
   * frame[result]: bytes received (0: end of stream), or -errno. */
  recvLent(): void;
  readonly stagedFrame: { fd: number; bytes: number; result: number; region: number; offset: number; ints: number; regions: number };
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
  ) => PromisingShim & { readonly openError: number };
  wakeByToken(token: number): number;
  /** Linux: 0 when the kernel opens an io_uring, else -errno. */
  ioUringRefusal?(): number;
}

let binding: NativeBinding | undefined;
let socketCalls: OsCalls | undefined;

// The one place above native/ that knows the OS: Windows has IOCP, so the completion model only.
const onWindows = (): boolean => process.platform === 'win32';

let ioUringOpens: boolean | undefined;

/**
 * backend 'native': the model Reactor.create takes when none is given, and the mechanism for
 * `model` (or that default). On Linux readiness takes epoll, and completion io_uring where the
 * kernel opens one (probed once), else epoll: io_uring costs less server CPU per round trip than
 * the epoll emulation (npm run bench, 64 B echo: 0.97x/1.00x the C server's at 100/1000
 * connections against 1.05x/1.05x).
 */
export function nativeDefaults(model?: Model): { model: Model; mechanism: Mechanism } {
  if (onWindows()) return { model: 'completion', mechanism: 'iocp' };
  if (model !== 'completion') return { model: 'readiness', mechanism: 'epoll' };
  ioUringOpens ??= nativeBinding().ioUringRefusal?.() === 0;
  return { model: 'completion', mechanism: ioUringOpens ? 'io_uring' : 'epoll' };
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
 * at the caller's Uint8Array, which for one this small may live in V8's heap and would be moved out
 * of it (an allocation) to give the addon its address. Larger ones are sent from where they are.
 */
const STAGED_SEND_MAX_BYTES = 64;

/** What each lent region holds: the staging buffer, and the ArrayBuffers of the app's last
 * recvInto target and last send (one each, so an app receiving into one buffer and sending from
 * another lends each once). */
const REGION = { staging: 0, recvInto: 1, send: 2 } as const;

/** The frame holds int32s: one call moves at most this many bytes (a send takes part, as the kernel may). */
const MAX_CALL_BYTES = 0x7fffffff;

/** A region JS lends the addon: the ArrayBuffer lent, and the last view of it used with its
 * byteOffset (a view's `buffer` is a call into V8's runtime, so a view used again skips it). An
 * object per region, not arrays indexed by region: V8 then loads each field straight from the
 * object, without an array's map and bounds checks per call. */
class LentRegion {
  memory: ArrayBufferLike | null = null;
  view: Uint8Array | null = null;
  offset = 0;
  constructor(readonly id: number) {}
}

/**
 * The addon's socket helpers, with recv, sends and recvInto through byte regions lent to the addon
 * (the staging buffer once; the app's buffers when they change): each call crosses with its numbers
 * in a frame both sides share, so it converts nothing. recv's result is a copy sliced here (small
 * ones land in V8's heap) rather than an ArrayBuffer the addon makes per call.
 */
function nativeSocketCalls(binding: NativeBinding): OsCalls {
  // The frame's slots as plain numbers: a property load per call was visible in the echo's profile.
  const { fd: FD, bytes: BYTES, result: RESULT, region: REGION_AT, offset: OFFSET, ints, regions } = binding.stagedFrame;
  if (regions <= Math.max(...Object.values(REGION)))
    throw new Error('io-reactor addon lends fewer byte regions than src/native.ts uses: rebuild it');
  const staging = new Uint8Array(MAX_RECV_BYTES);
  const frame = new Int32Array(ints);
  binding.lendFrame(frame.buffer);
  binding.lendBytes(REGION.staging, staging.buffer);
  const recvRegion = new LentRegion(REGION.recvInto);
  const sendRegion = new LentRegion(REGION.send);
  const { sendLent, recvLent } = binding;
  /** Points the frame at `bytes` bytes of view's memory, lending its ArrayBuffer as `region` if it is
   * not already; false when it cannot be lent (a SharedArrayBuffer). A view keeps its buffer and
   * offset for life; once detached it has no length, and no bytes are asked of it. */
  function frameView(region: LentRegion, view: Uint8Array, bytes: number): boolean {
    if (view !== region.view) {
      const memory = view.buffer;
      if (memory !== region.memory) {
        if (!(memory instanceof ArrayBuffer)) return false;
        binding.lendBytes(region.id, memory);
        region.memory = memory;
      }
      region.view = view;
      region.offset = view.byteOffset;
    }
    frame[REGION_AT] = region.id;
    frame[OFFSET] = region.offset;
    frame[BYTES] = Math.min(bytes, MAX_CALL_BYTES);
    return true;
  }
  function frameStaging(bytes: number): void {
    frame[REGION_AT] = REGION.staging;
    frame[OFFSET] = 0;
    frame[BYTES] = bytes;
  }
  function sendPrefix(fd: number, data: Uint8Array, length: number): number {
    frame[FD] = fd;
    if (data.length <= STAGED_SEND_MAX_BYTES) {
      staging.set(length === data.length ? data : data.subarray(0, length));
      frameStaging(length);
    } else if (!frameView(sendRegion, data, length)) {
      const n = Math.min(length, staging.length);
      staging.set(data.subarray(0, n));
      frameStaging(n);
    }
    sendLent();
    return frame[RESULT];
  }
  const { socketPair, listen, connect, accept, shutdown, close, fdKind, getsockname, getpeername } = binding;
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
    send: (fd, data) => sendPrefix(fd, data, data.length),
    sendPrefix,
    recv(fd, maxBytes) {
      frame[FD] = fd;
      frameStaging(maxBytes);
      recvLent();
      const n = frame[RESULT];
      return n < 0 ? n : staging.slice(0, n);
    },
    recvInto(fd, buffer) {
      frame[FD] = fd;
      if (frameView(recvRegion, buffer, buffer.length)) {
        recvLent();
        return frame[RESULT];
      }
      frameStaging(Math.min(buffer.length, staging.length));
      recvLent();
      const n = frame[RESULT];
      if (n > 0) buffer.set(staging.subarray(0, n));
      return n;
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
      return continuing(shim);
    },
  };
}
