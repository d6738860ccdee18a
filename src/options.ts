// Reactor.create options: defaults and checks.
import { ReactorError } from './errors.js';
import { checkIntegerIn, checkOptions, show } from './validate.js';
import * as limits from './limits.js';
import { nativeDefaults, nativeModelRefusal, nativeMechanismRefusal } from './native.js';
import type { FaultRates } from './faults.js';
import type { TraceSink } from './trace/format.js';
import type { Model, Mechanism, BackendName } from './model.js';

export interface ReactorOptions {
  /** 'readiness' (default): wait reports ready fds. 'completion': wait reports finished posted I/O. */
  model?: Model;
  /** Linux: 'epoll' (readiness's default), 'poll', or 'io_uring' (completion only; its default where the kernel allows it, else epoll). backend 'sim' also: 'iocp' (Windows, completion model only). */
  mechanism?: Mechanism;
  /** Contexts in the pool (each an in-flight operation with its own buffer). */
  poolSize?: number;
  /** Bytes of each context's inline buffer. */
  bufferSize?: number;
  /** Registered fds at most: sizes the registration table (an idle fd holds no buffer). */
  maxSockets?: number;
  /** Completion: bytes of postWrite data queued while every context is busy; past it, ENOBUFS. */
  maxQueuedWriteBytes?: number;
  /** Completion: 'all' (default) reports every write with one WRITE event; 'failures' only writes that fail. */
  writeEvents?: WriteEvents;
  /** 'native' (default): the real OS. 'sim': a simulated kernel in virtual time. */
  backend?: BackendName;
  /** backend 'sim': the seed every random choice of the simulation derives from. */
  seed?: number;
  /** backend 'sim': one-way TCP delay in virtual ms, [min, max], drawn per segment. */
  latencyMs?: [number, number];
  /** backend 'sim': faults to inject, each a probability per occasion. */
  faults?: FaultRates;
  /** Records every call, request, raw result, event and counter into this sink (a TraceRecorder). */
  trace?: TraceSink;
}

export interface ResolvedOptions {
  backend: BackendName;
  seed: number;
  latencyMs: [number, number];
  faults: FaultRates;
  model: Model;
  mechanism: Mechanism;
  poolSize: number;
  bufferSize: number;
  maxSockets: number;
  maxQueuedWriteBytes: number;
  writeEvents: WriteEvents;
  trace: TraceSink | null;
}

/** Which finished writes the completion model reports: every one, or only those that fail. */
export type WriteEvents = 'all' | 'failures';

const MODELS: readonly Model[] = ['readiness', 'completion'];
const MECHANISMS: readonly Mechanism[] = ['epoll', 'poll', 'iocp', 'io_uring'];
const KNOWN = [
  'model',
  'mechanism',
  'poolSize',
  'bufferSize',
  'maxSockets',
  'maxQueuedWriteBytes',
  'writeEvents',
  'backend',
  'seed',
  'latencyMs',
  'faults',
  'trace',
];
const SIM_ONLY = ['seed', 'latencyMs', 'faults'];
const SIM_DEFAULTS = { model: 'readiness', mechanism: 'epoll' } as const;

export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === undefined) options = {};
  checkOptions(options, null, 'Reactor.create');
  if ('windowsFlavor' in (options as object)) {
    // Only another reactor on the same simulated host can close an fd under a pending read.
    throw new ReactorError(
      'EINVAL',
      `Reactor.create: windowsFlavor is an option of new Simulation({ windowsFlavor }) (io-reactor/sim), where reactors share a host; a lone reactor's os.close removes the fd first, so the flavor would never show`,
    );
  }
  checkOptions(options, KNOWN, 'Reactor.create');
  const o = options as ReactorOptions;
  // The native shim's OS decides what runs natively (native.ts); the simulation runs everything.
  const native = (o.backend ?? 'native') === 'native';
  const modelRefused = native ? nativeModelRefusal(o.model) : null;
  if (modelRefused) throw new ReactorError('EINVAL', `Reactor.create: ${modelRefused}`);
  const defaults = native ? nativeDefaults(o.model) : SIM_DEFAULTS;
  const model = o.model ?? defaults.model;
  if (!MODELS.includes(model)) {
    throw new ReactorError('EINVAL', `Reactor.create: model must be 'readiness' or 'completion', got ${show(model)}`);
  }
  const mechanism = o.mechanism ?? defaults.mechanism;
  if (!MECHANISMS.includes(mechanism)) {
    throw new ReactorError('EINVAL', `Reactor.create: mechanism must be 'epoll', 'poll', 'iocp' or 'io_uring', got ${show(mechanism)}`);
  }
  const op = 'Reactor.create';
  const backend = o.backend ?? 'native';
  if (backend !== 'native' && backend !== 'sim') {
    throw new ReactorError('EINVAL', `Reactor.create: backend must be 'native' or 'sim', got ${show(backend)}`);
  }
  if ((mechanism === 'iocp' || mechanism === 'io_uring') && model !== 'completion') {
    throw new ReactorError(
      'EINVAL',
      `Reactor.create: mechanism '${mechanism}' has only the completion model; use model: 'completion', or mechanism 'epoll' or 'poll' for readiness`,
    );
  }
  const mechanismRefused = backend === 'native' ? nativeMechanismRefusal(mechanism) : null;
  if (mechanismRefused) throw new ReactorError('EINVAL', `Reactor.create: ${mechanismRefused}`);
  const simOnly = SIM_ONLY.filter((k) => k in o);
  if (backend !== 'sim' && simOnly.length > 0) {
    throw new ReactorError('EINVAL', `Reactor.create: ${simOnly.join(', ')} only apply to backend: 'sim'`);
  }
  const seed = checkIntegerIn(o.seed ?? 0, 0, 0xffffffff, 'seed', op);
  const latencyMs = o.latencyMs ?? [0, 0];
  if (
    !Array.isArray(latencyMs) ||
    latencyMs.length !== 2 ||
    !latencyMs.every((v) => typeof v === 'number' && v >= 0 && Number.isFinite(v)) ||
    latencyMs[0] > latencyMs[1]
  ) {
    throw new ReactorError(
      'EINVAL',
      `Reactor.create: latencyMs must be [min, max] virtual milliseconds with 0 <= min <= max, got ${show(latencyMs)}`,
    );
  }
  const writeEvents = o.writeEvents ?? 'all';
  if (writeEvents !== 'all' && writeEvents !== 'failures') {
    throw new ReactorError(
      'EINVAL',
      `Reactor.create: writeEvents must be 'all' (a WRITE event per write) or 'failures' (only writes that fail report), got ${show(writeEvents)}`,
    );
  }
  if (writeEvents === 'failures' && model !== 'completion') {
    throw new ReactorError(
      'EINVAL',
      `Reactor.create: writeEvents 'failures' only applies to model 'completion' (readiness has no posted writes); leave it out, or use model: 'completion'`,
    );
  }
  const trace = o.trace ?? null;
  if (trace !== null && (typeof trace !== 'object' || typeof trace.reactor !== 'function' || typeof trace.record !== 'function')) {
    throw new ReactorError(
      'EINVAL',
      `Reactor.create: trace must be a TraceSink (an object with reactor() and record()), such as new TraceRecorder(); got ${String(trace)}`,
    );
  }
  return {
    backend,
    seed,
    latencyMs: [latencyMs[0], latencyMs[1]],
    faults: o.faults === undefined ? {} : o.faults,
    model,
    mechanism,
    poolSize: checkIntegerIn(o.poolSize ?? limits.DEFAULT_POOL_SIZE, 1, limits.MAX_POOL_SIZE, 'poolSize', op),
    bufferSize: checkIntegerIn(
      o.bufferSize ?? limits.DEFAULT_BUFFER_SIZE,
      limits.MIN_BUFFER_SIZE,
      limits.MAX_BUFFER_SIZE,
      'bufferSize',
      op,
    ),
    maxSockets: checkIntegerIn(o.maxSockets ?? limits.DEFAULT_MAX_SOCKETS, 1, limits.MAX_SOCKETS_LIMIT, 'maxSockets', op),
    maxQueuedWriteBytes: checkIntegerIn(
      o.maxQueuedWriteBytes ?? limits.DEFAULT_MAX_QUEUED_WRITE_BYTES,
      0,
      limits.MAX_QUEUED_WRITE_BYTES_LIMIT,
      'maxQueuedWriteBytes',
      op,
    ),
    writeEvents,
    trace,
  };
}
