// The wire tap: how a simulated kernel tells a trace (trace-wire.ts) each segment it put on the
// network and each take of a receiving end. Numbers and the kernel's own objects only, so a
// network with no tap pays one null check per segment or take and builds nothing.
import type { Stream } from './stream.js';

/** What a segment carries (the low bits: WIRE_KIND_BITS), and the faults that struck it (the bits above). */
export const SEGMENT = { syn: 0, data: 1, fin: 2, rst: 3, reset: 4, stall: 8, halfClose: 16, partition: 32 } as const;
export const WIRE_KIND_BITS = 3;

export interface WireTap {
  /** `from` sent a segment to its peer, arriving at virtual ms `at`; `data`: a data segment's bytes. */
  segment(from: Stream, segment: number, data: Uint8Array | null, at: number): void;
  /** `end` took `bytes` off the wire (SEGMENT.data), or its SYN (an accept), FIN or RST. */
  take(end: Stream, kind: number, bytes: number): void;
}
