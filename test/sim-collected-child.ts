// Run by sim-collected.test.ts in a process of its own, under --expose-gc: a chat run of the
// sweep's kind, on every model and mechanism, then whether its Simulation is still reachable once
// the run's references are dropped. Prints one JSON line.
import { Simulation } from '../src/sim/index.js';
import { scenarios } from '../src/sim/scenarios/index.js';
import { SIM_FLAVORS } from '../src/sim/scenario.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run this under node --expose-gc');
const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** One run, of which only a weak reference leaves this function. */
async function run(
  model: (typeof SIM_FLAVORS)[number]['model'],
  mechanism: (typeof SIM_FLAVORS)[number]['mechanism'],
): Promise<{ ok: boolean; sim: WeakRef<Simulation> }> {
  const sim = new Simulation({ seed: 7, oracle: true });
  const { ok } = await scenarios.chat.run(sim, { size: 4, model, mechanism });
  return { ok, sim: new WeakRef(sim) };
}

const out: { flavor: string; ok: boolean; collected: boolean }[] = [];
for (const { model, mechanism } of SIM_FLAVORS) {
  const { ok, sim } = await run(model, mechanism);
  await nextTask();
  gc();
  await nextTask();
  out.push({ flavor: `${model}/${mechanism}`, ok, collected: sim.deref() === undefined });
}
process.stdout.write(`${JSON.stringify(out)}\n`);
