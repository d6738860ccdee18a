// `npm run fuzz -- --ops N [--seed S] [--model X] [--mechanism M] [--backend B] [--bug D]`: the
// model test without a bound. Runs random sequences (each configuration of FULL_MATRIX, or only
// those of model X, mechanism M and backend B, in turn; sequence k from seed S+k) until N steps
// ran, with a progress bar; on a disagreement prints the failing seed, the command that repeats
// exactly that failure, and the sequence fast-check shrank it to, and exits 1. --verbose prints
// every step, its events and stats(); --bug plants a defect (drive.ts, PLANTED_BUGS).
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import {
  PLANTED_BUGS,
  reached,
  releaseReactors,
  runSteps,
  sequenceArbitrary,
  type Config,
  type PlantedBug,
  type Sequence,
} from './drive.js';
import { FULL_MATRIX } from '../helpers.js';

const STEPS_MAX = 200;

const { values } = parseArgs({
  options: {
    ops: { type: 'string', default: '100000' },
    seed: { type: 'string', default: String(Date.now() % 1e9) },
    verbose: { type: 'boolean', default: false },
    model: { type: 'string' },
    mechanism: { type: 'string' },
    backend: { type: 'string' },
    bug: { type: 'string' },
  },
});
const configs = FULL_MATRIX.filter(
  ([model, mechanism, backend]) =>
    (values.model === undefined || model === values.model) &&
    (values.mechanism === undefined || mechanism === values.mechanism) &&
    (values.backend === undefined || backend === values.backend),
);
const total = Number(values.ops);
const firstSeed = Number(values.seed);
const bug = values.bug as PlantedBug | undefined;
if (
  !Number.isSafeInteger(total) ||
  total < 1 ||
  !Number.isSafeInteger(firstSeed) ||
  firstSeed < 0 ||
  configs.length === 0 ||
  (bug !== undefined && !PLANTED_BUGS.includes(bug))
) {
  console.error(
    `usage: npm run fuzz -- --ops N [--seed S] [--model readiness|completion] [--mechanism ${[...new Set(FULL_MATRIX.map((c) => c[1]))].join('|')}] [--backend native|sim] [--bug ${PLANTED_BUGS.join('|')}] [--verbose]   (N steps in all, S the first sequence's seed; only model X, mechanism M, backend B; a planted defect D; --verbose prints each step)`,
  );
  process.exit(2);
}
const bugFlag = bug === undefined ? '' : ` --bug ${bug}`;

/**
 * How to repeat a failure of `sequence` (seed `seed`) with `message`, which the run met after
 * `ops` steps: that sequence alone when it fails alike on fresh reactors (`alone`); else the run
 * from its first seed up to it, as the reactors it reused carry what the sequences before it left.
 */
async function howToRepeat(
  config: Config,
  seed: number,
  sequence: Sequence,
  message: string,
  ops: number,
): Promise<{ alone: boolean; command: string }> {
  releaseReactors();
  const aloneMessage = await runSteps(config, sequence, { bug }).then(
    () => '',
    (e: Error) => e.message,
  );
  releaseReactors();
  if (aloneMessage === message) {
    const [model, mechanism, backend] = config;
    const command = `npm run fuzz -- --ops 1 --seed ${seed} --model ${model} --mechanism ${mechanism} --backend ${backend}${bugFlag}`;
    return { alone: true, command: `${command}   (that sequence alone)` };
  }
  const filters = (['model', 'mechanism', 'backend'] as const).map((k) => (values[k] === undefined ? '' : ` --${k} ${values[k]}`)).join('');
  const command = `npm run fuzz -- --ops ${ops + 1} --seed ${firstSeed}${filters}${bugFlag}`;
  return { alone: false, command: `${command}   (the run up to that sequence: alone it ${aloneMessage ? 'fails otherwise' : 'passes'})` };
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
    ops += await runSteps(config, sequence, { log: values.verbose ? (line) => console.log(line) : undefined, bug });
  } catch (e) {
    Error.stackTraceLimit = STACK_TRACE_LIMIT;
    process.stderr.write('\n');
    const { message } = e as Error;
    console.error(`DISAGREEMENT after ${ops} steps, ${config.join(' over ')}, seed ${seed}: ${message}`);
    const repeat = await howToRepeat(config, seed, sequence, message, ops);
    console.error(`repeat: ${repeat.command}`);
    if (repeat.alone) {
      const shrinkable = sequenceArbitrary(config[0], STEPS_MAX);
      const shrunk = await fc.check(
        fc.asyncProperty(shrinkable, (s) => runSteps(config, s, { bug }).then(() => true)),
        { examples: [[sequence]], numRuns: 1 },
      );
      if (shrunk.failed) console.error(`shrunk to: ${JSON.stringify(shrunk.counterexample)}`);
    } else {
      console.error('not shrunk: the failure needs what the sequences before it left in the reactors they share');
    }
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
