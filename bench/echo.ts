// The echo section of `npm run bench`: round trips of fixed-size messages between a C load generator
// (bench/c/loadgen.c) on one core and each echo server on the other, in one run, at several
// connection counts and message sizes. The servers are rows of ECHO_SERVERS: a new mechanism is one
// more entry there.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { availableParallelism, loadavg } from 'node:os';
import { startChild, waitForLine, stopChild } from './children.js';
import { median } from './stats.js';
import { fmt, fmtInt, pad, printTable } from './table.js';

/** One JSON line of the C load generator. CPU figures are in cores (1 = one core busy); -1: unknown. */
export interface LoadResult {
  ok: boolean;
  error?: string;
  conns: number;
  size: number;
  seconds: number;
  roundTrips: number;
  rate: number;
  p50us: number;
  p99us: number;
  loadCpu: number;
  serverCpu: number;
  /** CPU the whole machine used in the window (Linux /proc/stat). */
  machineCpu: number;
  connectMs: number;
  socketErrors: number;
  badEchoes: number;
}

export interface EchoServer {
  id: string;
  label: string;
  /** The server's command line; it prints "PORT n" on stdout once it listens on 127.0.0.1. */
  command(conns: number, size: number, maxSeconds: number): string[];
}

const built = (name: string): string => fileURLToPath(new URL(`../../native/bench/${name}`, import.meta.url));
const script = (name: string): string => fileURLToPath(new URL(name, import.meta.url));
export const LOADGEN = built('echo_loadgen');

/** io-reactor's models, each over every Linux mechanism it has natively (io_uring: completion only). */
const REACTOR_MECHANISMS = {
  completion: ['io_uring', 'epoll', 'poll'],
  readiness: ['epoll', 'poll'],
} as const;

export const ECHO_SERVERS: EchoServer[] = [
  { id: 'c', label: 'C epoll', command: (_c, _s, max) => [built('echo_server_epoll'), '--max-seconds', String(max)] },
  { id: 'net', label: 'node:net', command: (_c, _s, max) => [process.execPath, script('server-net.js'), '--max-seconds', String(max)] },
  ...(['completion', 'readiness'] as const).flatMap((model) =>
    REACTOR_MECHANISMS[model].map(
      (mechanism): EchoServer => ({
        id: `${model}-${mechanism}`,
        label: `io-reactor ${model} ${mechanism}`,
        command: (conns, size, max) => [
          process.execPath,
          script(`server-${model}.js`),
          '--mechanism',
          mechanism,
          '--max-seconds',
          String(max),
          '--max-conns',
          String(conns),
          '--size',
          String(size),
        ],
      }),
    ),
  ),
];
export const DEFAULT_ECHO_SERVERS = ['c', 'net', 'completion-io_uring', 'completion-epoll', 'readiness-epoll'];

export interface EchoOptions {
  servers: EchoServer[];
  conns: number[];
  sizes: number[];
  warmup: number;
  duration: number;
  repeats: number;
  /** Cores busy with other processes during a run above which it is measured again (once). */
  noiseLimit: number;
  reruns: number;
}

/** The load generator's core and the servers' core; none when the machine has one core. */
export const PIN = availableParallelism() >= 2 ? { load: '0', server: '1' } : null;
export const pinned = (core: string | undefined, command: string[]): string[] =>
  core === undefined ? command : ['taskset', '-c', core, ...command];

interface Cell {
  size: number;
  conns: number;
  server: EchoServer;
  runs: LoadResult[];
  failures: string[];
}

/** One measurement: a fresh server process, one load generator run against it; a string says why it failed. */
export async function measureEcho(
  server: EchoServer,
  conns: number,
  size: number,
  o: Pick<EchoOptions, 'warmup' | 'duration'>,
): Promise<LoadResult | string> {
  const maxSeconds = Math.ceil(o.warmup + o.duration + 60);
  const srv = startChild(pinned(PIN?.server, server.command(conns, size, maxSeconds)));
  try {
    const portLine = await waitForLine(srv, (l) => l.startsWith('PORT '), 10_000);
    if (!portLine) return `server did not report its port: ${srv.stderr.trim().slice(0, 500)}`;
    const load = startChild(
      pinned(PIN?.load, [
        LOADGEN,
        '--port',
        portLine.slice(5).trim(),
        '--conns',
        String(conns),
        '--size',
        String(size),
        '--warmup',
        String(o.warmup),
        '--duration',
        String(o.duration),
        '--server-pid',
        String(srv.process.pid ?? 0),
      ]),
    );
    try {
      const json = await waitForLine(load, (l) => l.startsWith('{'), (o.warmup + o.duration + 30) * 1000);
      if (!json) return `load generator gave no result: ${load.stderr.trim().slice(0, 500)}`;
      const r = JSON.parse(json) as LoadResult;
      if (!r.ok) return `load generator: ${r.error ?? 'failed'}${srv.stderr ? `; server stderr: ${srv.stderr.trim().slice(0, 300)}` : ''}`;
      for (const k of ['serverCpu', 'machineCpu'] as const) if (r[k] < 0) r[k] = NaN;
      return r;
    } finally {
      await stopChild(load);
    }
  } finally {
    await stopChild(srv);
  }
}

const other = (r: LoadResult): number => r.machineCpu - r.serverCpu - r.loadCpu;

/** Runs every cell, servers interleaved within each repeat; returns the number of failed runs. */
export async function echoBenchmark(o: EchoOptions): Promise<number> {
  if (!existsSync(LOADGEN)) {
    console.log(`the echo benchmark needs ${LOADGEN}: run npm run build (the project's CMake builds bench/c)`);
    return 1;
  }
  const busy = loadavg()[0];
  console.log(`== Echo round trips: ping-pong of fixed-size messages on every connection; the load generator is C (one`);
  console.log(
    `   thread, epoll, every echo compared byte for byte)${PIN ? ` pinned to core ${PIN.load}, each server pinned to core ${PIN.server}` : ' (one core: nothing pinned)'};`,
  );
  console.log(
    `   ${o.warmup} s warm-up, ${o.duration} s measured, median of ${o.repeats} run${o.repeats > 1 ? 's' : ''} per cell (fresh server each run; servers interleaved)`,
  );
  console.log(
    `   load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  if (busy > 0.5) {
    console.log(`WARNING: the machine is busy (load average ${busy.toFixed(2)} before the run): other processes take CPU from`);
    console.log('   the server and the load generator; the ratios hold better than the absolute figures. Run again when idle.');
  }
  const cells: Cell[] = [];
  const started = Date.now();
  let rerunsLeft = o.reruns;
  let reruns = 0;
  let disturbedKept = 0;
  for (const size of o.sizes) {
    for (const conns of o.conns) {
      const row = o.servers.map((server): Cell => ({ size, conns, server, runs: [], failures: [] }));
      cells.push(...row);
      for (let rep = 0; rep < o.repeats; rep++) {
        for (const cell of row) {
          const what = `${size} B, ${conns} conns, ${pad(cell.server.label, 28)} run ${rep + 1}/${o.repeats}`;
          let r = await measureEcho(cell.server, conns, size, o);
          // One more try at most: when the machine stays busy, measuring again does not help.
          if (typeof r !== 'string' && other(r) > o.noiseLimit && rerunsLeft > 0) {
            process.stderr.write(`[bench] ${what}: disturbed (other CPU ${fmt(other(r))}, ${fmtInt(r.rate)} rt/s), measuring again\n`);
            rerunsLeft--;
            reruns++;
            r = await measureEcho(cell.server, conns, size, o);
          }
          if (typeof r === 'string') {
            cell.failures.push(r);
            process.stderr.write(`[bench] ${what}: FAILED: ${r}\n`);
            continue;
          }
          if (other(r) > o.noiseLimit) disturbedKept++;
          cell.runs.push(r);
          process.stderr.write(
            `[bench] ${what}: ${fmtInt(r.rate)} rt/s, p99 ${r.p99us} µs, server CPU ${fmt(r.serverCpu)}, load CPU ${fmt(r.loadCpu)}, other CPU ${fmt(other(r))}\n`,
          );
        }
      }
    }
  }
  console.log('');
  printEchoTable(cells);
  console.log('');
  console.log("rt/s: completed echoes per second, all connections together; vs C / vs net: rt/s over the C epoll server's /");
  console.log("node:net's at the same size and connections; p99: round-trip latency seen by the load generator.");
  console.log('srv CPU: cores the server used (1.00 = its core saturated); µs/rt: server CPU per round trip; cost vs C: µs/rt over');
  console.log("the C server's, the figure that compares servers on a busy machine, where rt/s follows the scheduler more than them.");
  console.log(`load CPU / other CPU: cores the load generator / other processes used in the window; a run above ${o.noiseLimit} other CPU`);
  console.log(
    `was measured again (${reruns} rerun${reruns === 1 ? '' : 's'}; ${disturbedKept} disturbed run${disturbedKept === 1 ? '' : 's'} kept). All figures are medians over runs.`,
  );
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; echo benchmark took ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  let failed = 0;
  for (const cell of cells) {
    for (const f of cell.failures) console.log(`FAILED ${cell.size} B ${cell.conns} conns ${cell.server.label}: ${f}`);
    failed += cell.failures.length;
  }
  return failed;
}

function printEchoTable(cells: Cell[]): void {
  const rate = (r: LoadResult): number => r.rate;
  const cost = (r: LoadResult): number => (r.serverCpu / r.rate) * 1e6;
  const medianOf = (cell: Cell | undefined, f: (r: LoadResult) => number): number => median(cell?.runs.map(f) ?? []);
  const peer = (cell: Cell, id: string): Cell | undefined =>
    cells.find((c) => c.size === cell.size && c.conns === cell.conns && c.server.id === id);
  const ratio = (n: number): string => `${fmt(n)}×`;
  printTable(
    ['size', 'conns', 'server', 'rt/s', 'vs C', 'vs net', 'p99 µs', 'srv CPU', 'µs/rt', 'cost vs C', 'load CPU', 'other CPU', 'runs ok'],
    cells.map((cell) => [
      `${cell.size} B`,
      String(cell.conns),
      cell.server.label,
      fmtInt(medianOf(cell, rate)),
      ratio(medianOf(cell, rate) / medianOf(peer(cell, 'c'), rate)),
      ratio(medianOf(cell, rate) / medianOf(peer(cell, 'net'), rate)),
      fmtInt(medianOf(cell, (r) => r.p99us)),
      fmt(medianOf(cell, (r) => r.serverCpu)),
      fmt(medianOf(cell, cost)),
      ratio(medianOf(cell, cost) / medianOf(peer(cell, 'c'), cost)),
      fmt(medianOf(cell, (r) => r.loadCpu)),
      fmt(medianOf(cell, other)),
      `${cell.runs.length}/${cell.runs.length + cell.failures.length}`,
    ]),
    3,
  );
}
