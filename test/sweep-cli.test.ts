// The sweep CLI as a user runs it: `io-reactor sim <scenario> ...` in its own process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTrace } from '../src/viz/parse.js';

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
/** Each test spawns the CLI several times, each a fresh process loading the simulation. */
const SPAWNING_TEST_MS = 180_000;

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Summary {
  seeds: number;
  passed: number;
  configHash: string;
  commit: string;
  failures: { seed: number; failure: string; reproduce: string }[];
  nondeterministic: unknown[];
  shrunk: { seed: number; schedule: { kind: string; occasion: number }[]; reproduce: string } | null;
}

/** A seed the upload scenario's planted bug fails at the default fault rates. */
const FAILING_UPLOAD_SEED = '1';

const schedule = (s: { kind: string; occasion: number }[]): string =>
  s.length ? s.map((i) => `${i.kind}@${i.occasion}`).join(',') : 'none';

test(
  'a sweep finds the planted bug, and --shrink cuts it to a minimal fault schedule that still fails',
  () => {
    const r = cli('sim', 'upload', '--bug', 'ignore-partial-write', '--seeds', '3', '--workers', '2', '--shrink', '--json');
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.stdout) as Summary;
    expect(summary.failures.length).toBeGreaterThan(0);
    expect(summary.failures[0]).toEqual(expect.objectContaining({ failure: expect.stringContaining('arrived corrupt') }));
    expect(summary.failures[0].reproduce).toContain(`--seed ${summary.failures[0].seed}`);
    expect(summary.commit).toMatch(/^[0-9a-f]{40}$|^io-reactor /);
    expect(summary.nondeterministic).toEqual([]);
    const shrunk = summary.shrunk!;
    expect(shrunk.schedule.length).toBeGreaterThan(0);
    expect(shrunk.schedule.length).toBeLessThanOrEqual(3);

    const replay = (s: { kind: string; occasion: number }[]): number | null =>
      cli('sim', 'upload', '--bug', 'ignore-partial-write', '--seed', String(shrunk.seed), '--schedule', schedule(s)).code;
    expect(replay(shrunk.schedule)).toBe(1);
    for (let i = 0; i < shrunk.schedule.length; i++) expect(replay(shrunk.schedule.filter((_, j) => j !== i))).toBe(0);
  },
  SPAWNING_TEST_MS,
);

test(
  'the reproduce command of a failing seed fails the same way',
  () => {
    const first = JSON.parse(
      cli('sim', 'upload', '--bug', 'ignore-partial-write', '--seeds', '1', '--from', '5', '--workers', '1', '--json').stdout,
    ) as Summary;
    expect(first.failures).toHaveLength(1);
    const args = first.failures[0].reproduce.replace(/^npx io-reactor /, '').split(' ');
    const again = cli(...args);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(first.failures[0].failure);
    expect(again.stdout).toContain(`config ${first.configHash}`);
  },
  SPAWNING_TEST_MS,
);

test(
  'a correct app passes every seed under faults, in both models, each seed run twice alike',
  () => {
    for (const model of ['readiness', 'completion']) {
      const r = cli('sim', 'upload', '--seeds', '4', '--model', model, '--workers', '2', '--json');
      expect(r.code).toBe(0);
      const summary = JSON.parse(r.stdout) as Summary;
      expect(summary).toEqual(expect.objectContaining({ seeds: 4, passed: 4, failures: [], nondeterministic: [] }));
    }
    const text = cli('sim', 'echo', '--seeds', '2', '--size', '3', '--workers', '1', '--check-determinism', 'all');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('2 of 2 seeds passed');
    expect(text.stdout).toContain('determinism: every seed ran twice with the same digest');
  },
  SPAWNING_TEST_MS,
);

test(
  'by default the determinism check runs every failing seed twice, and one passing seed in ten',
  () => {
    const passing = JSON.parse(
      cli('sim', 'echo', '--seeds', '12', '--from', '6', '--size', '1', '--workers', '2', '--json').stdout,
    ) as Summary & { checkedTwice: number };
    expect(passing).toEqual(expect.objectContaining({ seeds: 12, passed: 12, checkedTwice: 1, nondeterministic: [] }));
    const failing = JSON.parse(
      cli('sim', 'upload', '--bug', 'ignore-partial-write', '--seeds', '3', '--workers', '2', '--json').stdout,
    ) as Summary & { checkedTwice: number };
    expect(failing.failures.length).toBeGreaterThan(0);
    expect(failing.checkedTwice).toBe(failing.failures.length);
    const off = JSON.parse(
      cli('sim', 'upload', '--bug', 'ignore-partial-write', '--seeds', '3', '--workers', '2', '--json', '--check-determinism', 'off')
        .stdout,
    ) as Summary & { checkedTwice: number };
    expect(off.checkedTwice).toBe(0);
  },
  SPAWNING_TEST_MS,
);

test(
  'a program that reads the wall clock passes every seed and the determinism check catches it: the sampled seed, or every seed with all',
  () => {
    // The sampled seed's two runs go to the two workers side by side.
    const sampled = cli('sim', 'echo', '--bug', 'wall-clock', '--seeds', '10', '--size', '2', '--workers', '2', '--json');
    expect(sampled.code).toBe(1);
    const summary = JSON.parse(sampled.stdout) as Omit<Summary, 'nondeterministic'> & {
      checkedTwice: number;
      nondeterministic: { seed: number }[];
    };
    expect(summary).toEqual(expect.objectContaining({ seeds: 10, passed: 10, checkedTwice: 1 }));
    expect(summary.nondeterministic.map((d) => d.seed)).toEqual([5]);
    const all = cli('sim', 'echo', '--bug', 'wall-clock', '--seeds', '3', '--size', '2', '--workers', '1', '--check-determinism', 'all');
    expect(all.code).toBe(1);
    expect(all.stdout.match(/^NONDETERMINISTIC seed \d+/gm)).toEqual([
      'NONDETERMINISTIC seed 1',
      'NONDETERMINISTIC seed 2',
      'NONDETERMINISTIC seed 3',
    ]);
  },
  SPAWNING_TEST_MS,
);

test(
  'a matrix prints a line per model × mechanism, and each failure with its reproduce command and the trace command that shows it',
  () => {
    const r = cli(
      'sim',
      'upload',
      '--model',
      'all',
      '--mechanism',
      'all',
      '--bug',
      'ignore-partial-write',
      '--seeds',
      '2',
      '--workers',
      '2',
    );
    expect(r.code).toBe(1);
    const table = r.stdout
      .split('\n')
      .filter((l) => /^upload\s/.test(l))
      .map((l) => l.split(/\s+/).slice(0, 4).join(' '));
    expect(table).toEqual(
      ['readiness/epoll', 'readiness/poll', 'completion/epoll', 'completion/poll', 'completion/iocp', 'completion/io_uring'].map(
        (f) => `upload ${f.replace('/', ' ')} 2`,
      ),
    );
    expect(r.stdout).toMatch(/^sweep of 6 combinations, seeds 1\.\.2 on each, faults partialWrite=0\.05,stall=0\.02, oracle on/);
    const failed =
      /FAILED seed (\d+) \(upload, (\w+)\/(\w+),[^\n]*\n {2}[^\n]*arrived corrupt[^\n]*\n {2}reproduce: (npx io-reactor [^\n]+)\n {2}see it: {4}(npx io-reactor [^\n]+); npx io-reactor viz (\S+)/.exec(
        r.stdout,
      );
    expect(failed).not.toBeNull();
    const [, seed, model, mechanism, reproduce, save, file] = failed!;
    expect(reproduce).toBe(
      `npx io-reactor sim upload --seed ${seed} --model ${model} --mechanism ${mechanism} --bug ignore-partial-write --faults partialWrite=0.05,stall=0.02`,
    );
    expect(save).toBe(`${reproduce} --trace ${file}`);
    // The trace command saves a trace the visualizer takes, of the failing run.
    const dir = mkdtempSync(join(tmpdir(), 'sweep-trace-'));
    const saved = spawnSync(process.execPath, [MAIN, ...save.replace(/^npx io-reactor /, '').split(' ')], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(saved.status).toBe(1);
    expect(saved.stderr).toContain(`written to ${file}, its failure marked; see it: npx io-reactor viz ${file}`);
    const trace = parseTrace(readFileSync(join(dir, file), 'utf8'), file);
    expect(trace.reactors.map((x) => x.mechanism)).toContain(mechanism);
    rmSync(dir, { recursive: true });
  },
  SPAWNING_TEST_MS,
);

test(
  'a trace that cannot be written is its own error, and a run that passed does not claim to have failed for it (exit 3)',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-trace-'));
    const file = join(dir, 'missing', 'x.json');
    const passed = cli('sim', 'echo', '--seed', '1', '--trace', file);
    expect(passed.code).toBe(3);
    expect(passed.stdout).toContain('1 of 1 seeds passed');
    expect(passed.stderr).toMatch(new RegExp(`cannot write trace to ${file}: ENOENT[^\\n]*; the run itself passed\\n$`));
    // A failing run keeps its own exit code, 1: the run's verdict comes first.
    const failed = cli('sim', 'upload', '--bug', 'ignore-partial-write', '--seed', FAILING_UPLOAD_SEED, '--trace', file);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(new RegExp(`cannot write trace to ${file}: ENOENT[^\\n]*; the run itself failed\\n$`));
    rmSync(dir, { recursive: true });
  },
  SPAWNING_TEST_MS,
);

test(
  'bad usage exits 2 with a message that says what to do',
  () => {
    const cases: [string[], string][] = [
      [[], 'usage: io-reactor <command>'],
      [['nope'], 'unknown command "nope"'],
      [['sim'], 'name a scenario'],
      [['sim', 'nope'], 'unknown scenario "nope"; the scenarios are chat, echo, upload'],
      [['sim', 'echo', '--seeds', 'many'], '--seeds must be a whole number from 1 to'],
      [['sim', 'chat', '--size', '5000'], '--size must be a whole number from 1 to 2000'],
      [['sim', 'echo', '--check-determinism', 'some'], '--check-determinism must be all, sampled, off, got "some"'],
      [['sim', 'echo', '--model', 'fast'], '--model must be readiness or completion'],
      [['sim', 'chat', '--bug', 'ignore-partial-write'], 'scenario chat has no planted bugs'],
      [['sim', 'upload', '--bug', 'typo'], 'the bugs ignore-partial-write, not "typo"'],
      [['sim', 'echo', '--faults', 'meteor=1'], '--faults takes kind=rate pairs'],
      [['sim', 'echo', '--faults', 'reset=2'], 'the rate of reset must be from 0 to 1'],
      [['sim', 'echo', '--seed', '1', '--seeds', '2'], 'not both'],
      [['sim', 'echo', '--schedule', 'stall@1'], 'give it with --seed S'],
      [['sim', 'echo', '--seed', '1', '--schedule', 'stall'], '--schedule takes kind@occasion'],
      [['sim', 'echo', '--colour'], "Unknown option '--colour'"],
      [['sim', 'echo', '--mechanism', 'kqueue'], '--mechanism must be epoll, poll, iocp, io_uring, got "kqueue"; all runs every one'],
      [['sim', 'echo', '--mechanism', 'iocp'], 'scenario echo does not run in readiness over iocp; it runs in readiness/epoll'],
      [['sim', 'kv', '--model', 'completion'], 'scenario kv does not run in completion; it runs in readiness/epoll'],
      [['sim', 'all', '--bug', 'ignore-partial-write'], '--bug takes one scenario, not all'],
      [['sim', 'all', '--shrink'], '--shrink takes one scenario in one model and mechanism'],
      [
        ['sim', 'echo', '--model', 'all', '--seed', '1', '--schedule', 'stall@1'],
        '--schedule takes one scenario in one model and mechanism',
      ],
      [['sim', 'echo', '--rotate'], '--rotate takes a matrix'],
      [['sim', 'echo', '--trace', 'x.json'], '--trace writes the trace of one run: give it with --seed S'],
      [['sim', 'all', '--minutes', '0'], '--minutes must be a whole number from 1'],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      expect([args, r.code]).toEqual([args, 2]);
      expect(r.stderr).toContain(message);
    }
    expect(cli('sim', '--help').stdout).toContain('usage: io-reactor sim <scenario>');
  },
  SPAWNING_TEST_MS,
);
