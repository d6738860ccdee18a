// Bad input to the simulation's surface, table-driven: every bad Simulation option is refused
// with EINVAL naming the option (no simulation half made), and every bad `io-reactor sim` flag
// prints usage and exits 2.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Simulation } from '../src/sim/index.js';
import { refused } from './contract.js';
import { BAD_INTEGERS, not, made } from './bad-values.js';

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

// Every bad integer of the catalogue but null (no seed), and the first past the largest seed.
const BAD_SEEDS = made([...not(BAD_INTEGERS, 'null', 'undefined', '2^31'), ['2^32', () => 2 ** 32]]);
const BAD_LATENCIES: [string, unknown][] = [
  ['negative', [-1, 2]],
  ['NaN', [NaN, 2]],
  ['Infinity', [0, Infinity]],
  ['min above max', [5, 1]],
  ['one number', 3],
  ['three numbers', [1, 2, 3]],
];

test.each(BAD_SEEDS)('Simulation refuses seed %s with EINVAL naming the seed', (_, seed) => {
  expect(refused(() => new Simulation({ seed: seed as number }), 'EINVAL').message).toMatch(
    /Simulation: seed must be an integer from 0 to 4294967295/,
  );
});

test.each(BAD_LATENCIES)('Simulation refuses latencyMs %s with EINVAL naming latencyMs', (_, latencyMs) => {
  expect(refused(() => new Simulation({ latencyMs: latencyMs as [number, number] }), 'EINVAL').message).toMatch(
    /latencyMs must be \[min, max\]/,
  );
});

test('the largest seed and a zero latency are accepted', async () => {
  const sim = new Simulation({ seed: 2 ** 32 - 1, latencyMs: [0, 0] });
  const r = await sim.host('h').createReactor({ model: 'readiness' });
  expect(r.wait(0)).toEqual([]);
  r.destroy();
});

const BAD_FLAGS: string[][] = [
  ['--seeds', 'NaN'],
  ['--seeds', '1.5'],
  ['--seeds', 'Infinity'],
  ['--seeds', '1e300'],
  ['--seeds', '0'],
  ['--seed', 'x'],
  ['--seed', '-1'],
  ['--model', 'bogus'],
  ['--faults', 'all=1'],
  ['--faults', 'reset=2'],
  ['--size', '0'],
  ['--workers', '0'],
  ['--schedule', 'stall'],
];

test.each(BAD_FLAGS)(
  'io-reactor sim echo %s %s prints usage and exits 2',
  (...flag) => {
    const r = spawnSync(process.execPath, [MAIN, 'sim', 'echo', ...flag], { encoding: 'utf8', timeout: 60_000 });
    expect({ status: r.status, usage: r.stderr.includes('usage: io-reactor sim <scenario>') }).toEqual({ status: 2, usage: true });
  },
  60_000,
);
