// Writes what a simulated network carried into a trace: each segment sent and each take of a
// receiving end, so the page can draw the flow between hosts (send → receive arrows). Stream ends
// are numbered here, in the order the trace first meets them, and each direction counts its bytes,
// so the page joins a segment to the take that got its first byte.
import type { SimNetwork } from './network.js';
import type { Stream } from './stream.js';
import { SEGMENT, WIRE_KIND_BITS, type WireTap } from './wire.js';
import { SEGMENT_DATA_BYTES, type SegmentRecord, type TraceSink, type WireKind } from '../trace/format.js';
import { writerFor } from '../trace/writer.js';
import { encodeBase64 } from '../trace/base64.js';

const KINDS: WireKind[] = ['syn', 'data', 'fin', 'rst'];
const FAULT_BITS = [
  ['reset', SEGMENT.reset],
  ['stall', SEGMENT.stall],
  ['halfClose', SEGMENT.halfClose],
  ['partition', SEGMENT.partition],
] as const;

/** A stream end as the trace knows it: its number, and the bytes it sent and took before now. */
interface End {
  conn: number;
  sent: number;
  taken: number;
}

export function recordWire(network: SimNetwork<unknown>, sink: TraceSink): void {
  const writer = writerFor(sink);
  const ends = new WeakMap<Stream, End>();
  let conns = 0;
  const end = (s: Stream): End => {
    let known = ends.get(s);
    if (!known) {
      known = { conn: conns++, sent: 0, taken: 0 };
      ends.set(s, known);
    }
    return known;
  };
  const tap: WireTap = {
    segment(from, segment, data, at) {
      const sender = end(from);
      const bytes = data?.length ?? 0;
      const record: SegmentRecord = {
        k: 'segment',
        t: network.now,
        r: writer.caller,
        host: from.host,
        fd: from.fd,
        conn: end(from.peer!).conn,
        seq: sender.sent,
        bytes,
        flag: KINDS[segment & WIRE_KIND_BITS],
        at,
      };
      const faults = FAULT_BITS.filter(([, bit]) => (segment & bit) !== 0).map(([name]) => name);
      if (faults.length > 0) record.faults = faults;
      if (data && bytes > 0) record.data = encodeBase64(data.subarray(0, SEGMENT_DATA_BYTES));
      sender.sent += bytes;
      writer.emit(record);
    },
    take(s, kind, bytes) {
      if (!s.peer) return; // stdin: typed at the console, not carried by the network
      const taker = end(s);
      writer.emit({
        k: 'take',
        t: network.now,
        r: writer.caller,
        host: s.host,
        fd: s.fd,
        conn: taker.conn,
        seq: taker.taken,
        bytes,
        flag: KINDS[kind],
      });
      taker.taken += bytes;
    },
  };
  network.wiretap = tap;
}
