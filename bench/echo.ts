// The echo section of `npm run bench`: round trips of fixed-size messages between a C load generator
// (bench/c/loadgen.c) on one core and each echo server on the other, in one run, at several
// connection counts and message sizes. The servers are rows of ECHO_SERVERS: a new mechanism is one
// more entry there.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { availableParallelism, loadavg } from 'node:os';
import { startChild, waitForLine, stopChild } from './children.js';
import { median, range } from './stats.js';
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
/** In the order each round runs them (the C server always goes first). */
export const DEFAULT_ECHO_SERVERS = ['c', 'readiness-epoll', 'completion-epoll', 'completion-io_uring', 'net'];

export interface EchoOptions {
  servers: EchoServer[];
  conns: number[];
  sizes: number[];
  warmup: number;
  duration: number;
  /** Rounds per cell: each runs every server once, in turn. */
  repeats: number;
  /** Cores busy with other processes during a run above which it is measured again (once). */
  noiseLimit: number;
  reruns: number;
}

/** The load generator's core and the servers' core; none when the machine has one core. */
export const PIN = availableParallelism() >= 2 ? { load: '0', server: '1' } : null;
export const pinned = (core: string | undefined, command: string[]): string[] =>
  core === undefined ? command : ['taskset', '-c', core, ...command];

/** One server at one size and connection count: its run in each round (null: failed). */
interface Cell {
  size: number;
  conns: number;
  server: EchoServer;
  rounds: (LoadResult | null)[];
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
const loadAverage = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/**
 * Runs every cell in rounds: each round runs every server once, the C server first, and one more C
 * run closes the last round, so each server's run lies between two C runs; returns the failed runs.
 */
export async function echoBenchmark(o: EchoOptions): Promise<number> {
  if (!existsSync(LOADGEN)) {
    console.log(`the echo benchmark needs ${LOADGEN}: run npm run build (the project's CMake builds bench/c)`);
    return 1;
  }
  const busy = loadavg()[0];
  const servers = [...o.servers].sort((a, b) => Number(b.id === 'c') - Number(a.id === 'c'));
  const bracketed = servers[0]?.id === 'c';
  console.log(`== Echo round trips: ping-pong of fixed-size messages on every connection; the load generator is C (one`);
  console.log(
    `   thread, epoll, every echo compared byte for byte)${PIN ? ` pinned to core ${PIN.load}, each server pinned to core ${PIN.server}` : ' (one core: nothing pinned)'};`,
  );
  console.log(
    `   ${o.warmup} s warm-up, ${o.duration} s measured; ${o.repeats} round${o.repeats > 1 ? 's' : ''} per size and connection count, each running every server`,
  );
  console.log(
    `   once in turn (${servers.map((s) => s.id).join(', ')}${bracketed ? ', and one more c to close the last round' : ''}), a fresh server process per run.`,
  );
  console.log(`   load average at the start: ${loadAverage()}`);
  if (busy > 0.5) {
    console.log(`WARNING: the machine is busy (load average ${busy.toFixed(2)} before the run): other processes take CPU from`);
    console.log('   the server and the load generator; the ratios hold better than the absolute figures. Run again when idle.');
  }
  const cells: Cell[] = [];
  const started = Date.now();
  let rerunsLeft = o.reruns;
  let reruns = 0;
  let disturbedKept = 0;
  const measure = async (cell: Cell, round: number): Promise<void> => {
    const { size, conns, server } = cell;
    const what = `${size} B, ${conns} conns, ${pad(server.label, 33)} ${round < o.repeats ? `round ${round + 1}/${o.repeats}` : 'closing run'}`;
    let r = await measureEcho(server, conns, size, o);
    // One more try at most: when the machine stays busy, measuring again does not help.
    if (typeof r !== 'string' && other(r) > o.noiseLimit && rerunsLeft > 0) {
      process.stderr.write(`[bench] ${what}: disturbed (other CPU ${fmt(other(r))}, ${fmtInt(r.rate)} rt/s), measuring again\n`);
      rerunsLeft--;
      reruns++;
      r = await measureEcho(server, conns, size, o);
    }
    if (typeof r === 'string') {
      cell.rounds[round] = null;
      cell.failures.push(r);
      process.stderr.write(`[bench] ${what}: FAILED: ${r}\n`);
      return;
    }
    if (other(r) > o.noiseLimit) disturbedKept++;
    cell.rounds[round] = r;
    process.stderr.write(
      `[bench] ${what}: ${fmtInt(r.rate)} rt/s, ${fmt(costUs(r))} µs/rt, server CPU ${fmt(r.serverCpu)}, load CPU ${fmt(r.loadCpu)}, other CPU ${fmt(other(r))}, load average ${loadavg()[0].toFixed(2)}\n`,
    );
  };
  for (const size of o.sizes) {
    for (const conns of o.conns) {
      const row = servers.map((server): Cell => ({ size, conns, server, rounds: [], failures: [] }));
      cells.push(...row);
      for (let round = 0; round < o.repeats; round++) for (const cell of row) await measure(cell, round);
      if (bracketed) await measure(row[0], o.repeats);
    }
  }
  console.log('');
  printEchoTable(cells, o.repeats);
  console.log('');
  console.log('rt/s: completed echoes per second, all connections together (median over rounds, then its spread min-max);');
  console.log("vs C: a round's rt/s over the mean of the C server's two runs around it (the same round's and the next's),");
  console.log('the median over rounds and its spread min-max: drift of the machine between rounds cancels out of it. srv CPU:');
  console.log('cores the server used, all its threads (1.00 = its core saturated); µs/rt: server CPU per round trip; cost vs C:');
  console.log("µs/rt over the C runs' around it, as vs C. On a busy machine rt/s follows the scheduler more than the server, and");
  console.log("the cost is the figure that still compares them. p99: round-trip latency seen by the load generator. vs net: medians'");
  console.log(`ratio to node:net. load CPU / other CPU: cores the load generator / other processes used; a run above ${o.noiseLimit}`);
  console.log(
    `other CPU was measured again (${reruns} rerun${reruns === 1 ? '' : 's'}; ${disturbedKept} disturbed run${disturbedKept === 1 ? '' : 's'} kept).`,
  );
  console.log(`load average at the end: ${loadAverage()}; echo benchmark took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  let failed = 0;
  for (const cell of cells) {
    for (const f of cell.failures) console.log(`FAILED ${cell.size} B ${cell.conns} conns ${cell.server.label}: ${f}`);
    failed += cell.failures.length;
  }
  return failed;
}

/** Server CPU per round trip, µs. */
const costUs = (r: LoadResult): number => (r.serverCpu / r.rate) * 1e6;

/** Per round, a server's figure over the mean of the C runs that bracket it (NaN where none). */
function perRoundRatios(cell: Cell, c: Cell | undefined, rounds: number, f: (r: LoadResult) => number): number[] {
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const mine = cell.rounds[i];
    const around = [c?.rounds[i], c?.rounds[i + 1]].filter((r): r is LoadResult => !!r).map(f);
    ratios.push(mine && around.length > 0 ? f(mine) / (around.reduce((a, b) => a + b, 0) / around.length) : NaN);
  }
  return ratios;
}

function printEchoTable(cells: Cell[], rounds: number): void {
  const runs = (cell: Cell | undefined): LoadResult[] => cell?.rounds.filter((r): r is LoadResult => !!r) ?? [];
  const medianOf = (cell: Cell | undefined, f: (r: LoadResult) => number): number => median(runs(cell).map(f));
  const peer = (cell: Cell, id: string): Cell | undefined =>
    cells.find((c) => c.size === cell.size && c.conns === cell.conns && c.server.id === id);
  const ratio = (n: number): string => `${fmt(n)}×`;
  const spread = (values: number[], show: (n: number) => string): string => {
    const [lo, hi] = range(values);
    return Number.isFinite(lo) ? `${show(lo)}-${show(hi)}` : '-';
  };
  const versusC = (cell: Cell, f: (r: LoadResult) => number): number[] =>
    cell.server.id === 'c' ? [] : perRoundRatios(cell, peer(cell, 'c'), rounds, f);
  printTable(
    [
      'size',
      'conns',
      'server',
      'rt/s',
      'rt/s spread',
      'vs C',
      'vs C spread',
      'srv CPU',
      'µs/rt',
      'cost vs C',
      'cost spread',
      'p99 µs',
      'vs net',
      'load CPU',
      'other CPU',
      'runs ok',
    ],
    cells.map((cell) => {
      const rates = versusC(cell, (r) => r.rate);
      const costs = versusC(cell, costUs);
      const isC = cell.server.id === 'c';
      return [
        `${cell.size} B`,
        String(cell.conns),
        cell.server.label,
        fmtInt(medianOf(cell, (r) => r.rate)),
        spread(
          runs(cell).map((r) => r.rate),
          (n) => `${Math.round(n / 1000)}k`,
        ),
        isC ? '1.00×' : ratio(median(rates)),
        isC ? '' : spread(rates, fmt),
        fmt(medianOf(cell, (r) => r.serverCpu)),
        fmt(medianOf(cell, costUs)),
        isC ? '1.00×' : ratio(median(costs)),
        isC ? '' : spread(costs, fmt),
        fmtInt(medianOf(cell, (r) => r.p99us)),
        ratio(medianOf(cell, (r) => r.rate) / medianOf(peer(cell, 'net'), (r) => r.rate)),
        fmt(medianOf(cell, (r) => r.loadCpu)),
        fmt(medianOf(cell, other)),
        `${runs(cell).length}/${cell.rounds.length}`,
      ];
    }),
    3,
  );
}
