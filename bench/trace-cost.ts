// The cost of tracing: native wait cycles per second on one socket pair, without a trace sink,
// with a sink that drops every record (the tap's own cost), and with a TraceRecorder (the tap plus
// keeping the records). Variants take turns, several rounds, and the median of each is reported.
//
//   readiness:  one fd holds unread bytes, so every wait(0) returns one READ event (level-triggered).
//   completion: each cycle sends 64 bytes to the fd, waits until the READ completion arrives (with
//               its data copied into the trace as base64), and posts the next read.
import { performance } from 'node:perf_hooks';
import { Reactor, EventType, TraceRecorder, type TraceSink } from '../src/index.js';
import { median } from './stats.js';

export type TraceVariant = 'off' | 'null sink' | 'recorder';

export interface TraceCostRow {
  model: 'readiness' | 'completion';
  variant: TraceVariant;
  /** Median over the rounds. */
  waitsPerSecond: number;
}

const PAYLOAD = new Uint8Array(64).fill(0x61);
const NULL_SINK: TraceSink = { reactor: () => 0, record: () => {} };

async function measure(model: 'readiness' | 'completion', variant: TraceVariant, seconds: number): Promise<number> {
  const trace = variant === 'off' ? undefined : variant === 'null sink' ? NULL_SINK : new TraceRecorder();
  const r = await Reactor.create({ model, trace });
  const [a, b] = r.os.socketPair();
  try {
    r.add(a, 'a', EventType.READ);
    if (model === 'readiness') r.os.send(b, PAYLOAD);
    const cycle =
      model === 'readiness'
        ? () => 1 + 0 * r.wait(0).length
        : () => {
            r.os.send(b, PAYLOAD);
            let waits = 0;
            for (let got = 0; got === 0; waits++) {
              for (const e of r.wait(0))
                if (e.type & EventType.READ) {
                  got++;
                  r.postRead(a);
                }
            }
            return waits;
          };
    for (const end = performance.now() + seconds * 200; performance.now() < end; ) cycle(); // warm-up: a fifth
    let waits = 0;
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    while (performance.now() < end) for (let i = 0; i < 64; i++) waits += cycle();
    return waits / ((performance.now() - t0) / 1000);
  } finally {
    r.destroy();
    r.os.close(a);
    r.os.close(b);
  }
}

export async function traceCost(seconds: number, rounds: number): Promise<TraceCostRow[]> {
  const rows: TraceCostRow[] = [];
  for (const model of ['readiness', 'completion'] as const) {
    const samples = new Map<TraceVariant, number[]>([
      ['off', []],
      ['null sink', []],
      ['recorder', []],
    ]);
    for (let round = 0; round < rounds; round++) {
      for (const [variant, list] of samples) list.push(await measure(model, variant, seconds));
    }
    for (const [variant, list] of samples) rows.push({ model, variant, waitsPerSecond: median(list) });
  }
  return rows;
}
