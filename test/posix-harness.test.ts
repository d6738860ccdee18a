// The POSIX shim's C harness (test/native/posix_harness.c) over real loopback sockets, three ways:
// under AddressSanitizer + UndefinedBehaviorSanitizer, under ThreadSanitizer, and under valgrind
// memcheck with leak checking. Each case is one jest test per way; a sanitizer's or valgrind's
// report fails the run (they exit non-zero), and a missing build fails every case
// (scripts/build-harness.mjs builds them, installing clang-14 and valgrind when missing).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';

const ROOT = new URL('../../../', import.meta.url).pathname;
/** Random requests per mechanism: bounded for CI; `posix_harness_asan N SEED` runs more. */
const RANDOM_OPS = 20_000;
/** valgrind runs the harness some 30 times slower. */
const RANDOM_OPS_UNDER_VALGRIND = 2_000;
const RUN_LIMIT_MS = 120_000;

const CASES = [
  'readiness reports a readable socket',
  'modify changes what readiness reports',
  'add of a closed fd fails with EBADF',
  'completion: send and recv complete with their bytes',
  'completion: every queued read ends with 0 bytes when the peer closes',
  'completion: accept completes with the new fd',
  'remove cancels queued operations without ending the wait',
  'completion: a read with no buffer lent is starved, and resumed it completes',
  'a close request closes the fd',
  'wakeup from another thread ends a wait',
];

interface Run {
  lines: string[];
  status: number | null;
  stderr: string;
}

function runHarness(build: 'asan' | 'tsan' | 'plain', ops: number): Run {
  const exe = join(ROOT, 'build/harness', `posix_harness_${build}`);
  const [command, args] =
    build === 'plain'
      ? [
          'valgrind',
          ['-q', '--error-exitcode=99', '--leak-check=full', '--errors-for-leak-kinds=all', '--show-leak-kinds=all', exe, String(ops)],
        ]
      : [exe, [String(ops)]];
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: RUN_LIMIT_MS });
  if (r.error) throw new Error(`${command} did not run (${r.error.message}); scripts/build-harness.mjs builds it`);
  return { lines: r.stdout.split('\n'), status: r.status, stderr: r.stderr };
}

const WAYS = [
  ['AddressSanitizer + UndefinedBehaviorSanitizer', 'asan', RANDOM_OPS],
  ['ThreadSanitizer', 'tsan', RANDOM_OPS],
  ['valgrind memcheck', 'plain', RANDOM_OPS_UNDER_VALGRIND],
] as const;

describe.each(WAYS)('the POSIX shim harness under %s', (_, build, ops) => {
  let run: Run | undefined;
  const result = (): Run => (run ??= runHarness(build, ops));
  const expectCase = (name: string): void => {
    const line = result().lines.find((l) => l.endsWith(`- ${name}`) || l.includes(`- ${name}:`));
    expect(line).toBe(`ok - ${name}`);
  };

  for (const mechanism of ['epoll', 'poll']) {
    for (const name of CASES) test(`${mechanism}: ${name}`, () => expectCase(`${mechanism}: ${name}`), RUN_LIMIT_MS);
    test(
      `${mechanism}: ${ops} random requests keep every context accounted for`,
      () => expectCase(`${mechanism}: ${ops} random requests keep every context accounted for`),
      RUN_LIMIT_MS,
    );
  }
  const staleTaskRun = 'io_uring: an enter that does not wait returns when the task work it is told of is done';
  test(staleTaskRun, () => expectCase(staleTaskRun), RUN_LIMIT_MS);
  test(
    'exits 0: no sanitizer report, no memory error, no leak',
    () => {
      const { status, stderr } = result();
      expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    },
    RUN_LIMIT_MS,
  );
});
