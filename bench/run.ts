// The benchmark driver (`npm run bench`): echo round trips of a C load generator against a C epoll
// server, node:net and io-reactor (bench/echo.ts), then the core's own translation rate, the cost of
// tracing, the simulation's speed and the visualizer's frame time. Every figure is printed with the
// command that produced it. --instructions runs instead the one section that counts rather than times:
// instructions per round trip under callgrind (bench/instructions.ts), minutes long.
// Flags: USAGE below (npm run bench -- --help). Environment: BENCH_QUICK=1, BENCH_DURATION,
// BENCH_WARMUP, BENCH_REPEATS (flags win).
import { cpus, release, loadavg } from 'node:os';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { liveChildren } from './children.js';
import { coreRate } from './core-rate.js';
import { traceCost } from './trace-cost.js';
import { simRate } from './sim-rate.js';
import { echoBenchmark, ECHO_SERVERS, DEFAULT_ECHO_SERVERS } from './echo.js';
import { fmt, fmtInt, printTable } from './table.js';
import { parseCommandLine, EXIT_USAGE } from '../src/cli/usage.js';
import { netBenchmark } from './net-bench.js';
import { SIM_BASELINE_REF } from './sim-baseline.js';
import { instructionCounts, INSTRUCTION_SERVERS } from './instructions.js';

const USAGE = `usage: npm run bench -- [--quick] [--duration S] [--warmup S] [--repeats N] [--conns 100,1000] [--sizes 64]
  [--servers ${ECHO_SERVERS.map((s) => s.id).join(',')}] (default ${DEFAULT_ECHO_SERVERS.join(',')})
  [--core-seconds S] [--noise-limit CORES] [--reruns N] [--no-echo] [--no-net] [--no-core] [--no-trace] [--no-sim] [--no-viz]
  [--sim-baseline REF|DIR|none] [--sim-sizes 100,1000,3000] [--sim-seeds 20]
usage: npm run bench -- --instructions [--round-trips 2000] [--warmup-round-trips 1000]
  (only instructions per round trip of ${INSTRUCTION_SERVERS.join(', ')} under callgrind, 100 connections of 64 B; needs valgrind)`;

function usageError(message: string): never {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(EXIT_USAGE);
}

/** The command line's flags; bad usage exits, printing the usage. */
function parseFlags() {
  try {
    return parseCommandLine({
      options: {
        quick: { type: 'boolean', default: false },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        repeats: { type: 'string' },
        conns: { type: 'string', default: '100,1000' },
        sizes: { type: 'string', default: '64' },
        servers: { type: 'string', default: DEFAULT_ECHO_SERVERS.join(',') },
        'core-seconds': { type: 'string' },
        'noise-limit': { type: 'string', default: '0.3' },
        reruns: { type: 'string' },
        'no-echo': { type: 'boolean', default: false },
        'no-core': { type: 'boolean', default: false },
        'no-trace': { type: 'boolean', default: false },
        'no-sim': { type: 'boolean', default: false },
        'sim-baseline': { type: 'string', default: SIM_BASELINE_REF },
        'sim-sizes': { type: 'string' },
        'sim-seeds': { type: 'string' },
        'no-viz': { type: 'boolean', default: false },
        'no-net': { type: 'boolean', default: false },
        instructions: { type: 'boolean', default: false },
        'round-trips': { type: 'string' },
        'warmup-round-trips': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (e) {
    return usageError((e as Error).message);
  }
}
const flags = parseFlags();
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}

const env = process.env;
const quick = flags.quick || env.BENCH_QUICK === '1';
function num(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const v = Number(value);
  if (value.trim() === '' || !(v >= min && v <= max))
    usageError(`${name} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return v;
}
function list(name: string, value: string, min: number, max: number): number[] {
  return value.split(',').map((v) => {
    const n = num(name, v, 0, min, max);
    if (!Number.isInteger(n)) usageError(`${name} takes whole numbers separated by commas, got ${JSON.stringify(value)}`);
    return n;
  });
}
const duration = num('--duration', flags.duration ?? env.BENCH_DURATION, quick ? 0.5 : 1, 0.1, 60);
const warmup = num('--warmup', flags.warmup ?? env.BENCH_WARMUP, quick ? 0.2 : 0.5, 0, 30);
const repeatsGiven = flags.repeats ?? env.BENCH_REPEATS;
// The echo's rounds are short and their spread is reported, so it takes more of them by default than
// the longer sections (net, simulation).
const repeats = Math.round(num('--repeats', repeatsGiven, quick ? 1 : 5, 1, 20));
const sectionRepeats = repeatsGiven === undefined && !quick ? 3 : repeats;
const coreSeconds = num('--core-seconds', flags['core-seconds'], quick ? 0.2 : 0.5, 0.05, 10);
const connCounts = list('--conns', flags.conns, 1, 10000);
const sizes = list('--sizes', flags.sizes, 1, 1 << 20);
const noiseLimit = num('--noise-limit', flags['noise-limit'], 0.3, 0, 64);
const servers = flags.servers
  .split(',')
  .map(
    (id) =>
      ECHO_SERVERS.find((s) => s.id === id) ??
      usageError(`--servers: no server ${JSON.stringify(id)}; the servers are ${ECHO_SERVERS.map((s) => s.id).join(', ')}`),
  );
const reruns = Math.round(num('--reruns', flags.reruns, sizes.length * connCounts.length * servers.length, 0, 1000));

function describeMachine(): void {
  let commit = 'unknown';
  let dirty = '';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'assembly', 'native', 'bench'], { encoding: 'utf8' }).trim()
      ? ' (+ uncommitted changes)'
      : '';
  } catch {
    // not a git checkout
  }
  const argv = process.argv.slice(2).join(' ');
  console.log('io-reactor benchmark');
  console.log(`command: cd ${process.cwd()} && npm run bench${argv ? ` -- ${argv}` : ''}`);
  console.log(`  (runs: node scripts/build.mjs && node build/js/bench/run.js${argv ? ` ${argv}` : ''})`);
  console.log(`date: ${new Date().toISOString()}  commit: ${commit}${dirty}`);
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Linux ${release()}, Node ${process.version}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log('');
}

let failures = 0;

/** The build outputs the benchmark runs; another build replacing them mid-run mixes versions. */
const OUTPUTS = ['../../core.wasm', '../../native/Release/io_reactor.node', '../src/reactor.js', '../src/core.js'];
function outputTimes(): string {
  return OUTPUTS.map((p) => {
    try {
      return String(statSync(new URL(p, import.meta.url)).mtimeMs);
    } catch {
      return 'missing';
    }
  }).join(',');
}

async function coreBenchmark(): Promise<void> {
  console.log(`== Core rate: raw results translated into events by core.wasm alone (no syscalls, no shim, no event objects);`);
  console.log(`   ${coreSeconds} s per row after a warm-up. readiness: endWait(n)+collect(n) over n RES_READY results (EPOLLIN).`);
  console.log('   completion: endWait(n)+collect(n) over n RES_RECV (64 bytes in provided buffers), then postRead per event,');
  console.log('   beginWait+lendBuffers, and the next results written from the new requests (the JS playing the shim is timed too).');
  console.log('');
  const rows = await coreRate({ batches: [1, 64, 1024], seconds: coreSeconds });
  printTable(
    ['model', 'results per wait', 'results/s', 'ns per result', 'waits/s', 'endWait+collect ns/result'],
    rows.map((r) => [r.model, String(r.batch), fmtInt(r.rate), fmt(1e9 / r.rate, 1), fmtInt(r.cycles / r.seconds), fmt(r.translateNs, 1)]),
  );
  console.log(
    'endWait+collect ns/result: the translation alone (readiness: the whole loop, beginWait+lendBuffers+endWait+collect; completion: timed around those two calls).',
  );
  console.log('');
}

async function traceBenchmark(): Promise<void> {
  const seconds = coreSeconds;
  const rounds = quick ? 1 : 3;
  console.log(
    `== Cost of tracing: native wait cycles/s on one socket pair, ${seconds} s per sample, median of ${rounds} rounds taken in turn.`,
  );
  console.log('   off: no trace option. null sink: every record made and dropped. recorder: a TraceRecorder keeps them (a ring of');
  console.log(
    '   1,000,000 records). readiness: wait(0) returning one READ event; completion: send 64 bytes, wait for the READ, postRead.',
  );
  console.log('');
  const rows = await traceCost(seconds, rounds);
  printTable(
    ['model', 'trace', 'waits/s', 'vs off'],
    rows.map((r) => {
      const off = rows.find((x) => x.model === r.model && x.variant === 'off')!.waitsPerSecond;
      return [r.model, r.variant, fmtInt(r.waitsPerSecond), `${fmt(r.waitsPerSecond / off)}×`];
    }),
  );
  console.log('');
}

/** The visualizer's frame time with 100,000 events, in headless Chromium (bench/viz-frame.ts). */
function vizBenchmark(): void {
  console.log('\n== Visualizer: draw time and frame interval with 100,000 events (bench/viz-frame.ts, also npm run bench:viz)');
  try {
    execFileSync(process.execPath, [new URL('./viz-frame.js', import.meta.url).pathname], { stdio: 'inherit' });
  } catch {
    failures++;
    console.log('the visualizer benchmark failed (is /usr/bin/chromium installed? npm run build installs it)');
  }
}

/** The sections that time (all but the instruction counts), each unless its --no- flag is given. */
async function timedSections(): Promise<void> {
  if (!flags['no-echo'])
    failures += await echoBenchmark({ servers, conns: connCounts, sizes, warmup, duration, repeats, noiseLimit, reruns });
  if (!flags['no-net'] && !(await netBenchmark({ warmup, seconds: duration, repeats: sectionRepeats, conns: 100 }))) failures++;
  if (!flags['no-core']) await coreBenchmark();
  if (!flags['no-trace']) await traceBenchmark();
  if (!flags['no-sim']) {
    // Seeds per sweep: ten per worker by default, so the sampled determinism check runs its share.
    const sizes = (flags['sim-sizes'] ?? (quick ? '100,300' : '100,1000,3000'))
      .split(',')
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0 && n <= 10000);
    await simRate({
      repeats: sectionRepeats,
      eventConnections: 100,
      roundTrips: 200,
      longRoundTrips: 5000,
      sweepClients: 1000,
      sweepSeeds: Math.round(num('--sim-seeds', flags['sim-seeds'], 20, 1, 1000)),
      workers: 2,
      sizes,
      baseline: flags['sim-baseline'] === 'none' ? null : flags['sim-baseline'],
    });
  }
  if (!flags['no-viz']) vizBenchmark();
}

async function main(): Promise<void> {
  describeMachine();
  const builtAt = outputTimes();
  if (flags.instructions)
    failures += await instructionCounts({
      conns: 100,
      size: 64,
      warmupRoundTrips: Math.round(num('--warmup-round-trips', flags['warmup-round-trips'], 1000, 1, 1e6)),
      roundTrips: Math.round(num('--round-trips', flags['round-trips'], 2000, 1, 1e6)),
    });
  else await timedSections();
  if (outputTimes() !== builtAt) {
    failures++;
    console.log('WARNING: build/core.wasm, the native addon or build/js/src changed during this run (another build ran);');
    console.log('the figures may mix versions: run the benchmark again.');
  }
  console.log(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  if (liveChildren() > 0) process.stderr.write(`[bench] ${liveChildren()} child processes still running; killing them\n`);
}

await main();
process.exit(failures > 0 ? 1 : 0);
