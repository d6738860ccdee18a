// The simulation's speed, before (a baseline commit, built in a temp dir) and now, from the same
// run: events the simulated reactors deliver per second of wall time, seeds per minute of a
// 1000-client chat sweep on two workers, and the time and peak memory of one chat seed as the
// hosts grow. Each figure is a median of runs in fresh processes (bench/sim-probe.ts).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { baselineTree, CURRENT_TREE } from './sim-baseline.js';
import { median } from './stats.js';
import { workerFlags } from '../src/sim/cli/sweep.js';

export interface SimRateOptions {
  repeats: number;
  /** Connections of the ping-pong whose events are counted, and round trips on each. */
  eventConnections: number;
  roundTrips: number;
  /** Round trips of the ping-pong's long run: its rate once V8 has compiled the paths, a long simulation's. */
  longRoundTrips: number;
  /** Clients of the swept chat (the issue asks for 1000), seeds per timed sweep, its workers. */
  sweepClients: number;
  sweepSeeds: number;
  workers: number;
  /** Chat clients of the size table; the largest is also the memory figure. */
  sizes: number[];
  /** The commit to compare with, or null for this tree alone. */
  baseline: string | null;
}

interface Tree {
  label: string;
  root: string;
  /** Whether its sweep takes --check-determinism (before it, every seed ran twice). */
  sampled: boolean;
}

function node(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd, maxBuffer: 1 << 24 }, (error, stdout) => {
      if (error) reject(new Error(`${args.join(' ')} failed: ${error.message}\n${stdout}`));
      else resolve(stdout);
    });
  });
}

async function probe<T>(tree: Tree, args: (string | number)[], nodeFlags: string[] = []): Promise<T> {
  const out = await node([...nodeFlags, join(CURRENT_TREE, 'build/js/bench/sim-probe.js'), tree.root, ...args.map(String)], CURRENT_TREE);
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

interface Timed {
  seconds: number;
  cpuSeconds: number;
}

/** Seeds a minute, by the wall clock and by CPU time (what `workers` free cores would run). */
async function seedsPerMinute(tree: Tree, o: SimRateOptions, from: number, check: string | null): Promise<{ wall: number; cpu: number }> {
  const args = ['sweep', 'chat', '--size', o.sweepClients, '--seeds', o.sweepSeeds, '--from', from, '--workers', o.workers, '--json'];
  if (check) args.push('--check-determinism', check);
  const { seconds, cpuSeconds } = await probe<Timed>(tree, args);
  return { wall: (o.sweepSeeds / seconds) * 60, cpu: (o.sweepSeeds / (cpuSeconds / o.workers)) * 60 };
}

/** Seeds of the worker's figure: three to warm up, the rest steady. */
const WORKER_SEEDS = 9;

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

export async function simRate(o: SimRateOptions): Promise<void> {
  const trees: Tree[] = [];
  if (o.baseline) {
    const root = baselineTree(o.baseline);
    trees.push({
      label: `before (${o.baseline})`,
      root,
      sampled: readFileSync(join(root, 'build/js/src/sim/cli/config.js'), 'utf8').includes('DETERMINISM_CHECKS'),
    });
  }
  trees.push({ label: 'now', root: CURRENT_TREE, sampled: true });
  console.log(`== Simulation speed, median of ${o.repeats} runs in fresh processes; load average at the start ${load()}`);
  console.log(
    `   events/s: two hosts, ${o.eventConnections} connections ping-ponging 16 bytes ${o.roundTrips} times each, readiness, a sweep's faults and latency;`,
  );
  console.log(
    '     untraced (the programs count the events their waits return) and traced (a sink counting event records sees every record)',
  );
  console.log(
    `   seeds/min: \`io-reactor sim chat --size ${o.sweepClients} --seeds ${o.sweepSeeds} --workers ${o.workers}\` (the determinism check as named)`,
  );
  console.log(
    `   per seed: one chat seed as each tree's sweep runs it (runSeed: the run and its digest), by clients; peak RSS of that process`,
  );
  console.log(
    `   a worker's seeds: ${WORKER_SEEDS} chat seeds of ${o.sweepClients} clients in one process, as a sweep's worker runs them: the first, and the median from the fourth on (cpu only)`,
  );
  console.log('   wall: by the clock; cpu: by the CPU time the process (its workers included) used, what free cores would give');
  const rows: string[][] = [['', '', 'wall', 'cpu']];
  for (const tree of trees) {
    const pingPongs = [
      { variant: 'events', roundTrips: o.roundTrips, label: 'untraced' },
      { variant: 'events', roundTrips: o.longRoundTrips, label: `untraced, ${o.longRoundTrips} round trips` },
      { variant: 'events-traced', roundTrips: o.roundTrips, label: 'traced' },
    ];
    for (const { variant, roundTrips, label } of pingPongs) {
      const runs: (Timed & { events: number })[] = [];
      for (let i = 0; i < o.repeats; i++) runs.push(await probe(tree, [variant, o.eventConnections, roundTrips, i + 1]));
      rows.push([
        tree.label,
        `simulated events/s, ${label}`,
        fmt(median(runs.map((r) => r.events / r.seconds))),
        fmt(median(runs.map((r) => r.events / r.cpuSeconds))),
      ]);
    }
    const checks: (string | null)[] = tree.sampled ? ['sampled', 'all'] : [null];
    for (const check of checks) {
      const perMinute: { wall: number; cpu: number }[] = [];
      for (let i = 0; i < o.repeats; i++) perMinute.push(await seedsPerMinute(tree, o, 1 + i * o.sweepSeeds, check));
      rows.push([
        tree.label,
        `seeds/min, check ${check ?? 'all (always)'}`,
        fmt(median(perMinute.map((p) => p.wall)), 1),
        fmt(median(perMinute.map((p) => p.cpu)), 1),
      ]);
    }
    const seeds = await probe<{ firstCpuSeconds: number; steadyCpuSeconds: number }>(
      tree,
      ['seeds', o.sweepClients, WORKER_SEEDS],
      // This tree's sweep workers' V8 flags, for either tree: the figure compares their code.
      workerFlags(o.workers),
    );
    rows.push([
      tree.label,
      "a worker's seeds: first, steady s/seed",
      '',
      `${fmt(seeds.firstCpuSeconds, 2)}, ${fmt(seeds.steadyCpuSeconds, 2)}`,
    ]);
    for (const clients of o.sizes) {
      const runs: (Timed & { peakRssMiB: number })[] = [];
      // The largest size once: it is the slow one, and its memory is what is asked.
      for (let i = 0; i < (clients === Math.max(...o.sizes) ? 1 : o.repeats); i++) runs.push(await probe(tree, ['seed', clients, i + 1]));
      const wall = median(runs.map((r) => r.seconds));
      const cpu = median(runs.map((r) => r.cpuSeconds));
      rows.push([
        tree.label,
        `chat --size ${clients}: s/seed (ms/host), peak MiB ${fmt(Math.max(...runs.map((r) => r.peakRssMiB)))}`,
        `${fmt(wall, 2)} (${fmt((1000 * wall) / (clients + 1), 2)})`,
        `${fmt(cpu, 2)} (${fmt((1000 * cpu) / (clients + 1), 2)})`,
      ]);
    }
    process.stderr.write(`[bench] sim figures of ${tree.label} done\n`);
  }
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows)
    console.log(`${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padStart(widths[2])}  ${r[3].padStart(widths[3])}`);
  console.log(`load average at the end of the simulation figures: ${load()}`);
  console.log('');
}
