// io-reactor: a reactor whose decisions run in WebAssembly over epoll/poll (and, later, IOCP
// and a simulated kernel), in the readiness and completion models.
export { Reactor, wakeup, type ReactorStats } from './reactor.js';
export { ReactorOs, type AddressInfo } from './os.js';
export { EventType, type IoEvent, type EventFlags } from './events.js';
export { ReactorError, type ReactorErrorCode } from './errors.js';
export { PORTABLE_CODES, type PortableCode } from './codes.js';
export type { ReactorOptions, WriteEvents } from './options.js';
export type { Model, Mechanism, BackendName } from './model.js';
export { SimulationDeadlock } from './deadlock.js';
export type { FaultRates, FaultReport } from './faults.js';
export * as limits from './limits.js';
export {
  TraceRecorder,
  DEFAULT_TRACE_CAPACITY,
  MAX_TRACE_CAPACITY,
  DEFAULT_TRACE_BYTES,
  MAX_TRACE_BYTES,
  type TraceRecorderOptions,
  type TraceListener,
} from './trace/recorder.js';
export { traceHash } from './trace/check.js';
export * from './trace/format.js';
export { replay, type ReplayedReactor, type ReplayedEvent } from './trace/replay.js';
export { toChromeTrace, type ChromeTrace, type ChromeEvent } from './trace/chrome.js';
