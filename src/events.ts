// Event flags and the event object `wait` returns.
import type { PortableCode } from './codes.js';
import { EVENT } from './seam.js';

/** Neolith's flags, OR-able; ACCEPT is a completed accept (completion model). */
export const EventType = EVENT;
export type EventFlags = number;

export interface IoEvent<C = unknown> {
  fd: number;
  /** The context given to `add` for this fd. */
  context: C;
  /** EventType flags; in readiness one event per fd per wait carries the combined mask. */
  type: EventFlags;
  /** Completion: bytes read or written (the whole write). Readiness: 0. */
  bytesTransferred: number;
  /** Completion READ: the received bytes, valid until the next wait. Otherwise null. */
  buffer: Uint8Array | null;
  /** Completion ACCEPT: the new connection's fd. */
  acceptedFd?: number;
  error?: { code: PortableCode; osCode: number };
}
