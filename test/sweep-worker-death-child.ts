// Run by sweep-worker-death.test.ts in a process of its own, under a small --max-old-space-size
// that the sweep's worker processes inherit: a sweep alternating chat seeds too big for that heap
// with seeds that fit. Prints its reports as one JSON line.
import { sweepJobs } from '../src/sim/cli/sweep.js';
import { DEFAULT_FAULTS, SWEEP_LATENCY_MS, type SweepConfig } from '../src/sim/cli/config.js';

const chat = (size: number): SweepConfig => ({
  scenario: 'chat',
  model: 'readiness',
  size,
  faults: DEFAULT_FAULTS,
  latencyMs: SWEEP_LATENCY_MS,
});
const configs = [chat(3000), chat(2)];
const jobs = [0, 1, 0, 1].map((config, i) => ({ config, seed: 1 + i }));
const sweep = await sweepJobs(configs, jobs, {
  workers: 1,
  check: 'off',
  timeLimitMs: Infinity,
  progress: () => {},
  failed: () => {},
});
process.stdout.write(
  `${JSON.stringify(sweep.runs.map((run) => run.reports.map(({ result }) => ({ seed: result.seed, ok: result.ok, failure: result.failure ?? null }))))}\n`,
);
