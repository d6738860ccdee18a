// A TraceSink that streams a running reactor's records to visualizer pages as Server-Sent Events.
// It keeps the latest records so a page opened later sees what led up to now.
import type { ServerResponse } from 'node:http';
import type { TraceReactor, TraceRecord, TraceSink } from '../trace/format.js';

/** Records kept for pages that connect later; older ones are dropped (a week of chat is far more). */
export const LIVE_HISTORY_RECORDS = 100_000;

export class LiveFeed implements TraceSink {
  readonly #reactors: TraceReactor[] = [];
  #history: TraceRecord[] = [];
  readonly #pages = new Set<ServerResponse>();
  #unsent: TraceRecord[] = [];
  #flushing = false;

  reactor(info: Omit<TraceReactor, 'r'>): number {
    const reactor = { r: this.#reactors.length, ...info };
    this.#reactors.push(reactor);
    for (const page of this.#pages) page.write(`event: reactor\ndata: ${JSON.stringify(reactor)}\n\n`);
    return reactor.r;
  }

  record(record: TraceRecord): void {
    this.#history.push(record);
    if (this.#history.length > LIVE_HISTORY_RECORDS * 2) this.#history = this.#history.slice(-LIVE_HISTORY_RECORDS);
    this.#unsent.push(record);
    // Records come in bursts (one wait's worth): send each burst as one message.
    if (!this.#flushing) {
      this.#flushing = true;
      setImmediate(() => this.#flush());
    }
  }

  /** Serves one page: every reactor, the kept records, then each burst as it comes. */
  attach(page: ServerResponse): void {
    page.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    for (const reactor of this.#reactors) page.write(`event: reactor\ndata: ${JSON.stringify(reactor)}\n\n`);
    const kept = this.#history.slice(-LIVE_HISTORY_RECORDS, this.#history.length - this.#unsent.length);
    if (kept.length > 0) page.write(`event: records\ndata: ${JSON.stringify(kept)}\n\n`);
    this.#pages.add(page);
    page.on('close', () => this.#pages.delete(page));
  }

  /** Ends every page's stream (the server is stopping). */
  close(): void {
    for (const page of this.#pages) page.end();
    this.#pages.clear();
  }

  #flush(): void {
    this.#flushing = false;
    const message = `event: records\ndata: ${JSON.stringify(this.#unsent)}\n\n`;
    this.#unsent = [];
    for (const page of this.#pages) page.write(message);
  }
}
