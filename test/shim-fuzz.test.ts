// The shim's libFuzzer targets (test/native/fuzz_*.c: the request ring as the shim reads it, and
// parse_address), bounded for CI: each runs its committed seed corpus, the inputs that once
// crashed included, then mutates it for FUZZ_SECONDS under AddressSanitizer and
// UndefinedBehaviorSanitizer. A crash, a sanitizer report, a leak or a broken check fails the run.
// Longer runs: build/harness/fuzz_<target> -max_total_time=N <new-dir> test/native/corpus/<target>.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../../', import.meta.url).pathname;
const FUZZ_SECONDS = 5;
const RUN_LIMIT_MS = 120_000;
const TARGETS = ['request_ring', 'parse_address'];

const exe = (target: string): string => join(ROOT, 'build/harness', `fuzz_${target}`);
const corpus = (target: string): string => join(ROOT, 'test/native/corpus', target);

function fuzz(target: string, args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(exe(target), args, { encoding: 'utf8', timeout: RUN_LIMIT_MS });
  if (r.error) throw new Error(`${exe(target)} did not run (${r.error.message}); scripts/build-harness.mjs builds it`);
  return { status: r.status, stderr: r.stderr };
}

test.each(TARGETS)(
  '%s: every seed, then mutations for a few seconds, with no crash, sanitizer report or leak',
  (target) => {
    const found = mkdtempSync(join(tmpdir(), `io-reactor-fuzz-${target}-`));
    try {
      // New inputs go to the first directory, so the committed corpus is only read.
      const { status, stderr } = fuzz(target, [
        `-max_total_time=${FUZZ_SECONDS}`,
        '-print_final_stats=1',
        `-artifact_prefix=${found}/`,
        found,
        corpus(target),
      ]);
      const artifacts = readdirSync(found).filter((f) => /^(crash|leak|timeout|oom)-/.test(f));
      expect({ status, artifacts, report: stderr.match(/^(==\d+==ERROR|SUMMARY): .*$/gm) }).toEqual({
        status: 0,
        artifacts: [],
        report: null,
      });
      const runs = Number(/stat::number_of_executed_units:\s*(\d+)/.exec(stderr)?.[1]);
      expect(runs).toBeGreaterThan(readdirSync(corpus(target)).length);
    } finally {
      rmSync(found, { recursive: true, force: true });
    }
  },
  RUN_LIMIT_MS,
);

/** Inputs that once crashed a target, kept in its corpus under a name saying what they found. */
const REGRESSIONS: [target: string, input: string, found: string][] = [
  [
    'request_ring',
    'io-uring-remove-and-add-of-one-fd-in-one-batch-with-a-send-in-flight',
    // The driver gave both registrations one generation, which the core never does; the cancel's
    // completion then read as the new registration's send and indexed ops[-1]. Each add now has a
    // generation of its own, and the shim asserts a live send completion is its fd's head.
    "a heap overflow in the io_uring shim's send completion",
  ],
  [
    'request_ring',
    'driver-removes-everything-with-the-ring-nearly-full',
    // The driver's final removes went past the request ring's entries; it now cycles first.
    'the harness driver writing past the request ring',
  ],
];

test.each(REGRESSIONS)('%s: %s (once %s) runs clean', (target, input) => {
  const { status, stderr } = fuzz(target, [join(corpus(target), input)]);
  expect({ status, report: stderr.match(/^(==\d+==ERROR|SUMMARY): .*$/gm) }).toEqual({ status: 0, report: null });
});
