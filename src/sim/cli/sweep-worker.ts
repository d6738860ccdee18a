// A sweep's worker thread: runs the seeds it is handed, and again those the determinism check
// picks, reporting both digests so the main thread can tell a nondeterministic run from a failing one.
import { parentPort } from 'node:worker_threads';
import { runSeed, type RunResult } from './run-seed.js';
import { checksDeterminism, type DeterminismCheck, type SweepConfig } from './config.js';

export interface SeedJob {
  config: SweepConfig;
  seed: number;
  check: DeterminismCheck;
}

export interface SeedReport {
  result: RunResult;
  /** The second run's digest, when the seed ran twice: it must equal result.digest. */
  again: string | null;
}

parentPort!.on('message', async (job: SeedJob) => {
  const result = await runSeed(job.config, job.seed);
  const again = checksDeterminism(job.check, result) ? (await runSeed(job.config, job.seed)).digest : null;
  parentPort!.postMessage({ result, again } satisfies SeedReport);
});
