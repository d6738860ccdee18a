// Reads a trace file's text, or says clearly why it is not one: used by `io-reactor viz` before
// serving a file and by the page for a file opened in it.
import type { Trace } from '../trace/format.js';
import { traceProblem } from '../trace/check.js';

const HOW_TO_RECORD =
  "record one with io-reactor's TraceRecorder (Reactor.create({ trace: recorder })) and save JSON.stringify(recorder.toJSON())";

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
    throw new TraceFileError(
      source,
      'this is a Chrome trace (Trace Event Format)',
      'open it in ui.perfetto.dev or chrome://tracing; io-reactor viz shows the JSON of recorder.toJSON()',
    );
  }
  const problem = traceProblem(value);
  if (problem !== null) throw new TraceFileError(source, problem);
  return value as Trace;
}
