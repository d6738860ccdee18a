// Reads a trace file's text, or says clearly why it is not one: used by `io-reactor viz` before
// serving a file and by the page for a file opened in it.
import { TRACE_FORMAT, TRACE_VERSION, type Trace } from '../trace/format.js';

const KINDS = new Set(['call', 'request', 'result', 'event', 'fault', 'label', 'segment', 'take', 'counters']);

const HOW_TO_RECORD = "record one with io-reactor's TraceRecorder (Reactor.create({ trace: recorder })) and save JSON.stringify(recorder.toJSON())";

export class TraceFileError extends Error {
  constructor(source: string, problem: string, advice = HOW_TO_RECORD) {
    super(`${source} is not a trace io-reactor can show: ${problem}; ${advice}`);
    this.name = 'TraceFileError';
  }
}

/** The Trace Event Format of Chrome and Perfetto (toChromeTrace writes it): an object with traceEvents, or an array of events. */
function isChromeTrace(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0 && value.every((e) => typeof e === 'object' && e !== null && 'ph' in e);
  return typeof value === 'object' && value !== null && Array.isArray((value as { traceEvents?: unknown }).traceEvents);
}

export function parseTrace(text: string, source: string): Trace {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new TraceFileError(source, `it is not JSON (${(e as Error).message})`);
  }
  if (isChromeTrace(value)) {
    throw new TraceFileError(source, 'this is a Chrome trace (Trace Event Format)', 'open it in ui.perfetto.dev or chrome://tracing; io-reactor viz shows the JSON of recorder.toJSON()');
  }
  const trace = value as Partial<Trace> | null;
  if (typeof trace !== 'object' || trace === null || Array.isArray(trace)) throw new TraceFileError(source, 'it is not a JSON object');
  if (trace.format !== TRACE_FORMAT) throw new TraceFileError(source, `its "format" is ${JSON.stringify(trace.format)}, not "${TRACE_FORMAT}"`);
  if (trace.version !== TRACE_VERSION) {
    throw new TraceFileError(source, `it is version ${JSON.stringify(trace.version)}; this io-reactor reads version ${TRACE_VERSION}`);
  }
  if (!Array.isArray(trace.reactors)) throw new TraceFileError(source, '"reactors" is not an array');
  if (!Array.isArray(trace.records)) throw new TraceFileError(source, '"records" is not an array');
  let t = -Infinity;
  trace.records.forEach((rec, i) => {
    if (typeof rec !== 'object' || rec === null || !KINDS.has(rec.k)) {
      throw new TraceFileError(source, `record ${i} has no known kind "k" (${[...KINDS].join(', ')})`);
    }
    if (typeof rec.t !== 'number' || rec.t < t) throw new TraceFileError(source, `record ${i} has a time "t" that is missing or goes backwards`);
    t = rec.t;
  });
  return trace as Trace;
}
