// Writes the faults a simulated network injects into a trace: a fault struck during a reactor's
// call (its wait, its flush) is that reactor's; one struck elsewhere (an os.send, the scheduler's
// probe of parked waits) is the network's (-1).
import type { Faults } from './faults.js';
import type { TraceSink } from '../trace/format.js';
import { writerFor } from '../trace/writer.js';

export function recordFaults(network: { readonly now: number; readonly faults: Faults }, sink: TraceSink): void {
  const writer = writerFor(sink);
  network.faults.observe(({ kind, occasion }) =>
    writer.emit({ k: 'fault', t: network.now, r: writer.caller, fault: kind, detail: `occasion ${occasion}` }),
  );
}
