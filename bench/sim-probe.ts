// One measurement of the simulation's speed, in a process of its own, over the build of the tree
// at `root` (this one, or a baseline checkout): so `npm run bench` prints before and after
// figures from the same run. Prints one JSON line.
// CPU seconds are the process's, its worker threads' and its worker processes' (a sweep's): on a
// shared machine they say more than wall time does.
//   node build/js/bench/sim-probe.js <root> events|events-traced <connections> <roundTrips> <seed>
//   node build/js/bench/sim-probe.js <root> seed <clients> <seed>
//   node build/js/bench/sim-probe.js <root> seeds <clients> <count>
//   node build/js/bench/sim-probe.js <root> sweep <io-reactor sim arguments...>
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { TraceRecord, TraceSink } from '../src/trace/format.js';
import type * as Api from '../src/index.js';
import type * as Sim from '../src/sim/index.js';
import type * as RunSeed from '../src/sim/cli/run-seed.js';
import type * as SweepCli from '../src/sim/cli/sim.js';
import type * as Config from '../src/sim/cli/config.js';
import { pingPong } from './sim-ping-pong.js';

const [root, what, ...args] = process.argv.slice(2);
const load = <T>(path: string): Promise<T> => import(pathToFileURL(join(root, 'build/js', path)).href) as Promise<T>;
const { EventType } = await load<typeof Api>('src/index.js');
const { Simulation } = await load<typeof Sim>('src/sim/index.js');
const { runSeed } = await load<typeof RunSeed>('src/sim/cli/run-seed.js');
const { DEFAULT_FAULTS, SWEEP_LATENCY_MS } = await load<typeof Config>('src/sim/cli/config.js');

/** A trace sink that only counts delivered events: the measure, at almost no cost. */
class EventCounter implements TraceSink {
  events = 0;
  #reactors = 0;
  reactor(): number {
    return this.#reactors++;
  }
  record(record: TraceRecord): void {
    if (record.k === 'event') this.events++;
  }
}

const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

/**
 * Steady state, set-up excluded: `connections` clients on one host ping-pong 16-byte messages
 * with an echo server on another for `roundTrips` round trips each, both in the readiness model.
 * Traced, a sink that counts events sees every record (what tracing costs); untraced, the
 * programs count the events their waits return.
 */
async function eventRate(
  connections: number,
  roundTrips: number,
  seed: number,
  traced: boolean,
): Promise<{ events: number; seconds: number; cpuSeconds: number }> {
  const counter = new EventCounter();
  const sim = new Simulation({ seed, latencyMs: SWEEP_LATENCY_MS, faults: DEFAULT_FAULTS, trace: traced ? counter : undefined });
  let returned = 0;
  let started = 0;
  let cpu = process.cpuUsage();
  const run = async (): Promise<void> => {
    started = performance.now();
    cpu = process.cpuUsage();
    await sim.runUntilIdle();
  };
  const undone = await pingPong(sim, EventType, { connections, roundTrips, onWake: (events) => (returned += events) }, run);
  const seconds = (performance.now() - started) / 1000;
  const used = cpuSeconds(cpu);
  if (undone > 0) throw new Error(`the ping-pong went idle with ${undone} round trips undone`);
  if (traced && counter.events !== returned) throw new Error(`the trace counted ${counter.events} events, the waits returned ${returned}`);
  return { events: returned, seconds, cpuSeconds: used };
}

/** One seed of the chat as the tree's sweep runs it (digest included), and the process's peak memory. */
async function chatSeed(clients: number, seed: number): Promise<{ ok: boolean; seconds: number; cpuSeconds: number; peakRssMiB: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const { ok } = await runSeed(
    { scenario: 'chat', model: 'readiness', size: clients, faults: DEFAULT_FAULTS, latencyMs: SWEEP_LATENCY_MS },
    seed,
  );
  const seconds = (performance.now() - started) / 1000;
  return { ok, seconds, cpuSeconds: cpuSeconds(cpu), peakRssMiB: process.resourceUsage().maxRSS / 1024 };
}

/**
 * A sweep worker's seeds, in one process as a worker runs them (verdict only, the sweep's usual
 * run): the first pays for the JIT, the cores' instances and the heap's growth; from the fourth on
 * a seed costs what a long sweep's do. CPU seconds of the first, and the median of the fourth on.
 */
async function workerSeeds(clients: number, count: number): Promise<{ firstCpuSeconds: number; steadyCpuSeconds: number }> {
  const cpu: number[] = [];
  for (let i = 0; i < count; i++) {
    const since = process.cpuUsage();
    const { ok, failure } = await runSeed(
      { scenario: 'chat', model: 'readiness', size: clients, faults: DEFAULT_FAULTS, latencyMs: SWEEP_LATENCY_MS },
      101 + i,
      undefined,
      'verdict',
    );
    if (!ok) throw new Error(`chat seed ${101 + i} failed: ${failure}`);
    cpu.push(cpuSeconds(since));
  }
  const steady = cpu.slice(STEADY_FROM_SEED).sort((a, b) => a - b);
  return { firstCpuSeconds: cpu[0], steadyCpuSeconds: steady[steady.length >> 1] };
}
/** Seeds a worker runs before its seeds cost what a long sweep's do (V8 optimizes over the first three). */
const STEADY_FROM_SEED = 3;

/**
 * CPU seconds of this process's children that have ended (Linux: /proc/self/stat's cutime and
 * cstime, in clock ticks of 1/100 s): a sweep's worker processes, once it has waited for them.
 */
function endedChildrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command's closing parenthesis: state is field 3, cutime and cstime 16 and 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** The tree's sweep in this process, so its worker threads' or worker processes' CPU is counted. */
async function sweep(args: string[]): Promise<{ exitCode: number; seconds: number; cpuSeconds: number }> {
  const { run } = await load<typeof SweepCli>('src/sim/cli/sim.js');
  const started = performance.now();
  const cpu = process.cpuUsage();
  const children = endedChildrenCpuSeconds();
  const exitCode = await run(args);
  const seconds = (performance.now() - started) / 1000;
  return { exitCode, seconds, cpuSeconds: cpuSeconds(cpu) + endedChildrenCpuSeconds() - children };
}

const n = args.map(Number);
const result =
  what === 'sweep'
    ? await sweep(args)
    : what === 'seed'
      ? await chatSeed(n[0], n[1])
      : what === 'seeds'
        ? await workerSeeds(n[0], n[1])
        : await eventRate(n[0], n[1], n[2], what === 'events-traced');
process.stdout.write(`${JSON.stringify(result)}\n`);
