// A span of the timeline: what the model builds and the colors paint, so both import it from here.
/** A span on a lane, between two records: an operation in flight, or a wait. */
export interface Span {
  lane: number;
  start: number;
  /** Record index where it ended; -1 while it is still open. */
  end: number;
  what: 'recv' | 'send' | 'accept' | 'wait';
}
