// A sweep's worker thread: makes the runs it is handed, one at a time, each a fresh Simulation of
// one seed; the main thread (sweep.ts) decides which runs a seed takes and compares their digests.
import { parentPort } from 'node:worker_threads';
import { runSeed, type Recording, type RunResult } from './run-seed.js';
import type { SweepConfig } from './config.js';

export interface SeedRun {
  config: SweepConfig;
  seed: number;
  recording: Exclude<Recording, 'trace'>;
}

parentPort!.on('message', async (run: SeedRun) => {
  const result: RunResult = await runSeed(run.config, run.seed, undefined, run.recording);
  parentPort!.postMessage(result);
});
