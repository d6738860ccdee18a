// Runs a sweep's jobs (one seed of one config each) on worker threads, in the order given, and
// gathers each config's verdicts: a worker that dies mid-run fails its job and is replaced, and a
// time limit stops handing out jobs, so what ran is always reported exactly.
import { Worker } from 'node:worker_threads';
import type { DeterminismCheck, SweepConfig } from './config.js';
import type { SeedJob, SeedReport } from './sweep-worker.js';

export interface Job {
  /** Index into the sweep's configs. */
  config: number;
  seed: number;
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
  /** No job is handed out after this many ms from the start (those running finish). */
  timeLimitMs: number;
  /** Called after each job, with the jobs done and how many failed. */
  progress(done: number, failed: number): void;
  /** Called at once for a job that failed or ran nondeterministically. */
  failed(config: number, report: SeedReport): void;
}

export interface SweepRun {
  runs: ConfigRun[];
  /** Jobs never handed out because the time limit came first. */
  skipped: number;
  wallMs: number;
}

export async function sweepJobs(configs: SweepConfig[], jobs: Job[], options: SweepOptions): Promise<SweepRun> {
  const runs: ConfigRun[] = configs.map(() => ({ reports: [], runMs: 0 }));
  const started = performance.now();
  let next = 0;
  let done = 0;
  let failed = 0;
  const timeUp = (): boolean => performance.now() - started >= options.timeLimitMs;
  const finish = (job: Job, report: SeedReport, ms: number): void => {
    runs[job.config].reports.push(report);
    runs[job.config].runMs += ms;
    done++;
    if (!report.result.ok || (report.again !== null && report.again !== report.result.digest)) {
      failed++;
      options.failed(job.config, report);
    }
    options.progress(done, failed);
  };

  /** One worker thread's loop: takes jobs until none are left (or time is up). */
  const thread = (): Promise<void> =>
    new Promise((resolve) => {
      let worker = new Worker(new URL('./sweep-worker.js', import.meta.url));
      let current: { job: Job; since: number } | null = null;
      const give = (): void => {
        if (next >= jobs.length || timeUp()) {
          current = null;
          void worker.terminate().then(() => resolve());
          return;
        }
        const job = jobs[next++];
        current = { job, since: performance.now() };
        worker.postMessage({ config: configs[job.config], seed: job.seed, check: options.check } satisfies SeedJob);
      };
      const listen = (): void => {
        worker.on('message', (report: SeedReport) => {
          finish(current!.job, report, performance.now() - current!.since);
          give();
        });
        // An error nothing in the run caught (a stray emit of 'error', a throw in a timer): the seed
        // fails with it, and a fresh worker takes the next job.
        worker.on('error', (e: Error) => {
          if (!current) return;
          const { job, since } = current;
          finish(
            job,
            {
              result: {
                seed: job.seed,
                ok: false,
                failure: `the run threw outside the scenario's programs: ${e.stack ?? e.message}`,
                injections: [],
                digest: '',
              },
              again: null,
            },
            performance.now() - since,
          );
          worker = new Worker(new URL('./sweep-worker.js', import.meta.url));
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
