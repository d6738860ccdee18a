// `io-reactor sim <scenario>`: a seed sweep. Runs the scenario for each seed on all cores (worker
// threads), some seeds twice to check determinism (--check-determinism), reports every failing seed with what it takes
// to reproduce it, and with --shrink cuts the first failure down to a minimal fault schedule.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { scenarios } from '../scenarios/index.js';
import { MAX_SEED } from '../random.js';
import { FAULT_KINDS, type FaultKind, type Injection } from '../faults.js';
import type { FaultRates } from '../../faults.js';
import {
  configHash, formatFaults, formatSchedule, reproduceCommand, vizCommand, checksDeterminism, ALL_FAULTS, DEFAULT_FAULTS, SWEEP_LATENCY_MS,
  DETERMINISM_CHECKS, DETERMINISM_SAMPLE_EVERY, type DeterminismCheck, type SweepConfig,
} from './config.js';
import { runSeed, runSeedTraced, type RunResult } from './run-seed.js';
import { shrinkSchedule } from './shrink.js';
import { parseCommandLine, refuseUsage, UsageError, EXIT_OK, EXIT_FAILED } from '../../cli/usage.js';
import type { SeedJob, SeedReport } from './sweep-worker.js';

export const DEFAULT_SEEDS = 20;
export const MAX_SEEDS = 1_000_000;
export const MAX_WORKERS = 64;
/** --size of a scenario that names no maximum of its own. */
export const MAX_SIZE = 100_000;
const BAR_WIDTH = 30;

export const usage = `usage: io-reactor sim <scenario> [--seeds N | --seed S | --schedule K@N,...] [--from S] [--model readiness|completion]
                        [--size N] [--bug NAME] [--faults kind=rate,...|all|none] [--workers N] [--shrink] [--json]
                        [--check-determinism all|sampled|off] [--trace FILE]
  scenarios: ${Object.values(scenarios).map((s) => `${s.name}${s.bugs ? ` (bugs: ${s.bugs.join(', ')})` : ''}`).join(', ')}
  --seeds N      run seeds from..from+N-1 (default ${DEFAULT_SEEDS}); --from S the first (default 1)
  --seed S       run one seed (the reproduce command of a failure)
  --schedule     with --seed: inject exactly these faults (kind@occasion, as --shrink prints), no rates
  --trace FILE   with --seed: write the run's trace to FILE (a failure marked), for io-reactor viz FILE
  --faults       fault rates per occasion (default ${formatFaults(DEFAULT_FAULTS)}); all: every kind (${formatFaults(ALL_FAULTS)}); kinds: ${FAULT_KINDS.join(', ')}
  --workers N    worker threads (default: the machine's cores)
  --check-determinism  which seeds run twice to see they run alike: all, off, or sampled (default:
                 every failing seed and one passing seed in ${DETERMINISM_SAMPLE_EVERY})
  --shrink       reduce the first failing seed to a minimal fault schedule that still fails
  --json         print the summary as JSON on stdout
exit code: 0 all seeds passed, 1 a seed failed or ran nondeterministically, 2 bad usage`;

interface Options {
  config: SweepConfig;
  seeds: number[];
  schedule?: Injection[];
  workers: number;
  check: DeterminismCheck;
  shrink: boolean;
  json: boolean;
  trace?: string;
}

function integer(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

function parseFaults(text: string): FaultRates {
  if (text === 'none') return {};
  if (text === 'all') return ALL_FAULTS;
  const rates: Record<string, number> = {};
  for (const part of text.split(',')) {
    const [kind, value, extra] = part.split('=');
    if (!FAULT_KINDS.includes(kind as FaultKind) || value === undefined || extra !== undefined) {
      throw new UsageError(`--faults takes kind=rate pairs separated by commas (or all, or none), kinds ${FAULT_KINDS.join(', ')}; got ${JSON.stringify(part)}`);
    }
    const rate = Number(value);
    if (value.trim() === '' || !(rate >= 0 && rate <= 1)) throw new UsageError(`--faults: the rate of ${kind} must be from 0 to 1, got ${JSON.stringify(value)}`);
    rates[`${kind}Rate`] = rate;
  }
  return rates;
}

function parseSchedule(text: string): Injection[] {
  if (text === 'none') return [];
  return text.split(',').map((part) => {
    const m = /^([A-Za-z]+)@(\d+)$/.exec(part);
    if (!m || !FAULT_KINDS.includes(m[1] as FaultKind)) {
      throw new UsageError(`--schedule takes kind@occasion entries separated by commas (or none), kinds ${FAULT_KINDS.join(', ')}; got ${JSON.stringify(part)}`);
    }
    return { kind: m[1] as FaultKind, occasion: Number(m[2]) };
  });
}

function parse(args: string[]): Options | 'help' {
  const { values: v, positionals } = parseCommandLine({
    args,
    allowPositionals: true,
    options: {
      seeds: { type: 'string' }, seed: { type: 'string' }, from: { type: 'string' }, model: { type: 'string' },
      size: { type: 'string' }, bug: { type: 'string' }, faults: { type: 'string' }, schedule: { type: 'string' },
      workers: { type: 'string' }, 'check-determinism': { type: 'string' }, shrink: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      trace: { type: 'string' },
    },
  });
  if (v.help) return 'help';
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'name a scenario' : `one scenario at a time, got ${positionals.join(' ')}`);
  const scenario = scenarios[positionals[0]];
  if (!scenario) throw new UsageError(`unknown scenario ${JSON.stringify(positionals[0])}; the scenarios are ${Object.keys(scenarios).join(', ')}`);
  const model = v.model ?? 'readiness';
  if (model !== 'readiness' && model !== 'completion') throw new UsageError(`--model must be readiness or completion, got ${JSON.stringify(model)}`);
  if (v.bug !== undefined && !scenario.bugs?.includes(v.bug)) {
    throw new UsageError(`scenario ${scenario.name} has ${scenario.bugs ? `the bugs ${scenario.bugs.join(', ')}` : 'no planted bugs'}, not ${JSON.stringify(v.bug)}`);
  }
  if (v.seed !== undefined && (v.seeds !== undefined || v.from !== undefined)) throw new UsageError('give --seed S for one seed, or --seeds N [--from S] for a sweep, not both');
  if (v.schedule !== undefined && v.seed === undefined) throw new UsageError('--schedule replays one run: give it with --seed S');
  if (v.trace !== undefined && v.seed === undefined) throw new UsageError('--trace writes the trace of one run: give it with --seed S');
  if (v.schedule !== undefined && v.faults !== undefined) throw new UsageError('give --faults (rates) or --schedule (exact injections), not both');
  const check = (v['check-determinism'] ?? 'sampled') as DeterminismCheck;
  if (!DETERMINISM_CHECKS.includes(check)) throw new UsageError(`--check-determinism must be ${DETERMINISM_CHECKS.join(', ')}, got ${JSON.stringify(check)}`);
  const seed = integer('seed', v.seed, 0, MAX_SEED);
  const from = integer('from', v.from, 0, MAX_SEED) ?? 1;
  const count = integer('seeds', v.seeds, 1, MAX_SEEDS) ?? DEFAULT_SEEDS;
  if (seed === undefined && from + count - 1 > MAX_SEED) throw new UsageError(`--from ${from} with --seeds ${count} passes the largest seed, ${MAX_SEED}`);
  return {
    config: {
      scenario: scenario.name, model, size: integer('size', v.size, 1, scenario.maxSize ?? MAX_SIZE), bug: v.bug,
      faults: v.faults === undefined ? DEFAULT_FAULTS : parseFaults(v.faults), latencyMs: SWEEP_LATENCY_MS,
    },
    seeds: seed !== undefined ? [seed] : Array.from({ length: count }, (_, i) => from + i),
    schedule: v.schedule === undefined ? undefined : parseSchedule(v.schedule),
    workers: integer('workers', v.workers, 1, MAX_WORKERS) ?? availableParallelism(),
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

/** Progress on stderr: a bar redrawn in place on a terminal, a line per tenth otherwise. */
function progress(total: number): (done: number, failed: number) => void {
  const tty = process.stderr.isTTY;
  let shown = 0;
  return (done, failed) => {
    if (tty) {
      const filled = Math.round((done / total) * BAR_WIDTH);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total} seeds, ${failed} failed${done === total ? '\n' : ''}`);
    } else if (Math.floor((done * 10) / total) > shown || done === total) {
      shown = Math.floor((done * 10) / total);
      process.stderr.write(`${done}/${total} seeds, ${failed} failed\n`);
    }
  };
}

/** Runs every seed on `workers` threads, and again those `check` picks; reports in seed order. */
async function sweep(config: SweepConfig, seeds: number[], workers: number, check: DeterminismCheck): Promise<SeedReport[]> {
  const reports: SeedReport[] = [];
  const show = progress(seeds.length);
  let next = 0;
  let failed = 0;
  const threads = Array.from({ length: Math.min(workers, seeds.length) }, () => new Worker(new URL('./sweep-worker.js', import.meta.url)));
  await Promise.all(threads.map((worker) => new Promise<void>((resolve, reject) => {
    const give = (): void => {
      if (next >= seeds.length) {
        void worker.terminate().then(() => resolve());
        return;
      }
      worker.postMessage({ config, seed: seeds[next++], check } satisfies SeedJob);
    };
    worker.on('message', (report: SeedReport) => {
      reports.push(report);
      if (!report.result.ok || (report.again !== null && report.again !== report.result.digest)) failed++;
      show(reports.length, failed);
      give();
    });
    worker.on('error', reject);
    give();
  })));
  return reports.sort((a, b) => a.result.seed - b.result.seed);
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
    process.stderr.write(`shrinking seed ${failing.seed}: run ${runs}, trying ${candidate.length} of ${failing.injections.length} faults\n`);
    return !(await runSeed(config, failing.seed, candidate)).ok;
  });
  const last = await runSeed(config, failing.seed, schedule);
  return { seed: failing.seed, from: failing.injections.length, schedule, failure: last.failure ?? '', reproduce: reproduceCommand(config, failing.seed, schedule) };
}

export async function run(args: string[]): Promise<number> {
  let options;
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
  const { config, seeds, schedule } = options;
  const hash = configHash(config);
  const commit = version();
  let reports: SeedReport[];
  if (schedule) {
    const result = await runSeed(config, seeds[0], schedule);
    reports = [{ result, again: checksDeterminism(options.check, result) ? (await runSeed(config, seeds[0], schedule)).digest : null }];
  } else reports = await sweep(config, seeds, options.workers, options.check);

  const failures = reports.filter((r) => !r.result.ok).map(({ result }) => ({
    seed: result.seed, failure: result.failure ?? '', faults: result.injections.length,
    reproduce: reproduceCommand(config, result.seed, schedule),
    viz: vizCommand(config, result.seed, schedule),
  }));
  const twice = reports.filter((r) => r.again !== null).length;
  const nondeterministic = reports.filter((r) => r.again !== null && r.again !== r.result.digest).map((r) => ({
    seed: r.result.seed, digests: [r.result.digest, r.again!], reproduce: reproduceCommand(config, r.result.seed, schedule),
  }));
  const firstFailing = reports.find((r) => !r.result.ok);
  const shrunk = options.shrink && firstFailing && !schedule ? await shrink(config, firstFailing.result) : undefined;
  const summary = {
    scenario: config.scenario, model: config.model, size: config.size ?? null, bug: config.bug ?? null,
    faults: schedule ? null : formatFaults(config.faults), schedule: schedule ? formatSchedule(schedule) : null,
    configHash: hash, commit, seeds: reports.length, passed: reports.length - failures.length, checkedTwice: twice, failures, nondeterministic, shrunk: shrunk ?? null,
  };
  if (options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else printSummary(summary, options.shrink && !firstFailing);
  if (options.trace !== undefined) {
    const { trace } = await runSeedTraced(config, seeds[0], schedule);
    try {
      await writeFile(options.trace, JSON.stringify(trace));
    } catch (e) {
      process.stderr.write(`io-reactor sim: cannot write the trace to ${options.trace}: ${(e as Error).message}\n`);
      return EXIT_FAILED;
    }
    process.stderr.write(`trace of seed ${seeds[0]} written to ${options.trace}${trace.failure ? ', its failure marked' : ''}; see it: npx io-reactor viz ${options.trace}\n`);
  }
  return failures.length > 0 || nondeterministic.length > 0 ? EXIT_FAILED : EXIT_OK;
}

function printSummary(s: {
  scenario: string; model: string; configHash: string; commit: string; seeds: number; passed: number;
  faults: string | null; schedule: string | null; checkedTwice: number;
  failures: { seed: number; failure: string; faults: number; reproduce: string; viz: string }[];
  nondeterministic: { seed: number; digests: string[]; reproduce: string }[];
  shrunk: Shrunk | null;
}, nothingToShrink: boolean): void {
  const out: string[] = [];
  out.push(`${s.scenario} (${s.model}, ${s.schedule ? `schedule ${s.schedule}` : `faults ${s.faults}`}): ${s.passed} of ${s.seeds} seeds passed; config ${s.configHash}, commit ${s.commit}`);
  for (const f of s.failures) {
    out.push('', `FAILED seed ${f.seed} (config ${s.configHash}, commit ${s.commit}, ${f.faults} faults injected)`, `  ${f.failure}`, `  reproduce: ${f.reproduce}`, `  see it:    ${f.viz}`);
  }
  for (const d of s.nondeterministic) {
    out.push('', `NONDETERMINISTIC seed ${d.seed}: two runs differ (digests ${d.digests.join(' vs ')}); reproduce: ${d.reproduce}`);
  }
  if (s.failures.length === 0 && s.nondeterministic.length === 0) {
    out.push(s.checkedTwice === s.seeds ? 'determinism: every seed ran twice with the same digest'
      : `determinism: ${s.checkedTwice} of ${s.seeds} seeds ran twice with the same digest (--check-determinism all runs every one twice)`);
  }
  if (s.shrunk) {
    out.push('', `SHRUNK seed ${s.shrunk.seed} from ${s.shrunk.from} faults to ${s.shrunk.schedule.length}: ${formatSchedule(s.shrunk.schedule)}`,
      `  ${s.shrunk.failure}`, `  reproduce: ${s.shrunk.reproduce}`);
  }
  if (nothingToShrink) out.push('--shrink: no seed failed, nothing to shrink');
  process.stdout.write(`${out.join('\n')}\n`);
}
