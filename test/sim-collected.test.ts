// A process that runs many simulations (a sweep's worker) holds none of a finished one: a
// Simulation of a thousand hosts still reachable from module state was copied and marked by the
// garbage collector through the whole next seed, and held its memory beside the next one's.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SIM_FLAVORS } from '../src/sim/scenario.js';

const CHILD = fileURLToPath(new URL('./sim-collected-child.js', import.meta.url));

test('a finished simulation is collectable, on every model and mechanism', () => {
  const r = spawnSync(process.execPath, ['--expose-gc', CHILD], { encoding: 'utf8', timeout: 120_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout.trim())).toEqual(
    SIM_FLAVORS.map(({ model, mechanism }) => ({ flavor: `${model}/${mechanism}`, ok: true, collected: true })),
  );
}, 120_000);
