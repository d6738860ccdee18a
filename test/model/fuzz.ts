// `npm run fuzz -- --ops N [--seed S]`: the model test without a bound. Runs random sequences
// (each model over each mechanism in turn, sequence k from seed S+k) until N steps ran, with a
// progress bar; on a disagreement prints the failing seed, the command that repeats it, and the
// sequence fast-check shrank it to, and exits 1.
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { runSteps, stepArbitrary } from './drive.js';
import type { Mechanism, Model } from '../../src/index.js';

const STEPS_MAX = 200;
const CONFIGS: [Model, Mechanism][] = [['readiness', 'epoll'], ['readiness', 'poll'], ['completion', 'epoll'], ['completion', 'poll']];

const { values } = parseArgs({ options: { ops: { type: 'string', default: '100000' }, seed: { type: 'string', default: String(Date.now() % 1e9) } } });
const total = Number(values.ops);
const firstSeed = Number(values.seed);
if (!Number.isSafeInteger(total) || total < 1 || !Number.isSafeInteger(firstSeed) || firstSeed < 0) {
  console.error('usage: npm run fuzz -- --ops N [--seed S]   (N steps in all, S the first sequence\'s seed)');
  process.exit(2);
}

const sequenceOf = (model: Model) => fc.array(stepArbitrary(model), { minLength: STEPS_MAX / 2, maxLength: STEPS_MAX, size: 'max' });
const start = performance.now();
let ops = 0;
let shown = -1;
for (let k = 0; ops < total; k++) {
  const seed = firstSeed + k;
  const [model, mechanism] = CONFIGS[k % CONFIGS.length];
  const [steps] = fc.sample(sequenceOf(model), { seed, numRuns: 1 });
  try {
    ops += await runSteps(model, mechanism, steps);
  } catch (e) {
    process.stderr.write('\n');
    console.error(`DISAGREEMENT after ${ops} steps, ${model} over ${mechanism}, seed ${seed}: ${(e as Error).message}`);
    console.error(`repeat: npm run fuzz -- --ops 1 --seed ${seed - (k % CONFIGS.length)}   (sequence ${k % CONFIGS.length} of that run)`);
    const shrunk = await fc.check(fc.asyncProperty(sequenceOf(model), (s) => runSteps(model, mechanism, s).then(() => true)), { seed, numRuns: 1 });
    if (shrunk.failed) console.error(`shrunk to: ${JSON.stringify(shrunk.counterexample)}`);
    process.exit(1);
  }
  const percent = Math.floor((100 * Math.min(ops, total)) / total);
  if (percent !== shown) {
    shown = percent;
    const bar = '#'.repeat(percent >> 1).padEnd(50, '.');
    process.stderr.write(`\r[${bar}] ${percent}% ${ops} steps, ${k + 1} sequences, ${((performance.now() - start) / 1000).toFixed(0)} s`);
  }
}
process.stderr.write('\n');
console.log(`${ops} steps in ${CONFIGS.length} configurations from seed ${firstSeed}: 0 disagreements, ${((performance.now() - start) / 1000).toFixed(1)} s`);
