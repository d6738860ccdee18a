// Runs a sweep's jobs (one seed of one config each) on worker processes and gathers each config's
// verdicts. A seed's runs are handed out one by one, so every worker stays busy to the end: the two
// runs of a seed the determinism check picks ahead go to whichever workers are free, side by side,
// and a failing seed's check runs go first in line. Only runs whose digest is compared compute
// one. A worker that dies mid-run fails that run and is replaced, and a time limit stops starting
// seeds (those started finish), so what ran is always reported exactly.
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { checkedAhead, type DeterminismCheck, type SweepConfig } from './config.js';
import type { RunResult } from './run-seed.js';
import type { SeedRun } from './sweep-worker.js';

export interface Job {
  /** Index into the sweep's configs. */
  config: number;
  seed: number;
}

/** A seed's verdict, and its determinism check's second digest. */
export interface SeedReport {
  result: RunResult;
  /** The second run's digest, when the seed ran twice: it must equal result.digest. */
  again: string | null;
}

/** What one config's seeds came to. */
export interface ConfigRun {
  reports: SeedReport[];
  /** Milliseconds its runs took on their workers, summed (determinism reruns included). */
  runMs: number;
}

export interface SweepOptions {
  workers: number;
  check: DeterminismCheck;
  /** No seed is started after this many ms from the start (the runs of those started finish). */
  timeLimitMs: number;
  /** Called after each seed, with the seeds done and how many failed. */
  progress(done: number, failed: number): void;
  /** Called at once for a seed that failed or ran nondeterministically. */
  failed(config: number, report: SeedReport): void;
}

export interface SweepRun {
  runs: ConfigRun[];
  /** Jobs never started because the time limit came first. */
  skipped: number;
  wallMs: number;
}

/**
 * A worker's semi-space, in MiB (V8's default is 16). A chat seed of 1000 clients allocates ~180
 * MiB of short-lived objects beside a live state of its own (every host's reactor, kernel and
 * program), which each scavenge copied: larger semi-spaces scavenge a quarter as often.
 */
export const WORKER_SEMI_SPACE_MB = 64;

/**
 * The bytecode V8 inlines into one optimized function in a sweep's worker, against its default
 * 920: a worker's compiles run on its own thread (below), and the simulation's hot paths each
 * inlined the whole call tree under them, so a worker's first seeds were a third compiling. At 150
 * a 20-seed chat sweep of 1000 clients on 2 workers takes 16 % less wall time, a 40-seed one 10 %;
 * the steady seed is no slower.
 */
export const WORKER_INLINED_BYTECODE = 150;

/**
 * The V8 flags of a sweep's worker processes (after the sweep's own, so a profiler's reach them).
 * When the workers take every core, each runs V8 single-threaded: its optimizing compiles and its
 * collector's work run on its own thread when they fall due instead of on V8's helper threads,
 * which had no free core and took one from the other worker (a 40-seed chat sweep of 1000 clients
 * on 2 workers and 2 cores: 8 % less wall time). With a core to spare, the helpers use it.
 */
export function workerFlags(workers: number): string[] {
  const flags = [...process.execArgv, `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`];
  if (workers >= availableParallelism())
    flags.push('--single-threaded', `--max-inlined-bytecode-size-cumulative=${WORKER_INLINED_BYTECODE}`);
  return flags;
}

/**
 * The end of what a worker wrote to stderr, kept to say why it died: V8's fatal errors and an
 * uncaught exception's stack are written there as the process ends.
 */
const STDERR_TAIL_BYTES = 16 * 1024;

/** A seed under way: the runs it has had and how many more are out. */
interface Started {
  job: Job;
  /** Whether the check runs it twice whatever its verdict (both runs are asked at its start). */
  ahead: boolean;
  /** By the order they were asked, whichever ended first. */
  results: RunResult[];
  out: number;
}

/** A run waiting for a worker. */
interface Queued {
  seed: Started;
  /** Its place in the seed's results. */
  slot: number;
  recording: SeedRun['recording'];
}

/**
 * A seed's report from its runs. Checked ahead: two digested runs (the one that failed reported,
 * if either did). Otherwise one run for the verdict and, when it failed under the check, two
 * digested runs after it: they must end as it did (else the first stands with no digest, which no
 * digest equals) and alike.
 */
function reportOf(seed: Started): SeedReport {
  const [first, second, third] = seed.results;
  if (seed.ahead) {
    const [result, other] = !first.ok || second.ok ? [first, second] : [second, first];
    return { result, again: other.digest };
  }
  if (!second) return { result: first, again: null };
  const sameEnd = second.ok === first.ok && second.failure === first.failure;
  return sameEnd ? { result: { ...first, digest: second.digest }, again: third.digest } : { result: first, again: second.digest };
}

/** The run a worker that died made of a job: it fails, saying why. */
function deathOf(seed: number, how: string, stderr: string): RunResult {
  return {
    seed,
    ok: false,
    failure: `the run's worker process ${how} outside the scenario's programs${stderr ? `; it wrote:\n${stderr}` : ''}`,
    injections: [],
    digest: null,
  };
}

export async function sweepJobs(configs: SweepConfig[], jobs: Job[], options: SweepOptions): Promise<SweepRun> {
  const runs: ConfigRun[] = configs.map(() => ({ reports: [], runMs: 0 }));
  const started = performance.now();
  const queue: Queued[] = [];
  let next = 0;
  let done = 0;
  let failed = 0;
  const timeUp = (): boolean => performance.now() - started >= options.timeLimitMs;

  /** The next run for a free worker: a queued run of a started seed first, else a new seed's. */
  const take = (): Queued | undefined => {
    const queued = queue.shift();
    if (queued || next >= jobs.length || timeUp()) return queued;
    const job = jobs[next++];
    const ahead = checkedAhead(options.check, job.seed);
    const seed: Started = { job, ahead, results: [], out: ahead ? 2 : 1 };
    if (ahead) queue.unshift({ seed, slot: 1, recording: 'digest' });
    return { seed, slot: 0, recording: ahead ? 'digest' : 'verdict' };
  };

  const finish = ({ seed, slot }: Queued, result: RunResult, ms: number): void => {
    const { job } = seed;
    runs[job.config].runMs += ms;
    seed.results[slot] = result;
    if (--seed.out > 0) return;
    if (!seed.ahead && slot === 0 && !result.ok && options.check !== 'off') {
      seed.out = 2;
      queue.unshift({ seed, slot: 1, recording: 'digest' }, { seed, slot: 2, recording: 'digest' });
      return;
    }
    const report = reportOf(seed);
    runs[job.config].reports.push(report);
    done++;
    if (!report.result.ok || (report.again !== null && report.again !== report.result.digest)) {
      failed++;
      options.failed(job.config, report);
    }
    options.progress(done, failed);
  };

  const flags = workerFlags(options.workers);
  const script = fileURLToPath(new URL('./sweep-worker.js', import.meta.url));

  /** One worker process's loop: takes runs until none are left (or time is up). */
  const loop = (): Promise<void> =>
    new Promise((resolve, reject) => {
      let current: { run: Queued; since: number } | null = null;
      let stderr = '';
      const spawn = (): ChildProcess => {
        stderr = '';
        // Structured clone, as a worker thread's messages: a result's undefined fields stay undefined.
        const child = fork(script, [], { execArgv: flags, serialization: 'advanced', stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
        child.stderr!.setEncoding('utf8');
        child.stderr!.on('data', (text: string) => {
          process.stderr.write(text);
          stderr = (stderr + text).slice(-STDERR_TAIL_BYTES);
        });
        // A process that never started fails the sweep (a fresh one would fail alike); one whose
        // channel failed is dying, and its exit fails its run.
        child.on('error', (e: Error) => {
          if (child.pid === undefined)
            reject(new Error(`io-reactor sim: a sweep worker process did not start (${e.message}); try fewer --workers`));
          else stderr += `\n${e.message}`;
        });
        child.on('message', (result: RunResult) => {
          finish(current!.run, result, performance.now() - current!.since);
          give();
        });
        // Died mid-run (an uncaught throw in a timer, a stray 'error' emit, V8 out of memory): the
        // run fails with all it wrote (once its stderr has ended), and a fresh worker takes the
        // next one.
        child.on('exit', (code, signal) => {
          if (!current || child.pid === undefined) return;
          const { run, since } = current;
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          const fail = (): void => {
            finish(run, deathOf(run.seed.job.seed, how, stderr.trim()), performance.now() - since);
            worker = spawn();
            give();
          };
          if (child.stderr!.readableEnded) fail();
          else child.stderr!.once('end', fail);
        });
        return child;
      };
      let worker = spawn();
      const give = (): void => {
        const run = take();
        if (!run) {
          current = null;
          worker.once('exit', () => resolve());
          worker.disconnect();
          return;
        }
        current = { run, since: performance.now() };
        const { config, seed } = run.seed.job;
        worker.send({ config: configs[config], seed, recording: run.recording } satisfies SeedRun);
      };
      give();
    });
  await Promise.all(Array.from({ length: Math.min(options.workers, jobs.length) }, loop));
  for (const run of runs) run.reports.sort((a, b) => a.result.seed - b.result.seed);
  return { runs, skipped: jobs.length - next, wallMs: performance.now() - started };
}
