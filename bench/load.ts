// The load generator: N node:net connections to 127.0.0.1:port, each in ping-pong (send `size`
// bytes, wait for `size` back, repeat). After a warm-up it counts round trips for `duration`
// seconds, then prints one JSON line (LoadResult) on stdout and exits.
//   node build/js/bench/load.js --port P [--conns 100] [--size 64] [--warmup 0.5] [--duration 2] [--server-pid PID]
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { LatencyHistogram } from './stats.js';

export interface LoadResult {
  ok: boolean;
  error?: string;
  conns: number;
  size: number;
  /** Measured window, seconds. */
  seconds: number;
  roundTrips: number;
  /** Round trips per second over the window. */
  rate: number;
  p50us: number;
  p99us: number;
  /** CPU the load generator used in the window, in cores (1 = one core busy). */
  loadCpu: number;
  /** CPU the server process used in the window, in cores; NaN when unknown. */
  serverCpu: number;
  /** CPU the whole machine used in the window, in cores (Linux /proc/stat); NaN when unknown. */
  machineCpu: number;
  connectMs: number;
  socketErrors: number;
  badEchoes: number;
}

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    conns: { type: 'string', default: '100' },
    size: { type: 'string', default: '64' },
    warmup: { type: 'string', default: '0.5' },
    duration: { type: 'string', default: '2' },
    'server-pid': { type: 'string', default: '0' },
    'connect-timeout': { type: 'string', default: '15' },
  },
});
const port = Number(values.port);
const conns = Math.max(1, Math.min(20000, Number(values.conns)));
const size = Math.max(1, Math.min(65536, Number(values.size)));
const warmupMs = Math.max(0, Number(values.warmup) * 1000);
const durationMs = Math.max(50, Number(values.duration) * 1000);
const serverPid = Number(values['server-pid']);
const connectTimeoutMs = Number(values['connect-timeout']) * 1000;

const WARMUP = 0;
const MEASURE = 1;
const STOP = 2;
let phase = WARMUP;
let roundTrips = 0;
let outstanding = 0;
let socketErrors = 0;
let badEchoes = 0;
const histogram = new LatencyHistogram();
const payload = Buffer.alloc(size);
for (let i = 0; i < size; i++) payload[i] = 0x41 + (i % 26);

interface Conn {
  socket: net.Socket;
  got: number;
  sentAt: number;
  checked: boolean;
}
const all: Conn[] = [];

/** utime + stime of a process, in seconds (Linux /proc); NaN elsewhere. */
function processCpuSeconds(pid: number): number {
  if (!pid) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

/** Busy CPU seconds of the whole machine since boot (Linux /proc/stat); NaN elsewhere. */
function machineCpuSeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const t = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy = all but idle and iowait
    return (t[0] + t[1] + t[2] + t[5] + t[6] + (t[7] || 0)) / 100;
  } catch {
    return NaN;
  }
}

function ping(c: Conn, now: number): void {
  c.sentAt = now;
  outstanding++;
  c.socket.write(payload);
}

function onData(c: Conn, chunk: Buffer): void {
  if (!c.checked) {
    c.checked = true;
    if (chunk[0] !== payload[c.got % size]) badEchoes++;
  }
  c.got += chunk.length;
  while (c.got >= size) {
    c.got -= size;
    outstanding--;
    const now = performance.now();
    if (phase === MEASURE) {
      roundTrips++;
      histogram.record((now - c.sentAt) * 1000);
    }
    if (phase !== STOP) ping(c, now);
  }
}

function open(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    const c: Conn = { socket, got: 0, sentAt: 0, checked: false };
    socket.once('connect', () => {
      socket.setNoDelay(true);
      all.push(c);
      ping(c, performance.now());
      resolve();
    });
    socket.on('data', (chunk: Buffer) => onData(c, chunk));
    socket.on('end', () => {
      if (phase !== STOP) socketErrors++; // the server hung up mid-run
    });
    socket.on('error', (err) => {
      socketErrors++;
      reject(err);
    });
  });
}

let finished = false;
function finish(result: LoadResult): void {
  if (finished) return;
  finished = true;
  for (const c of all) c.socket.destroy();
  process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(result.ok ? 0 : 1));
  setTimeout(() => process.exit(result.ok ? 0 : 1), 2000).unref();
}

const base: LoadResult = {
  ok: false, conns, size, seconds: 0, roundTrips: 0, rate: 0, p50us: NaN, p99us: NaN, loadCpu: NaN,
  serverCpu: NaN, machineCpu: NaN, connectMs: 0, socketErrors: 0, badEchoes: 0,
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    return finish({ ...base, error: `--port must be the server's port, got ${values.port}` });
  }
  const hardStop = setTimeout(() => {
    finish({ ...base, error: `did not finish within its time bound (connect ${connectTimeoutMs} ms + run)`, socketErrors });
  }, connectTimeoutMs + warmupMs + durationMs + 5000);
  hardStop.unref();

  // Connect in batches, so the server's accept queue never overflows into SYN retries.
  const connectStart = performance.now();
  const BATCH = 100;
  try {
    for (let i = 0; i < conns; i += BATCH) {
      const batch: Promise<void>[] = [];
      for (let j = i; j < Math.min(conns, i + BATCH); j++) batch.push(open());
      await Promise.all(batch);
    }
  } catch (e) {
    return finish({ ...base, error: `connect failed after ${all.length} connections: ${(e as Error).message}`, socketErrors });
  }
  const connectMs = performance.now() - connectStart;

  await sleep(warmupMs);
  if (finished) return;
  const cpu0 = process.cpuUsage();
  const server0 = processCpuSeconds(serverPid);
  const machine0 = machineCpuSeconds();
  const t0 = performance.now();
  phase = MEASURE;
  await sleep(durationMs);
  phase = STOP;
  const t1 = performance.now();
  const cpu1 = process.cpuUsage(cpu0);
  const server1 = processCpuSeconds(serverPid);
  const machine1 = machineCpuSeconds();
  const seconds = (t1 - t0) / 1000;

  // Let the last pings come home (bounded), so the server sees orderly closes.
  for (let i = 0; i < 50 && outstanding > 0; i++) await sleep(10);
  clearTimeout(hardStop);
  finish({
    ok: socketErrors === 0 && badEchoes === 0 && roundTrips > 0,
    error: socketErrors || badEchoes ? `${socketErrors} socket errors, ${badEchoes} bad echoes` : roundTrips === 0 ? 'no round trip completed' : undefined,
    conns,
    size,
    seconds,
    roundTrips,
    rate: roundTrips / seconds,
    p50us: histogram.percentile(0.5),
    p99us: histogram.percentile(0.99),
    loadCpu: (cpu1.user + cpu1.system) / 1e6 / seconds,
    serverCpu: (server1 - server0) / seconds,
    machineCpu: (machine1 - machine0) / seconds,
    connectMs,
    socketErrors,
    badEchoes,
  });
}

await main();
