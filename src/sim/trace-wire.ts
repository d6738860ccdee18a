// Writes what a simulated network carried into a trace: each segment sent and each take of a
// receiving end, so the page can draw the flow between hosts (send → receive arrows).
import type { SimNetwork } from './network.js';
import type { TraceSink } from '../trace/format.js';
import { writerFor } from '../trace/writer.js';
import { encodeBase64 } from '../trace/base64.js';

/** Bytes of a segment's payload its record keeps: enough to read a message, not the whole stream. */
export const SEGMENT_DATA_BYTES = 256;

export function recordWire(network: SimNetwork<unknown>, sink: TraceSink): void {
  const writer = writerFor(sink);
  network.tapWire((note) => {
    const t = network.now;
    const r = writer.caller;
    if (note.what === 'take') {
      writer.emit({ k: 'take', t, r, host: note.host, fd: note.fd, conn: note.conn, seq: note.seq, bytes: note.bytes, flag: note.flag });
      return;
    }
    const { host, fd, conn, seq, bytes, flag, at, faults, payload } = note;
    writer.emit({
      k: 'segment', t, r, host, fd, conn, seq, bytes, flag, at,
      ...(faults.length > 0 ? { faults } : {}),
      ...(payload && payload.length > 0 ? { data: encodeBase64(payload.subarray(0, SEGMENT_DATA_BYTES)) } : {}),
    });
  });
}
