// Where the page's traces come from: a URL (the `io-reactor viz` server's /trace.json), a file the
// user opens, or the live feed of a running reactor (Server-Sent Events from src/viz/live.ts).
import type { Trace, TraceReactor, TraceRecord } from '../../trace/format.js';
import { parseTrace } from '../parse.js';

export async function fetchTrace(url: string): Promise<Trace> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`fetching the trace ${url} failed (${response.status} ${response.statusText})`);
  return parseTrace(await response.text(), url);
}

export async function readTraceFile(file: File): Promise<Trace> {
  return parseTrace(await file.text(), file.name);
}

export interface LiveHandlers {
  reactor(info: TraceReactor): void;
  records(records: TraceRecord[]): void;
  /** The feed's connection state, for the status line. */
  state(connected: boolean): void;
}

/** Follows a live feed; EventSource reconnects by itself, and the server resends all it kept. */
export function followLive(url: string, on: LiveHandlers): EventSource {
  const source = new EventSource(url);
  source.addEventListener('reactor', (e) => on.reactor(JSON.parse((e as MessageEvent<string>).data) as TraceReactor));
  source.addEventListener('records', (e) => on.records(JSON.parse((e as MessageEvent<string>).data) as TraceRecord[]));
  source.onopen = () => on.state(true);
  source.onerror = () => on.state(false);
  return source;
}
