// `npm run fuzz -- --ops N [--seed S] [--mechanism M] [--backend B]`: the model test without a bound.
// Runs random sequences (each configuration of FULL_MATRIX, or only those over mechanism M and
// backend B, in turn; sequence k from seed S+k) until N steps ran, with a progress bar; on a
// disagreement prints the failing seed, the command that repeats it, and the sequence fast-check
// shrank it to, and exits 1. --verbose prints every step, its events and stats().
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { reached, releaseReactors, runSteps, sequenceArbitrary } from './drive.js';
import { FULL_MATRIX } from '../helpers.js';

const STEPS_MAX = 200;

const { values } = parseArgs({
  options: {
    ops: { type: 'string', default: '100000' },
    seed: { type: 'string', default: String(Date.now() % 1e9) },
    verbose: { type: 'boolean', default: false },
    mechanism: { type: 'string' },
    backend: { type: 'string' },
  },
});
const configs = FULL_MATRIX.filter(
  ([, mechanism, backend]) =>
    (values.mechanism === undefined || mechanism === values.mechanism) && (values.backend === undefined || backend === values.backend),
);
const total = Number(values.ops);
const firstSeed = Number(values.seed);
if (!Number.isSafeInteger(total) || total < 1 || !Number.isSafeInteger(firstSeed) || firstSeed < 0 || configs.length === 0) {
  console.error(
    `usage: npm run fuzz -- --ops N [--seed S] [--mechanism ${[...new Set(FULL_MATRIX.map((c) => c[1]))].join('|')}] [--backend native|sim] [--verbose]   (N steps in all, S the first sequence's seed; only mechanism M, only that backend; --verbose prints each step)`,
  );
  process.exit(2);
}

// Refusals are expected by the thousand: their stack traces would be most of the cost (restored
// before a failure is shrunk).
const STACK_TRACE_LIMIT = Error.stackTraceLimit;
Error.stackTraceLimit = 0;
const start = performance.now();
const seconds = (): string => ((performance.now() - start) / 1000).toFixed(1);
let ops = 0;
let shown = -1;
for (let k = 0; ops < total; k++) {
  const seed = firstSeed + k;
  const config = configs[k % configs.length];
  const arbitrary = sequenceArbitrary(config[0], STEPS_MAX, STEPS_MAX / 2);
  const [sequence] = fc.sample(arbitrary, { seed, numRuns: 1 });
  try {
    ops += await runSteps(config, sequence, values.verbose ? (line) => console.log(line) : undefined);
  } catch (e) {
    Error.stackTraceLimit = STACK_TRACE_LIMIT;
    process.stderr.write('\n');
    console.error(`DISAGREEMENT after ${ops} steps, ${config.join(' over ')}, seed ${seed}: ${(e as Error).message}`);
    console.error(
      `repeat: npm run fuzz -- --ops 1 --seed ${seed - (k % configs.length)}${values.mechanism === undefined ? '' : ` --mechanism ${values.mechanism}`}${values.backend === undefined ? '' : ` --backend ${values.backend}`}   (sequence ${k % configs.length} of that run)`,
    );
    const shrinkable = sequenceArbitrary(config[0], STEPS_MAX);
    const shrunk = await fc.check(
      fc.asyncProperty(shrinkable, (s) => runSteps(config, s).then(() => true)),
      { examples: [[sequence]], numRuns: 1 },
    );
    if (shrunk.failed) console.error(`shrunk to: ${JSON.stringify(shrunk.counterexample)}`);
    releaseReactors();
    process.exit(1);
  }
  const percent = Math.floor((100 * Math.min(ops, total)) / total);
  if (percent !== shown) {
    shown = percent;
    const bar = '#'.repeat(percent >> 1).padEnd(50, '.');
    process.stderr.write(`\r[${bar}] ${percent}% ${ops} steps, ${k + 1} sequences, ${seconds()} s`);
  }
}
releaseReactors();
process.stderr.write('\n');
console.log(
  `reached: ${[...reached]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([what, n]) => `${what} ×${n}`)
    .join(', ')}`,
);
console.log(
  `${ops} steps over ${configs.length} configurations (${configs.map((c) => c.join('/')).join(', ')}) from seed ${firstSeed}: 0 disagreements, ${seconds()} s`,
);
