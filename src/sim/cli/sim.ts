// `io-reactor sim <scenario|all>`: a seed sweep. Runs the scenario (or every scenario × model ×
// mechanism) for each seed on all cores (worker processes), some seeds twice to check determinism
// (--check-determinism), reports every failing seed with what it takes to reproduce it and see its
// trace, and with --shrink cuts the first failure down to a minimal fault schedule.
import { availableParallelism } from 'node:os';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scenarios } from '../scenarios/index.js';
import { SIM_FLAVORS, type Flavor, type Scenario } from '../scenario.js';
import type { Mechanism, Model } from '../../model.js';
import { MAX_SEED } from '../random.js';
import { FAULT_KINDS, type FaultKind, type Injection } from '../faults.js';
import type { FaultRates } from '../../faults.js';
import {
  configHash,
  formatFaults,
  formatSchedule,
  reproduceCommand,
  traceCommand,
  checksDeterminism,
  ALL_FAULTS,
  DEFAULT_FAULTS,
  SWEEP_LATENCY_MS,
  DETERMINISM_CHECKS,
  DETERMINISM_SAMPLE_EVERY,
  type DeterminismCheck,
  type SweepConfig,
} from './config.js';
import { runSeed, type RunResult } from './run-seed.js';
import { shrinkSchedule } from './shrink.js';
import { parseCommandLine, refuseUsage, UsageError, EXIT_OK, EXIT_FAILED, EXIT_UNWRITTEN } from '../../cli/usage.js';
import { sweepJobs, type ConfigRun, type Job, type SweepRun } from './sweep.js';

export const DEFAULT_SEEDS = 20;
export const MAX_SEEDS = 1_000_000;
export const MAX_WORKERS = 64;
/** --size of a scenario that names no maximum of its own. */
export const MAX_SIZE = 100_000;
const BAR_WIDTH = 30;

const flavorName = (f: Flavor): string => `${f.model}/${f.mechanism}`;
const flavorsOf = (s: Scenario): readonly Flavor[] => s.flavors ?? SIM_FLAVORS;

export const usage = `usage: io-reactor sim <scenario> [--seeds N | --seed S | --schedule K@N,...] [--from S]
                        [--model readiness|completion|all] [--mechanism epoll|poll|iocp|io_uring|all] [--rotate]
                        [--size N] [--bug NAME] [--faults kind=rate,...|all|none] [--workers N] [--minutes M]
                        [--shrink] [--trace FILE] [--json] [--check-determinism all|sampled|off]
                        [--delivery-window MS]
  scenarios: ${Object.values(scenarios)
    .map((s) => `${s.name}${s.bugs ? ` (bugs: ${s.bugs.join(', ')})` : ''}`)
    .join(', ')}; or all of them
  --seeds N      run seeds from..from+N-1 (default ${DEFAULT_SEEDS}); --from S the first (default 1)
  --seed S       run one seed (the reproduce command of a failure)
  --schedule     with --seed: inject exactly these faults (kind@occasion, as --shrink prints), no rates
  --model, --mechanism  the reactors' model and the mechanism under it (default readiness over
                 epoll); all: every pair the scenario runs in (${SIM_FLAVORS.map(flavorName).join(', ')})
  a matrix       with the scenario all, or --model all, or --mechanism all, the sweep runs each
                 combination of scenario × model × mechanism on the same seeds and prints a line each
  --rotate       with a matrix: each seed runs one flavor of each scenario, in turn (seed mod flavors)
  --faults       fault rates per occasion (default ${formatFaults(DEFAULT_FAULTS)}); all: every kind (${formatFaults(ALL_FAULTS)}); kinds: ${FAULT_KINDS.join(', ')}
  --workers N    worker processes (default: the machine's cores)
  --minutes M    hand out no seed after M minutes; the summary says exactly what ran
  --check-determinism  which seeds run twice to see they run alike: all, off, or sampled (default:
                 every failing seed and one passing seed in ${DETERMINISM_SAMPLE_EVERY})
  --delivery-window MS  deliver every segment due within MS virtual ms of the next before the
                 hosts run (default and most: ${SWEEP_LATENCY_MS[0]}, the shortest latency); 0: exact arrival times
  --shrink       reduce the first failing seed to a minimal fault schedule that still fails
  --trace FILE   with --seed: write the run's trace to FILE (a failure marked), for io-reactor viz FILE
  --json         print the summary as JSON on stdout
every run has the oracle on (src/sim/oracle.ts): a broken invariant fails the seed
exit code: 0 all seeds passed, 1 a seed failed or ran nondeterministically, 2 bad usage,
  3 the run passed but its --trace FILE could not be written`;

const MAX_MINUTES = 10_000;

interface Options {
  /** One config, or with a matrix (all) one per combination. */
  configs: SweepConfig[];
  matrix: boolean;
  seeds: number[];
  rotate: boolean;
  schedule?: Injection[];
  traceOut?: string;
  workers: number;
  minutes?: number;
  check: DeterminismCheck;
  shrink: boolean;
  json: boolean;
  trace?: string;
}

function integer(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

/** --delivery-window: none given leaves the config without one (the simulation's default). */
function deliveryWindow(text: string | undefined): { deliveryWindowMs?: number } {
  if (text === undefined) return {};
  const ms = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || ms > SWEEP_LATENCY_MS[0])
    throw new UsageError(
      `--delivery-window must be from 0 (exact arrival times) to ${SWEEP_LATENCY_MS[0]} virtual ms (the shortest latency), got ${JSON.stringify(text)}`,
    );
  return { deliveryWindowMs: ms };
}

function parseFaults(text: string): FaultRates {
  if (text === 'none') return {};
  if (text === 'all') return ALL_FAULTS;
  const rates: Record<string, number> = {};
  for (const part of text.split(',')) {
    const [kind, value, extra] = part.split('=');
    if (!FAULT_KINDS.includes(kind as FaultKind) || value === undefined || extra !== undefined) {
      throw new UsageError(
        `--faults takes kind=rate pairs separated by commas (or all, or none), kinds ${FAULT_KINDS.join(', ')}; got ${JSON.stringify(part)}`,
      );
    }
    const rate = Number(value);
    if (value.trim() === '' || !(rate >= 0 && rate <= 1))
      throw new UsageError(`--faults: the rate of ${kind} must be from 0 to 1, got ${JSON.stringify(value)}`);
    rates[`${kind}Rate`] = rate;
  }
  return rates;
}

function parseSchedule(text: string): Injection[] {
  if (text === 'none') return [];
  return text.split(',').map((part) => {
    const m = /^([A-Za-z]+)@(\d+)$/.exec(part);
    if (!m || !FAULT_KINDS.includes(m[1] as FaultKind)) {
      throw new UsageError(
        `--schedule takes kind@occasion entries separated by commas (or none), kinds ${FAULT_KINDS.join(', ')}; got ${JSON.stringify(part)}`,
      );
    }
    return { kind: m[1] as FaultKind, occasion: Number(m[2]) };
  });
}

const MODELS = ['readiness', 'completion'] as const;
const MECHANISMS = ['epoll', 'poll', 'iocp', 'io_uring'] as const;

function parse(args: string[]): Options | 'help' {
  const { values: v, positionals } = parseCommandLine({
    args,
    allowPositionals: true,
    options: {
      seeds: { type: 'string' },
      seed: { type: 'string' },
      from: { type: 'string' },
      model: { type: 'string' },
      mechanism: { type: 'string' },
      rotate: { type: 'boolean' },
      size: { type: 'string' },
      bug: { type: 'string' },
      faults: { type: 'string' },
      schedule: { type: 'string' },
      workers: { type: 'string' },
      minutes: { type: 'string' },
      trace: { type: 'string' },
      'check-determinism': { type: 'string' },
      'delivery-window': { type: 'string' },
      shrink: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help) return 'help';
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0 ? 'name a scenario (or all)' : `one scenario (or all) at a time, got ${positionals.join(' ')}`,
    );
  const name = positionals[0];
  if (name !== 'all' && !scenarios[name])
    throw new UsageError(`unknown scenario ${JSON.stringify(name)}; the scenarios are ${Object.keys(scenarios).join(', ')}, or all`);
  if (v.model !== undefined && v.model !== 'all' && !(MODELS as readonly string[]).includes(v.model)) {
    throw new UsageError(`--model must be readiness or completion, got ${JSON.stringify(v.model)}; all runs both`);
  }
  if (v.mechanism !== undefined && v.mechanism !== 'all' && !(MECHANISMS as readonly string[]).includes(v.mechanism)) {
    throw new UsageError(`--mechanism must be ${MECHANISMS.join(', ')}, got ${JSON.stringify(v.mechanism)}; all runs every one`);
  }
  const matrix = name === 'all' || v.model === 'all' || v.mechanism === 'all';
  const picked = name === 'all' ? Object.values(scenarios) : [scenarios[name]];
  if (name === 'all') {
    for (const [flag, given] of [
      ['--size', v.size],
      ['--bug', v.bug],
    ] as const) {
      if (given !== undefined) throw new UsageError(`${flag} takes one scenario, not all`);
    }
  }
  if (matrix) {
    for (const [flag, given] of [
      ['--schedule', v.schedule],
      ['--trace', v.trace],
    ] as const) {
      if (given !== undefined) throw new UsageError(`${flag} takes one scenario in one model and mechanism, not a matrix (all)`);
    }
    if (v.shrink)
      throw new UsageError(
        "--shrink takes one scenario in one model and mechanism, not a matrix (all); run the failure's reproduce command with --shrink",
      );
  } else if (v.rotate) throw new UsageError('--rotate takes a matrix: a scenario of all, or --model all, or --mechanism all');
  const scenario = picked[0];
  if (v.bug !== undefined && !scenario.bugs?.includes(v.bug)) {
    throw new UsageError(
      `scenario ${scenario.name} has ${scenario.bugs ? `the bugs ${scenario.bugs.join(', ')}` : 'no planted bugs'}, not ${JSON.stringify(v.bug)}`,
    );
  }
  if (v.seed !== undefined && (v.seeds !== undefined || v.from !== undefined))
    throw new UsageError('give --seed S for one seed, or --seeds N [--from S] for a sweep, not both');
  if (v.schedule !== undefined && v.seed === undefined) throw new UsageError('--schedule replays one run: give it with --seed S');
  if (v.trace !== undefined && v.seed === undefined) throw new UsageError('--trace writes the trace of one run: give it with --seed S');
  if (v.schedule !== undefined && v.faults !== undefined)
    throw new UsageError('give --faults (rates) or --schedule (exact injections), not both');
  const check = (v['check-determinism'] ?? 'sampled') as DeterminismCheck;
  if (!DETERMINISM_CHECKS.includes(check))
    throw new UsageError(`--check-determinism must be ${DETERMINISM_CHECKS.join(', ')}, got ${JSON.stringify(check)}`);
  const seed = integer('seed', v.seed, 0, MAX_SEED);
  const from = integer('from', v.from, 0, MAX_SEED) ?? 1;
  const count = integer('seeds', v.seeds, 1, MAX_SEEDS) ?? DEFAULT_SEEDS;
  if (seed === undefined && from + count - 1 > MAX_SEED)
    throw new UsageError(`--from ${from} with --seeds ${count} passes the largest seed, ${MAX_SEED}`);
  const faults = v.faults === undefined ? DEFAULT_FAULTS : parseFaults(v.faults);
  const base = { faults, latencyMs: SWEEP_LATENCY_MS, ...deliveryWindow(v['delivery-window']) };
  let configs: SweepConfig[];
  if (matrix) {
    // Unnamed in a matrix means every one.
    const fits = (f: Flavor): boolean =>
      (v.model === undefined || v.model === 'all' || f.model === v.model) &&
      (v.mechanism === undefined || v.mechanism === 'all' || f.mechanism === v.mechanism);
    const size = integer('size', v.size, 1, scenario.maxSize ?? MAX_SIZE);
    configs = picked.flatMap((s) =>
      flavorsOf(s)
        .filter(fits)
        .map((f) => ({ scenario: s.name, model: f.model, mechanism: f.mechanism, size, bug: v.bug, ...base })),
    );
    if (configs.length === 0)
      throw new UsageError(
        `no scenario runs in ${v.model ?? 'any model'} over ${v.mechanism ?? 'any mechanism'}; the pairs are ${SIM_FLAVORS.map(flavorName).join(', ')}`,
      );
  } else {
    const model = (v.model ?? 'readiness') as Model;
    const mechanism = v.mechanism as Mechanism | undefined;
    if (!flavorsOf(scenario).some((f) => f.model === model && (mechanism === undefined || f.mechanism === mechanism))) {
      throw new UsageError(
        `scenario ${scenario.name} does not run in ${model}${mechanism ? ` over ${mechanism}` : ''}; it runs in ${flavorsOf(scenario).map(flavorName).join(', ')}`,
      );
    }
    configs = [
      { scenario: scenario.name, model, mechanism, size: integer('size', v.size, 1, scenario.maxSize ?? MAX_SIZE), bug: v.bug, ...base },
    ];
  }
  return {
    configs,
    matrix,
    seeds: seed !== undefined ? [seed] : Array.from({ length: count }, (_, i) => from + i),
    rotate: v.rotate ?? false,
    schedule: v.schedule === undefined ? undefined : parseSchedule(v.schedule),
    traceOut: v.trace,
    workers: integer('workers', v.workers, 1, MAX_WORKERS) ?? availableParallelism(),
    minutes: integer('minutes', v.minutes, 1, MAX_MINUTES),
    check,
    shrink: v.shrink ?? false,
    json: v.json ?? false,
    trace: v.trace,
  };
}

/** The commit the run is of, or the package version when this is not a git checkout. */
function version(): string {
  const root = fileURLToPath(new URL('../../../../../', import.meta.url));
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return `io-reactor ${(JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version}`;
  }
}

/** How often a sweep's log gets a progress line, at most, when stderr is not a terminal. */
const PROGRESS_LINE_EVERY_MS = 60_000;

/** Progress on stderr: a bar redrawn in place on a terminal, else a line per tenth or per minute. */
function progress(total: number, unit: string): (done: number, failed: number) => void {
  const tty = process.stderr.isTTY;
  let shown = 0;
  let lastLine = performance.now();
  return (done, failed) => {
    if (tty) {
      const filled = Math.round((done / total) * BAR_WIDTH);
      process.stderr.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total} ${unit}, ${failed} failed${done === total ? '\n' : ''}`,
      );
    } else if (Math.floor((done * 10) / total) > shown || done === total || performance.now() - lastLine >= PROGRESS_LINE_EVERY_MS) {
      shown = Math.floor((done * 10) / total);
      lastLine = performance.now();
      process.stderr.write(`${done}/${total} ${unit}, ${failed} failed\n`);
    }
  };
}

/**
 * The jobs of a sweep, seed by seed across the configs, so that a sweep stopped early has run
 * every config about as far. With `rotate`, each seed runs one config of each scenario.
 */
function jobsOf(configs: SweepConfig[], seeds: number[], rotate: boolean): Job[] {
  const byScenario = new Map<string, number[]>();
  configs.forEach((c, i) => byScenario.set(c.scenario, [...(byScenario.get(c.scenario) ?? []), i]));
  return seeds.flatMap((seed) =>
    rotate
      ? [...byScenario.values()].map((indices) => ({ config: indices[seed % indices.length], seed }))
      : configs.map((_, config) => ({ config, seed })),
  );
}

interface Shrunk {
  seed: number;
  from: number;
  schedule: Injection[];
  failure: string;
  reproduce: string;
}

async function shrink(config: SweepConfig, failing: RunResult): Promise<Shrunk> {
  let runs = 0;
  const schedule = await shrinkSchedule(failing.injections, async (candidate) => {
    runs++;
    process.stderr.write(
      `shrinking seed ${failing.seed}: run ${runs}, trying ${candidate.length} of ${failing.injections.length} faults\n`,
    );
    return !(await runSeed(config, failing.seed, candidate, 'verdict')).ok;
  });
  const last = await runSeed(config, failing.seed, schedule, 'verdict');
  return {
    seed: failing.seed,
    from: failing.injections.length,
    schedule,
    failure: last.failure ?? '',
    reproduce: reproduceCommand(config, failing.seed, schedule),
  };
}

/** A config's verdicts, as the summary shows them. */
interface ConfigSummary {
  scenario: string;
  model: string;
  mechanism: string | null;
  size: number | null;
  bug: string | null;
  faults: string | null;
  schedule: string | null;
  configHash: string;
  seeds: number;
  passed: number;
  checkedTwice: number;
  runSeconds: number;
  failures: { seed: number; failure: string; faults: number; reproduce: string; trace: string }[];
  nondeterministic: { seed: number; digests: string[]; reproduce: string }[];
}

function summarize(config: SweepConfig, run: ConfigRun, schedule?: Injection[]): ConfigSummary {
  const { reports } = run;
  const failures = reports
    .filter((r) => !r.result.ok)
    .map(({ result }) => ({
      seed: result.seed,
      failure: result.failure ?? '',
      faults: result.injections.length,
      reproduce: reproduceCommand(config, result.seed, schedule),
      trace: traceCommand(config, result.seed, schedule),
    }));
  const nondeterministic = reports
    .filter((r) => r.again !== null && r.again !== r.result.digest)
    .map((r) => ({
      seed: r.result.seed,
      // No digest: a failing seed's first run, which its digested reruns did not end as.
      digests: [r.result.digest ?? 'none (its first run ended otherwise)', r.again!],
      reproduce: reproduceCommand(config, r.result.seed, schedule),
    }));
  return {
    scenario: config.scenario,
    model: config.model,
    mechanism: config.mechanism ?? null,
    size: config.size ?? null,
    bug: config.bug ?? null,
    faults: schedule ? null : formatFaults(config.faults),
    schedule: schedule ? formatSchedule(schedule) : null,
    configHash: configHash(config),
    seeds: reports.length,
    passed: reports.length - failures.length,
    checkedTwice: reports.filter((r) => r.again !== null).length,
    runSeconds: Math.round(run.runMs) / 1000,
    failures,
    nondeterministic,
  };
}

/**
 * One seed with exactly `schedule`'s faults, or with rates and its trace saved; no workers.
 * `unwritten`: why the trace could not be written, if it could not (the run's verdict stands).
 */
async function runOne(config: SweepConfig, seed: number, options: Options): Promise<{ run: ConfigRun; unwritten: string | null }> {
  const started = performance.now();
  const result = await runSeed(config, seed, options.schedule, options.traceOut !== undefined ? 'trace' : 'digest');
  let unwritten: string | null = null;
  if (options.traceOut !== undefined) {
    const { trace } = result;
    delete result.trace;
    try {
      writeFileSync(options.traceOut, JSON.stringify(trace));
      process.stderr.write(
        `trace of seed ${seed} written to ${options.traceOut}${trace?.failure ? ', its failure marked' : ''}; see it: npx io-reactor viz ${options.traceOut}\n`,
      );
    } catch (e) {
      unwritten = (e as Error).message;
    }
  }
  const again = checksDeterminism(options.check, result) ? (await runSeed(config, seed, options.schedule)).digest : null;
  return { run: { reports: [{ result, again }], runMs: performance.now() - started }, unwritten };
}

export async function run(args: string[]): Promise<number> {
  let options: Options | 'help';
  try {
    options = parse(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return refuseUsage('io-reactor sim', e.message, usage);
  }
  if (options === 'help') {
    process.stdout.write(`${usage}\n`);
    return EXIT_OK;
  }
  const { configs, seeds, schedule } = options;
  const commit = version();
  let sweep: SweepRun;
  let unwritten: string | null = null;
  if (schedule || options.traceOut !== undefined) {
    const started = performance.now();
    const one = await runOne(configs[0], seeds[0], options);
    unwritten = one.unwritten;
    sweep = { runs: [one.run], skipped: 0, wallMs: 0 };
    sweep.wallMs = performance.now() - started;
  } else {
    const jobs = jobsOf(configs, seeds, options.rotate);
    sweep = await sweepJobs(configs, jobs, {
      workers: options.workers,
      check: options.check,
      timeLimitMs: (options.minutes ?? Infinity) * 60_000,
      progress: progress(jobs.length, options.matrix ? 'runs' : 'seeds'),
      // A long sweep's log shows each failure as it happens; the summary repeats it in full.
      failed: (i, { result }) =>
        process.stderr.write(
          `failed: seed ${result.seed} of ${configs[i].scenario} ${configs[i].model}${configs[i].mechanism ? `/${configs[i].mechanism}` : ''}: ${(result.failure ?? 'nondeterministic').split('\n')[0]}\n  reproduce: ${reproduceCommand(configs[i], result.seed)}\n`,
        ),
    });
  }
  const summaries = configs.map((c, i) => summarize(c, sweep.runs[i], schedule));
  const failed = summaries.some((s) => s.failures.length > 0 || s.nondeterministic.length > 0);
  if (options.matrix) {
    const summary = {
      commit,
      faults: formatFaults(configs[0].faults),
      oracle: true,
      seeds: { from: seeds[0], count: seeds.length },
      rotate: options.rotate,
      workers: options.workers,
      wallSeconds: Math.round(sweep.wallMs) / 1000,
      skippedRuns: sweep.skipped,
      combinations: summaries,
    };
    if (options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else printMatrix(summary);
    return failed ? EXIT_FAILED : EXIT_OK;
  }
  const [one] = summaries;
  const firstFailing = sweep.runs[0].reports.find((r) => !r.result.ok);
  const shrunk = options.shrink && firstFailing && !schedule ? await shrink(configs[0], firstFailing.result) : undefined;
  const summary = { ...one, commit, shrunk: shrunk ?? null };
  if (options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else printSummary(summary, options.shrink && !firstFailing);
  if (unwritten !== null) {
    // Last, so it is seen; a run that passed does not claim to have failed for it.
    process.stderr.write(
      `io-reactor sim: cannot write trace to ${options.traceOut}: ${unwritten}; the run itself ${failed ? 'failed' : 'passed'}\n`,
    );
    if (!failed) return EXIT_UNWRITTEN;
  }
  return failed ? EXIT_FAILED : EXIT_OK;
}

function printFailures(out: string[], s: ConfigSummary, commit: string): void {
  const where = `${s.scenario}, ${s.model}${s.mechanism ? `/${s.mechanism}` : ''}`;
  for (const f of s.failures) {
    out.push(
      '',
      `FAILED seed ${f.seed} (${where}, config ${s.configHash}, commit ${commit}, ${f.faults} faults injected)`,
      `  ${f.failure}`,
      `  reproduce: ${f.reproduce}`,
      `  see it:    ${f.trace}`,
    );
  }
  for (const d of s.nondeterministic) {
    out.push(
      '',
      `NONDETERMINISTIC seed ${d.seed} (${where}): two runs differ (digests ${d.digests.join(' vs ')}); reproduce: ${d.reproduce}`,
    );
  }
}

function printSummary(s: ConfigSummary & { commit: string; shrunk: Shrunk | null }, nothingToShrink: boolean): void {
  const out: string[] = [];
  const flavor = `${s.model}${s.mechanism ? `/${s.mechanism}` : ''}`;
  out.push(
    `${s.scenario} (${flavor}, ${s.schedule ? `schedule ${s.schedule}` : `faults ${s.faults}`}): ${s.passed} of ${s.seeds} seeds passed; config ${s.configHash}, commit ${s.commit}`,
  );
  printFailures(out, s, s.commit);
  if (s.failures.length === 0 && s.nondeterministic.length === 0) {
    out.push(
      s.checkedTwice === s.seeds
        ? 'determinism: every seed ran twice with the same digest'
        : `determinism: ${s.checkedTwice} of ${s.seeds} seeds ran twice with the same digest (--check-determinism all runs every one twice)`,
    );
  }
  if (s.shrunk) {
    out.push(
      '',
      `SHRUNK seed ${s.shrunk.seed} from ${s.shrunk.from} faults to ${s.shrunk.schedule.length}: ${formatSchedule(s.shrunk.schedule)}`,
      `  ${s.shrunk.failure}`,
      `  reproduce: ${s.shrunk.reproduce}`,
    );
  }
  if (nothingToShrink) out.push('--shrink: no seed failed, nothing to shrink');
  process.stdout.write(`${out.join('\n')}\n`);
}

/** The matrix: a line per combination (seeds, failures, divergences, time), then every failure. */
function printMatrix(m: {
  commit: string;
  faults: string;
  seeds: { from: number; count: number };
  rotate: boolean;
  workers: number;
  wallSeconds: number;
  skippedRuns: number;
  combinations: ConfigSummary[];
}): void {
  const head = ['scenario', 'model', 'mechanism', 'seeds', 'passed', 'failed', 'divergent', 'twice', 'run s'];
  const rows = m.combinations.map((c) =>
    [
      c.scenario,
      c.model,
      c.mechanism ?? '',
      c.seeds,
      c.passed,
      c.failures.length,
      c.nondeterministic.length,
      c.checkedTwice,
      c.runSeconds.toFixed(1),
    ].map(String),
  );
  const total = (pick: (c: ConfigSummary) => number): string => String(m.combinations.reduce((n, c) => n + pick(c), 0));
  rows.push([
    'total',
    '',
    '',
    total((c) => c.seeds),
    total((c) => c.passed),
    total((c) => c.failures.length),
    total((c) => c.nondeterministic.length),
    total((c) => c.checkedTwice),
    m.combinations.reduce((n, c) => n + c.runSeconds, 0).toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const last = m.seeds.from + m.seeds.count - 1;
  const out = [
    `sweep of ${m.combinations.length} combinations, seeds ${m.seeds.from}..${last} ${m.rotate ? "rotated over each scenario's flavors (seed mod flavors)" : 'on each'}, faults ${m.faults}, oracle on, ${m.workers} workers, commit ${m.commit}`,
    line(head),
    ...rows.map(line),
    `wall time ${m.wallSeconds.toFixed(1)} s${m.skippedRuns > 0 ? `; stopped by --minutes with ${m.skippedRuns} runs not started` : ''}`,
  ];
  for (const c of m.combinations) printFailures(out, c, m.commit);
  process.stdout.write(`${out.join('\n')}\n`);
}
