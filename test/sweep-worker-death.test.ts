// A sweep's worker process that dies mid-run (here V8 out of memory, which no try/catch sees) fails
// that run, saying how it died and what it wrote, and a fresh worker runs the seeds after it: the
// sweep reports every seed exactly.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./sweep-worker-death-child.js', import.meta.url));

test('a worker process that dies fails its run with why, and the sweep goes on', () => {
  // 3000 chat clients need well over 40 MiB of heap; two need a few.
  const r = spawnSync(process.execPath, ['--max-old-space-size=40', CHILD], { encoding: 'utf8', timeout: 120_000 });
  expect(r.status).toBe(0);
  const [big, small] = JSON.parse(r.stdout.trim()) as { seed: number; ok: boolean; failure: string | null }[][];
  expect(small).toEqual([
    { seed: 2, ok: true, failure: null },
    { seed: 4, ok: true, failure: null },
  ]);
  expect(big.map((b) => b.seed)).toEqual([1, 3]);
  for (const died of big) {
    expect(died.ok).toBe(false);
    expect(died.failure).toMatch(
      /^the run's worker process (was killed by SIG[A-Z]+|exited with code \d+) outside the scenario's programs; it wrote:\n/,
    );
    expect(died.failure).toMatch(/heap out of memory/i);
  }
}, 120_000);
