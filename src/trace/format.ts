// The trace: a lossless, replayable log of what one or more reactors did, with their clock's time.
// It is the source of truth for replay, the oracle, the Perfetto export and the visualizer, so its
// shape is a contract: add fields freely, but a change of meaning bumps TRACE_VERSION.
export const TRACE_FORMAT = 'io-reactor-trace';
export const TRACE_VERSION = 1;

/** One reactor in the trace; records name it by `r`. */
export interface TraceReactor {
  r: number;
  /** The simulated host it ran on ('localhost' for Reactor.create), or 'native'. */
  host: string;
  backend: 'native' | 'sim';
  model: 'readiness' | 'completion';
  mechanism: 'epoll' | 'poll' | 'iocp' | 'io_uring';
  poolSize: number;
  bufferSize: number;
  maxSockets: number;
  /** Reactor.create's writeEvents, when 'failures' (absent: 'all'). */
  writeEvents?: 'failures';
}

/** What the app asked of the reactor; `error` is the ReactorError code when it was refused. */
export interface CallRecord {
  k: 'call';
  t: number;
  r: number;
  /** 'close': reactor.os.close of a registered fd (a remove, then the shim lets go of it). */
  op: 'add' | 'modify' | 'remove' | 'postRead' | 'postWrite' | 'wait' | 'wakeup' | 'destroy' | 'close';
  fd?: number;
  /** add: the fd's kind as the OS reported it (KIND_*, or -errno), so a replay sees the same. */
  kind?: number;
  /** add/modify: the event mask. */
  events?: number;
  /** add: the context's name for the fd's lane (its name, label, toString(), class, or the add's file:line). */
  label?: string;
  /** postWrite: the bytes (base64), so a replay writes the same. */
  data?: string;
  /** wait: timeout (null: forever) and maxEvents. */
  timeoutMs?: number | null;
  maxEvents?: number;
  /** wait: true for waitAsync. */
  async?: boolean;
  error?: string;
}

/** A request the core handed the shim (native/common/seam.h seam_request; `kind` is REQ_*). */
export interface RequestRecord {
  k: 'request';
  t: number;
  r: number;
  kind: number;
  fd: number;
  /** Context id for I/O, slot for add/modify/remove. */
  target: number;
  len: number;
  mask: number;
  /** The reactor's shim cycle (0, 1, …) that carried it: a replay hands each cycle its results. */
  cycle?: number;
}

/** A raw OS result the shim wrote (seam_result; `kind` is RES_*), before translation. */
export interface ResultRecord {
  k: 'result';
  t: number;
  r: number;
  kind: number;
  fd: number;
  target: number;
  /** Raw revents, or bytes transferred. */
  value: number;
  osCode: number;
  accepted: number;
  /** The registration generation (seam_result.gen): the core drops results for a stale one. */
  gen?: number;
  /** The shim cycle that returned it (see RequestRecord.cycle). */
  cycle?: number;
  /** A recv result: the provided buffer the shim filled (seam_result.buffer), -1 for none. */
  buffer?: number;
  /** A recv result: the bytes that landed in that buffer (base64), for replay. */
  data?: string;
}

/** An event the app received; `ctx` is the context id (-1 for readiness). */
export interface EventRecord {
  k: 'event';
  t: number;
  r: number;
  fd: number;
  slot: number;
  ctx: number;
  type: number;
  bytes: number;
  /** Portable error code name, or null. */
  code: string | null;
  osCode: number;
  acceptedFd?: number;
}

/**
 * The name of fd's context changed since its add (a chat user who said who they are): written
 * before the next wait, for the fds whose events the app handled in the last one.
 */
export interface LabelRecord {
  k: 'label';
  t: number;
  r: number;
  fd: number;
  label: string;
}

/** A fault the simulation injected. */
export interface FaultRecord {
  k: 'fault';
  t: number;
  /** The reactor whose call it struck (its wait, its flush), or -1: elsewhere on the network. */
  r: number;
  fault: string;
  fd?: number;
  detail?: string;
}

/** What a segment carries: bytes, or a connection's handshake, end of stream or reset. */
export type WireKind = 'syn' | 'data' | 'fin' | 'rst';

/** Bytes of a segment's payload its record keeps: enough to read a message, not the whole stream. */
export const SEGMENT_DATA_BYTES = 256;

/**
 * A segment the simulated network carried, recorded when it was sent: bytes, or a connection's
 * SYN, FIN or RST; natively, what a send of a loopback connection whose both ends the trace holds
 * put on the wire (src/trace/loopback.ts). The page draws it as an arrow to each take that got its bytes.
 */
export interface SegmentRecord {
  k: 'segment';
  t: number;
  /** The reactor whose call sent it (its wait, in completion), or -1 (an app's os.send). */
  r: number;
  /** The sending end: its host and fd there. */
  host: string;
  fd: number;
  /** The receiving end, by its number on the network (TakeRecord.conn). */
  conn: number;
  /** Bytes sent in this direction before it. */
  seq: number;
  bytes: number;
  flag: WireKind;
  /** When it reaches the peer's kernel (t plus the latency, or later when held); natively t, as it is not seen. */
  at: number;
  /** Its first bytes (base64, at most SEGMENT_DATA_BYTES): what it said. */
  data?: string;
  /** Faults that struck it: reset (it resets both ends), stall, halfClose (a FIN rides on it), partition (held until healed). */
  faults?: string[];
}

/** A receiving end took something off the wire: bytes read, a connection accepted, a FIN or RST seen. */
export interface TakeRecord {
  k: 'take';
  t: number;
  r: number;
  host: string;
  /** The fd it was taken on (for an accept: the new connection's). */
  fd: number;
  conn: number;
  /** Bytes taken on this end before it. */
  seq: number;
  bytes: number;
  flag: WireKind;
}

/** Sampled after each wait. */
export interface CounterRecord {
  k: 'counters';
  t: number;
  r: number;
  poolInUse: number;
  poolSize: number;
  readyQueued: number;
  /** Bytes posted for writing and not yet completed. */
  bytesInFlight: number;
}

export type TraceRecord =
  | CallRecord
  | RequestRecord
  | ResultRecord
  | EventRecord
  | LabelRecord
  | FaultRecord
  | SegmentRecord
  | TakeRecord
  | CounterRecord;

export interface Trace {
  format: typeof TRACE_FORMAT;
  version: typeof TRACE_VERSION;
  /** The simulation's seed, or null for a native recording. */
  seed: number | null;
  reactors: TraceReactor[];
  /** In the order they happened; `t` never decreases. */
  records: TraceRecord[];
  /** Records a full recorder's ring dropped, oldest first (TraceRecorder); absent when none. */
  dropped?: number;
  /** A simulated run that failed (`io-reactor sim --trace`): why, and the record it had reached. */
  failure?: { message: string; at: number };
}

/**
 * Where a reactor writes its trace: `Reactor.create({ trace: sink })` and, in simulation,
 * `new Simulation({ trace: sink })`. A sink may collect (TraceRecorder, src/trace/recorder.ts)
 * or stream (the visualizer's live feed). `reactor()` is called once per reactor, when its
 * creation is called (so in call order; a creation that then fails leaves a reactor with no
 * records), and returns its `r`; `record()` is called for every record in order.
 */
export interface TraceSink {
  reactor(info: Omit<TraceReactor, 'r'>): number;
  record(record: TraceRecord): void;
}
