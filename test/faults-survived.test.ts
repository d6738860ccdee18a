// Every fault the simulator has, survived by the shipped scenarios: a listener out of fds keeps
// serving, and a client whose connection is lost (reset, refused, half-closed, partitioned)
// connects again, a crashed host boots again. The 10,000-seed sweep is the matrix command below
// with --seeds 10000.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
/** Seeds 9 and 10 of each combination: the determinism check runs seed 10 twice. */
const MATRIX_FROM = 9;
const MATRIX_SEEDS = 2;
const SPAWNING_TEST_MS = 180_000;
const FLAVORS = ['readiness/epoll', 'readiness/poll', 'completion/epoll', 'completion/poll', 'completion/iocp', 'completion/io_uring'];
const EVERY_COMBINATION = [...['chat', 'echo', 'upload'].flatMap((s) => FLAVORS.map((f) => `${s} ${f}`)), 'kv readiness/epoll'];

interface Combination {
  scenario: string;
  model: string;
  mechanism: string;
  seeds: number;
  passed: number;
  checkedTwice: number;
  failures: unknown[];
  nondeterministic: unknown[];
}

function sim(...args: string[]): {
  code: number | null;
  summary: { seeds: number; passed: number; failures: { failure: string }[]; nondeterministic: unknown[] };
} {
  const r = spawnSync(process.execPath, [MAIN, 'sim', ...args, '--workers', '2', '--json'], { encoding: 'utf8', timeout: 150_000 });
  return { code: r.status, summary: JSON.parse(r.stdout) };
}

test.each(['readiness', 'completion'])(
  'echo survives EMFILE on accept beside a partial read and a half-close (%s)',
  (model) => {
    const { code, summary } = sim('echo', '--seed', '1', '--model', model, '--schedule', 'partialRead@0,emfile@0,halfClose@3');
    expect({ code, failures: summary.failures }).toEqual({ code: 0, failures: [] });
  },
  SPAWNING_TEST_MS,
);

// Found by the 10,000-seed sweep: a send that a fault cut short inside a linked chain left its
// head queued, and the cancelled parts behind it tripped the io_uring shim's assertion (abort).
test(
  'echo over io_uring survives a short linked send beside a half-close (sweep seed 179, shrunk)',
  () => {
    const { code, summary } = sim(
      'echo',
      '--seed',
      '179',
      '--model',
      'completion',
      '--mechanism',
      'io_uring',
      '--schedule',
      'partialWrite@143,halfClose@143',
    );
    expect({ code, failures: summary.failures }).toEqual({ code: 0, failures: [] });
  },
  SPAWNING_TEST_MS,
);

// The bounded CI version of the 10,000-seed sweep: every scenario in every model over every
// mechanism the simulator has, every fault kind on (crash too), the oracle on, a few seeds each.
test(
  `every scenario × model × mechanism passes ${MATRIX_SEEDS} seeds under --faults all, the oracle on, deterministically`,
  () => {
    const r = spawnSync(
      process.execPath,
      [
        MAIN,
        'sim',
        'all',
        '--model',
        'all',
        '--mechanism',
        'all',
        '--faults',
        'all',
        '--seeds',
        String(MATRIX_SEEDS),
        '--from',
        String(MATRIX_FROM),
        '--workers',
        '2',
        '--json',
      ],
      { encoding: 'utf8', timeout: 170_000 },
    );
    const summary = JSON.parse(r.stdout) as { oracle: boolean; combinations: Combination[] };
    const got = summary.combinations.map((c) => ({
      flavor: `${c.scenario} ${c.model}/${c.mechanism}`,
      seeds: c.seeds,
      passed: c.passed,
      failures: c.failures,
      nondeterministic: c.nondeterministic,
    }));
    expect(got).toEqual(
      EVERY_COMBINATION.map((flavor) => ({ flavor, seeds: MATRIX_SEEDS, passed: MATRIX_SEEDS, failures: [], nondeterministic: [] })),
    );
    expect({ code: r.status, oracle: summary.oracle, checkedTwice: summary.combinations.every((c) => c.checkedTwice === 1) }).toEqual({
      code: 0,
      oracle: true,
      checkedTwice: true,
    });
  },
  SPAWNING_TEST_MS,
);
