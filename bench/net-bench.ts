// The net benchmark: io-reactor/net against node:net, driven by C load generators so the server is
// what saturates: 64-byte echo round trips (bench/c/loadgen.c, as in bench/echo.ts) and http
// hello-world requests (wrk), at `conns` connections, server and load generator pinned as in bench/echo.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startChild, waitForLine, stopChild } from './children.js';
import { LOADGEN, PIN, pinned, measureEcho } from './echo.js';
import { median } from './stats.js';

const SERVER = fileURLToPath(new URL('net-server.js', import.meta.url));
const ECHO_BYTES = 64;
const IMPLS = [
  ['reactor', 'io-reactor/net'],
  ['node', 'node:net'],
] as const;
/** Linux's USER_HZ, the unit of /proc/<pid>/stat's CPU times. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface NetBenchOptions {
  warmup: number;
  seconds: number;
  repeats: number;
  conns: number;
}

type App = 'echo' | 'http';
const serverCommand = (impl: string, app: App, maxSeconds: number): string[] => [
  process.execPath,
  SERVER,
  '--impl',
  impl,
  '--app',
  app,
  '--max-seconds',
  String(maxSeconds),
];

/** CPU seconds (user + system) a process has used so far, from /proc (Linux): wrk does not report the server's. */
function cpuSeconds(pid: number): number {
  // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

interface Measured {
  /** Operations per second (round trips or requests). */
  rate: number;
  /** Server CPU per operation, in µs: what compares servers when the machine is loaded. */
  cpuUs: number;
}

/** Echo round trips: the load generator checks every echo and reads the server's CPU itself. */
async function measureEchoes(impl: string, label: string, opts: NetBenchOptions): Promise<Measured | string> {
  const server = { id: impl, label, command: (_c: number, _s: number, max: number) => serverCommand(impl, 'echo', max) };
  const r = await measureEcho(server, opts.conns, ECHO_BYTES, { warmup: opts.warmup, duration: opts.seconds });
  return typeof r === 'string' ? r : { rate: r.rate, cpuUs: (r.serverCpu / r.rate) * 1e6 };
}

async function measureRequests(impl: string, opts: NetBenchOptions): Promise<Measured | string> {
  const server = startChild(pinned(PIN?.server, serverCommand(impl, 'http', opts.seconds + 30)));
  try {
    const line = await waitForLine(server, (l) => l.startsWith('PORT '), 10_000);
    if (!line) return `the server did not start: ${server.stderr.trim().slice(0, 500)}`;
    const pid = server.process.pid!;
    const cpuBefore = cpuSeconds(pid);
    const wrk = pinned(PIN?.load, ['wrk', '-t1', `-c${opts.conns}`, `-d${opts.seconds}s`, `http://127.0.0.1:${line.slice(5).trim()}/`]);
    const out = execFileSync(wrk[0], wrk.slice(1), { encoding: 'utf8' });
    const cpu = cpuSeconds(pid) - cpuBefore;
    const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
    if (!Number.isFinite(rate) || rate <= 0) return `no rate in wrk's output: ${out}`;
    return { rate, cpuUs: (cpu / (rate * opts.seconds)) * 1e6 };
  } finally {
    await stopChild(server);
  }
}

/** Prints the table; false when a part could not run (the load generator or wrk missing, a run failed). */
export async function netBenchmark(opts: NetBenchOptions): Promise<boolean> {
  console.log(
    `\n== io-reactor/net vs node:net at ${opts.conns} connections, medians of ${opts.repeats} runs of ${opts.seconds} s (bench/net-bench.ts)`,
  );
  if (!existsSync(LOADGEN)) {
    console.log(`the net benchmark needs ${LOADGEN}: run npm run build (the project's CMake builds bench/c)`);
    return false;
  }
  if (spawnSync('wrk', ['-v']).error) {
    console.log('wrk is missing: apt-get install wrk (the http half needs it)');
    return false;
  }
  const failures: string[] = [];
  console.log('| load | io-reactor/net | node:net | ratio | server CPU per op, io-reactor/net | node:net |\n|---|---|---|---|---|---|');
  for (const [app, label, unit] of [
    ['echo', `${ECHO_BYTES} B echo (bench/c/loadgen.c, ${opts.warmup} s warm-up)`, 'rt/s'],
    ['http', 'http hello-world (wrk -t1)', 'req/s'],
  ] as const) {
    const runs: Record<string, Measured[]> = { reactor: [], node: [] };
    // Alternated, so a change in the machine's load falls on both.
    for (let i = 0; i < opts.repeats; i++) {
      for (const [impl, implLabel] of IMPLS) {
        const r = app === 'echo' ? await measureEchoes(impl, implLabel, opts) : await measureRequests(impl, opts);
        if (typeof r === 'string') failures.push(`${label}, ${implLabel}: ${r}`);
        else runs[impl].push(r);
      }
    }
    const rate = (impl: string): number => median(runs[impl].map((r) => r.rate));
    const cpu = (impl: string): string => `${median(runs[impl].map((r) => r.cpuUs)).toFixed(1)} µs`;
    const show = (n: number): string => `${Math.round(n).toLocaleString('en-US')} ${unit}`;
    console.log(
      `| ${label} | ${show(rate('reactor'))} | ${show(rate('node'))} | ${(rate('reactor') / rate('node')).toFixed(2)}× | ${cpu('reactor')} | ${cpu('node')} |`,
    );
  }
  for (const f of failures) console.log(`FAILED ${f}`);
  return failures.length === 0;
}
