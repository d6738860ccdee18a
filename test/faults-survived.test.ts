// Every fault the simulator has, survived by the shipped scenarios: a listener out of fds keeps
// serving, and a client whose connection is lost (reset, refused, half-closed, partitioned)
// connects again. A bounded `--faults all` sweep of each scenario in each model; the 10,000-seed
// sweep is the same command with --seeds 10000.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const SWEEP_SEEDS = 12;
const SPAWNING_TEST_MS = 180_000;

function sim(...args: string[]): { code: number | null; summary: { seeds: number; passed: number; failures: { failure: string }[]; nondeterministic: unknown[] } } {
  const r = spawnSync(process.execPath, [MAIN, 'sim', ...args, '--workers', '2', '--json'], { encoding: 'utf8', timeout: 150_000 });
  return { code: r.status, summary: JSON.parse(r.stdout) };
}

test.each(['readiness', 'completion'])('echo survives EMFILE on accept beside a partial read and a half-close (%s)', (model) => {
  const { code, summary } = sim('echo', '--seed', '1', '--model', model, '--schedule', 'partialRead@0,emfile@0,halfClose@3');
  expect({ code, failures: summary.failures }).toEqual({ code: 0, failures: [] });
}, SPAWNING_TEST_MS);

describe.each(['echo', 'upload'])('%s under --faults all', (scenario) => {
  test.each(['readiness', 'completion'])(`${SWEEP_SEEDS} seeds pass, deterministically (%s)`, (model) => {
    const { code, summary } = sim(scenario, '--model', model, '--faults', 'all', '--seeds', String(SWEEP_SEEDS));
    expect({ code, passed: summary.passed, failures: summary.failures, nondeterministic: summary.nondeterministic })
      .toEqual({ code: 0, passed: SWEEP_SEEDS, failures: [], nondeterministic: [] });
  }, SPAWNING_TEST_MS);
});
