// A sweep's worker thread: runs the seeds it is handed, each twice, and reports both digests so
// the main thread can tell a nondeterministic run from a failing one.
import { parentPort } from 'node:worker_threads';
import { runSeed, type RunResult } from './run-seed.js';
import type { SweepConfig } from './config.js';

export interface SeedJob {
  config: SweepConfig;
  seed: number;
}

export interface SeedReport {
  result: RunResult;
  /** The second run's digest: it must equal result.digest. */
  again: string;
}

parentPort!.on('message', async (job: SeedJob) => {
  const result = await runSeed(job.config, job.seed);
  const again = await runSeed(job.config, job.seed);
  parentPort!.postMessage({ result, again: again.digest } satisfies SeedReport);
});
