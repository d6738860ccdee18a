// Whether a value is a trace this version reads: every reader (replay, the exports, the
// visualizer) checks before it walks the records, so bad input is refused, not half-read.
import { ReactorError } from '../errors.js';
import { show } from '../validate.js';
import { TRACE_FORMAT, TRACE_VERSION, type Trace, type TraceRecord } from './format.js';
import { traceHash as hashOf } from './hash.js';

const RECORD_KINDS: ReadonlySet<string> = new Set<TraceRecord['k']>([
  'call',
  'request',
  'result',
  'event',
  'fault',
  'label',
  'segment',
  'take',
  'counters',
]);

/**
 * What keeps `value` from being a Trace of this version, or null when it is one: checked by every
 * reader (replay, the exports, the visualizer) before it walks the records.
 */
export function traceProblem(value: unknown): string | null {
  const trace = value as Partial<Trace> | null;
  if (typeof trace !== 'object' || trace === null || Array.isArray(trace)) return 'it is not a JSON object';
  if (trace.format !== TRACE_FORMAT) return `its "format" is ${show(trace.format)}, not "${TRACE_FORMAT}"`;
  if (trace.version !== TRACE_VERSION) return `it is version ${show(trace.version)}; this io-reactor reads version ${TRACE_VERSION}`;
  if (!Array.isArray(trace.reactors)) return '"reactors" is not an array';
  if (!Array.isArray(trace.records)) return '"records" is not an array';
  let t = -Infinity;
  for (let i = 0; i < trace.records.length; i++) {
    const record = trace.records[i] as Partial<TraceRecord> | null;
    if (typeof record !== 'object' || record === null || !RECORD_KINDS.has(record.k as string)) {
      return `record ${i} has no known kind "k" (${[...RECORD_KINDS].join(', ')})`;
    }
    if (typeof record.t !== 'number' || !(record.t >= t)) return `record ${i} has a time "t" that is missing or goes backwards`;
    t = record.t;
  }
  return null;
}

/** Refuses what is not a Trace with EINVAL, naming the function `op` it was given to. */
export function checkTraceOf(trace: unknown, op: string): asserts trace is Trace {
  const problem = traceProblem(trace);
  if (problem !== null)
    throw new ReactorError(
      'EINVAL',
      `${op}: not an ${TRACE_FORMAT} version ${TRACE_VERSION} trace (${problem}); pass what TraceRecorder.toJSON() returned`,
    );
}

/** traceHash as the package exports it: what is not a trace is refused before it is hashed. */
export function traceHash(trace: Trace): string {
  checkTraceOf(trace, 'traceHash');
  return hashOf(trace);
}
