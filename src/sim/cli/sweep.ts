// Runs a sweep's jobs (one seed of one config each) on worker threads and gathers each config's
// verdicts. A seed's runs are handed out one by one, so every worker stays busy to the end: the two
// runs of a seed the determinism check picks ahead go to whichever workers are free, side by side,
// and a failing seed's check runs go first in line. Only runs whose digest is compared compute
// one. A worker that dies mid-run fails that run and is replaced, and a time limit stops starting
// seeds (those started finish), so what ran is always reported exactly.
import { Worker } from 'node:worker_threads';
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
 * The young generation of a worker's heap, in MiB (V8's default is 48: 16 MiB semi-spaces). A
 * chat seed of 1000 clients allocates ~180 MiB of short-lived objects beside a live state of its
 * own (every host's reactor, kernel and program), which each scavenge copied: larger semi-spaces
 * scavenge a third as often.
 */
export const WORKER_YOUNG_GENERATION_MB = 192;

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
function deathOf(seed: number, e: Error): RunResult {
  return {
    seed,
    ok: false,
    failure: `the run threw outside the scenario's programs: ${e.stack ?? e.message}`,
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

  /** One worker thread's loop: takes runs until none are left (or time is up). */
  const thread = (): Promise<void> =>
    new Promise((resolve) => {
      const spawn = (): Worker =>
        new Worker(new URL('./sweep-worker.js', import.meta.url), {
          resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
        });
      let worker = spawn();
      let current: { run: Queued; since: number } | null = null;
      const give = (): void => {
        const run = take();
        if (!run) {
          current = null;
          void worker.terminate().then(() => resolve());
          return;
        }
        current = { run, since: performance.now() };
        const { config, seed } = run.seed.job;
        worker.postMessage({ config: configs[config], seed, recording: run.recording } satisfies SeedRun);
      };
      const listen = (): void => {
        worker.on('message', (result: RunResult) => {
          finish(current!.run, result, performance.now() - current!.since);
          give();
        });
        // An error nothing in the run caught (a stray emit of 'error', a throw in a timer): the run
        // fails with it, and a fresh worker takes the next one.
        worker.on('error', (e: Error) => {
          if (!current) return;
          const { run, since } = current;
          finish(run, deathOf(run.seed.job.seed, e), performance.now() - since);
          worker = spawn();
          listen();
          give();
        });
      };
      listen();
      give();
    });
  await Promise.all(Array.from({ length: Math.min(options.workers, jobs.length) }, thread));
  for (const run of runs) run.reports.sort((a, b) => a.result.seed - b.result.seed);
  return { runs, skipped: jobs.length - next, wallMs: performance.now() - started };
}
