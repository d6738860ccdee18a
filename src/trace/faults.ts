// Writes the faults a simulated network injects into a trace, as FaultRecords of the network.
import type { Faults } from '../sim/faults.js';
import type { TraceSink } from './format.js';
import { writerFor } from './writer.js';

export function recordFaults(network: { readonly now: number; readonly faults: Faults }, sink: TraceSink): void {
  const writer = writerFor(sink);
  network.faults.observe(({ kind, occasion }) => writer.emit({ k: 'fault', t: network.now, r: -1, fault: kind, detail: `occasion ${occasion}` }));
}
