// A sweep's worker process: makes the runs it is handed, one at a time, each a fresh Simulation of
// one seed; the sweep's process (sweep.ts) decides which runs a seed takes and compares their
// digests. It ends when the sweep disconnects.
import { runSeed, type Recording, type RunResult } from './run-seed.js';
import type { SweepConfig } from './config.js';

export interface SeedRun {
  config: SweepConfig;
  seed: number;
  recording: Exclude<Recording, 'trace'>;
}

process.on('message', async (run: SeedRun) => {
  const result: RunResult = await runSeed(run.config, run.seed, undefined, run.recording);
  // The sweep may have ended meanwhile (interrupted): then there is no one to tell.
  if (process.connected) process.send!(result);
});
