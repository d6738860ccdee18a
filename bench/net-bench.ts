// The net benchmark: io-reactor/net against node:net, driven by C load generators so the server is
// what saturates: 64-byte echo round trips (net-echo-load.c) and http hello-world requests (wrk),
// at `conns` connections, the server pinned to one core and the generator to another.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, existsSync, statSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startChild, waitForLine, stopChild } from './children.js';
import { median } from './stats.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const LOAD_SOURCE = `${ROOT}bench/net-echo-load.c`;
const LOAD_BINARY = `${ROOT}build/bench/net-echo-load`;
const ECHO_BYTES = 64;
const IMPLS = [['reactor', 'io-reactor/net'], ['node', 'node:net']] as const;
/** Linux's USER_HZ, the unit of /proc/<pid>/stat's CPU times. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface NetBenchOptions {
  seconds: number;
  repeats: number;
  conns: number;
}

function loadGenerator(): string {
  if (!existsSync(LOAD_BINARY) || statSync(LOAD_BINARY).mtimeMs < statSync(LOAD_SOURCE).mtimeMs) {
    mkdirSync(`${ROOT}build/bench`, { recursive: true });
    execFileSync('cc', ['-O2', '-o', LOAD_BINARY, LOAD_SOURCE], { stdio: 'inherit' });
  }
  return LOAD_BINARY;
}

/** Pins the server and its load generator to different cores, when there are two and taskset. */
function pinned(core: number, command: string[]): string[] {
  const can = cpus().length > 1 && spawnSync('taskset', ['-V']).status === 0;
  return can ? ['taskset', '-c', String(core), ...command] : command;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
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

async function measure(impl: string, app: 'echo' | 'http', opts: NetBenchOptions): Promise<Measured> {
  const server = startChild([process.execPath, fileURLToPath(new URL('net-server.js', import.meta.url)), '--impl', impl, '--app', app, '--max-seconds', String(opts.seconds + 30)]);
  try {
    const line = await waitForLine(server, (l) => l.startsWith('PORT '), 10_000);
    if (!line) throw new Error(`the ${impl} ${app} server did not start: ${server.stderr}`);
    spawnSync('taskset', ['-pc', '0', String(server.process.pid)]);
    const port = line.slice(5);
    const command = app === 'echo'
      ? pinned(1, [loadGenerator(), port, String(opts.conns), String(ECHO_BYTES), String(opts.seconds)])
      : pinned(1, ['wrk', '-t1', `-c${opts.conns}`, `-d${opts.seconds}s`, `http://127.0.0.1:${port}/`]);
    const pid = server.process.pid!;
    const cpuBefore = cpuSeconds(pid);
    const out = execFileSync(command[0], command.slice(1), { encoding: 'utf8' });
    const cpu = cpuSeconds(pid) - cpuBefore;
    const rate = app === 'echo' ? Number(out.trim()) : Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
    if (!Number.isFinite(rate) || rate <= 0) throw new Error(`no rate in the load generator's output: ${out}`);
    return { rate, cpuUs: (cpu / (rate * opts.seconds)) * 1e6 };
  } finally {
    await stopChild(server);
  }
}

/** Prints the table; false when a part could not run (wrk missing, a server failed). */
export async function netBenchmark(opts: NetBenchOptions): Promise<boolean> {
  console.log(`\n== io-reactor/net vs node:net at ${opts.conns} connections, medians of ${opts.repeats} runs of ${opts.seconds} s (bench/net-bench.ts)`);
  if (spawnSync('wrk', ['-v']).error) {
    console.log('wrk is missing: apt-get install wrk (the http half needs it)');
    return false;
  }
  console.log('| load | io-reactor/net | node:net | ratio | server CPU per op, io-reactor/net | node:net |\n|---|---|---|---|---|---|');
  for (const [app, label, unit] of [['echo', `${ECHO_BYTES} B echo (net-echo-load.c)`, 'rt/s'], ['http', 'http hello-world (wrk -t1)', 'req/s']] as const) {
    const runs: Record<string, Measured[]> = { reactor: [], node: [] };
    // Alternated, so a change in the machine's load falls on both.
    for (let i = 0; i < opts.repeats; i++) for (const [impl] of IMPLS) runs[impl].push(await measure(impl, app, opts));
    const rate = (impl: string): number => median(runs[impl].map((r) => r.rate));
    const cpu = (impl: string): string => `${median(runs[impl].map((r) => r.cpuUs)).toFixed(1)} µs`;
    const show = (n: number): string => `${Math.round(n).toLocaleString('en-US')} ${unit}`;
    console.log(`| ${label} | ${show(rate('reactor'))} | ${show(rate('node'))} | ${(rate('reactor') / rate('node')).toFixed(2)}× | ${cpu('reactor')} | ${cpu('node')} |`);
  }
  return true;
}
