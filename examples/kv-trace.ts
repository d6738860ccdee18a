// Records one seed of the kv scenario for the visualizer: the run a sweep reported, replayed
// with its fault schedule, written as a trace file.
//   node build/js/examples/kv-trace.js --seed 1 --bug first-chunk-only --schedule partialWrite@14 --out kv.json
//   npx io-reactor viz kv.json
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Simulation, type Injection, type FaultKind } from '../src/sim/index.js';
import { scenarios } from '../src/sim/scenarios/index.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    bug: { type: 'string' },
    schedule: { type: 'string', default: '' },
    out: { type: 'string', default: 'kv.json' },
  },
});
const faultSchedule: Injection[] = values.schedule
  .split(',')
  .filter(Boolean)
  .map((entry) => {
    const [kind, occasion] = entry.split('@');
    return { kind: kind as FaultKind, occasion: Number(occasion) };
  });
const sim = new Simulation({ seed: Number(values.seed), latencyMs: [1, 20], faultSchedule, trace: true });
const outcome = await scenarios.kv.run(sim, { bug: values.bug });
writeFileSync(values.out, JSON.stringify(sim.trace()));
console.log(`${outcome.ok ? 'passed' : `failed: ${outcome.failure}`}; trace in ${values.out}: npx io-reactor viz ${values.out}`);
