// The simulation's speed, before (a baseline commit, built in a temp dir) and now, from the same
// run: events the simulated reactors deliver per second of wall time, seeds per minute of a
// 1000-client chat sweep on two workers, and the time and peak memory of one chat seed as the
// hosts grow. Each figure is a median of runs in fresh processes (bench/sim-probe.ts).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { baselineTree, CURRENT_TREE } from './sim-baseline.js';
import { median } from './stats.js';

export interface SimRateOptions {
  repeats: number;
  /** Connections of the ping-pong whose events are counted, and round trips on each. */
  eventConnections: number;
  roundTrips: number;
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
  /** Whether its sweep takes --check-determinism (the baseline ran every seed twice, always). */
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

async function probe<T>(tree: Tree, args: (string | number)[]): Promise<T> {
  const out = await node([join(CURRENT_TREE, 'build/js/bench/sim-probe.js'), tree.root, ...args.map(String)], CURRENT_TREE);
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

async function seedsPerMinute(tree: Tree, o: SimRateOptions, from: number, check: string | null): Promise<number> {
  const args = [join(tree.root, 'build/js/src/cli/main.js'), 'sim', 'chat', '--size', String(o.sweepClients), '--seeds', String(o.sweepSeeds),
    '--from', String(from), '--workers', String(o.workers), '--json'];
  if (check) args.push('--check-determinism', check);
  const started = performance.now();
  await node(args, tree.root);
  return (o.sweepSeeds / ((performance.now() - started) / 1000)) * 60;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

export async function simRate(o: SimRateOptions): Promise<void> {
  const trees: Tree[] = [];
  if (o.baseline) trees.push({ label: `before (${o.baseline})`, root: baselineTree(o.baseline), sampled: false });
  trees.push({ label: 'now', root: CURRENT_TREE, sampled: true });
  console.log(`== Simulation speed, median of ${o.repeats} runs in fresh processes; load average at the start ${load()}`);
  console.log(`   events/s: two hosts, ${o.eventConnections} connections ping-ponging 16 bytes ${o.roundTrips} times each, readiness, a sweep's faults and latency`);
  console.log(`   seeds/min: \`io-reactor sim chat --size ${o.sweepClients} --seeds ${o.sweepSeeds} --workers ${o.workers}\` (the determinism check as named)`);
  console.log(`   per seed: one chat seed as a sweep runs it (full trace and its hash), by clients; peak RSS of that process`);
  const rows: string[][] = [];
  for (const tree of trees) {
    const rates: number[] = [];
    for (let i = 0; i < o.repeats; i++) {
      const { events, seconds } = await probe<{ events: number; seconds: number }>(tree, ['events', o.eventConnections, o.roundTrips, i + 1]);
      rates.push(events / seconds);
    }
    rows.push([tree.label, 'simulated events/s', fmt(median(rates))]);
    const checks: (string | null)[] = tree.sampled ? ['sampled', 'all'] : [null];
    for (const check of checks) {
      const perMinute: number[] = [];
      for (let i = 0; i < o.repeats; i++) perMinute.push(await seedsPerMinute(tree, o, 1 + i * o.sweepSeeds, check));
      rows.push([tree.label, `seeds/min, check ${check ?? 'all (always)'}`, fmt(median(perMinute), 1)]);
    }
    for (const clients of o.sizes) {
      const runs: { seconds: number; peakRssMiB: number }[] = [];
      // The largest size once: it is the slow one, and its memory is what is asked.
      for (let i = 0; i < (clients === Math.max(...o.sizes) ? 1 : o.repeats); i++) runs.push(await probe(tree, ['seed', clients, i + 1]));
      const seconds = median(runs.map((r) => r.seconds));
      rows.push([tree.label, `chat --size ${clients}: s/seed, ms/host, peak MiB`,
        `${fmt(seconds, 2)}  ${fmt((1000 * seconds) / (clients + 1), 2)}  ${fmt(Math.max(...runs.map((r) => r.peakRssMiB)))}`]);
    }
    process.stderr.write(`[bench] sim figures of ${tree.label} done\n`);
  }
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(`${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padStart(widths[2])}`);
  console.log(`load average at the end of the simulation figures: ${load()}`);
  console.log('');
}
