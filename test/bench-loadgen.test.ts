// The echo benchmark's C load generator (bench/c/loadgen.c) counts only correct echoes: a server
// that corrupts, reorders or drops bytes fails the run instead of being measured.
import { execFile } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { LoadResult } from '../bench/echo.js';

const LOADGEN = fileURLToPath(new URL('../../native/bench/echo_loadgen', import.meta.url));

/** An echo server on 127.0.0.1 that passes each chunk through `alter` first (null: hang up instead). */
async function server(alter: (chunk: Buffer) => Buffer | null): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const s = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk) => {
      const reply = alter(chunk);
      if (reply) socket.write(reply);
      else socket.destroy();
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return {
    port: (s.address() as net.AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      s.close();
    },
  };
}

/** A timed run, or with `roundTrips` a counted one (no clock, so a slow machine cannot end it early). */
function load(port: number, conns: number, size: number, roundTrips?: number): Promise<LoadResult> {
  const length = roundTrips === undefined ? ['--warmup', '0.05', '--duration', '0.5'] : ['--round-trips', String(roundTrips)];
  return new Promise((resolve, reject) => {
    execFile(
      LOADGEN,
      ['--port', String(port), '--conns', String(conns), '--size', String(size), ...length, '--server-pid', String(process.pid)],
      (error, stdout) => (stdout.startsWith('{') ? resolve(JSON.parse(stdout) as LoadResult) : reject(error ?? new Error(stdout))),
    );
  });
}

/** The load generator's exit code and output, whatever the code. */
function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(LOADGEN, args, (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }));
  });
}

test('a faithful echo server is measured: round trips, latency, and its CPU from /proc', async () => {
  const s = await server((chunk) => chunk);
  try {
    const r = await load(s.port, 10, 16384);
    expect([r.ok, r.error, r.badEchoes, r.socketErrors]).toEqual([true, undefined, 0, 0]);
    expect(r.roundTrips).toBeGreaterThan(0);
    expect(r.p99us).toBeGreaterThanOrEqual(r.p50us);
    expect(r.serverCpu).toBeGreaterThanOrEqual(0);
  } finally {
    s.close();
  }
});

test('an echo with one byte changed fails the run', async () => {
  let echoes = 0;
  const s = await server((chunk) => {
    // Let a few round trips through first, so the check is on every echo, not only the first.
    if (++echoes === 50) chunk[chunk.length - 1] ^= 1;
    return chunk;
  });
  try {
    const r = await load(s.port, 1, 64, 200);
    expect([r.ok, r.error, r.badEchoes]).toEqual([false, expect.stringMatching(/^an echo differed from the message sent/), 1]);
  } finally {
    s.close();
  }
});

test('an echo of the previous message (a stale one) fails the run', async () => {
  let previous: Buffer | null = null;
  const s = await server((chunk) => {
    const reply = previous ?? chunk;
    previous = Buffer.from(chunk);
    return reply;
  });
  try {
    const r = await load(s.port, 1, 64, 200);
    expect([r.ok, r.error]).toEqual([false, expect.stringMatching(/^an echo differed/)]);
  } finally {
    s.close();
  }
});

test('a server that hangs up mid-run fails the run', async () => {
  let echoes = 0;
  const s = await server((chunk) => (++echoes === 50 ? null : chunk));
  try {
    const r = await load(s.port, 1, 64, 200);
    expect([r.ok, r.error]).toEqual([
      false,
      expect.stringMatching(/^the server closed a connection mid-run|^recv failed|^a connection failed/),
    ]);
  } finally {
    s.close();
  }
});

test('--round-trips N: every connection does exactly N round trips, then the generator reports and exits 0', async () => {
  const bytesPerConnection: number[] = [];
  const counting = net.createServer((socket) => {
    const i = bytesPerConnection.push(0) - 1;
    socket.on('data', (chunk) => {
      bytesPerConnection[i] += chunk.length;
      socket.write(chunk);
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => counting.listen(0, '127.0.0.1', resolve));
  try {
    const port = (counting.address() as net.AddressInfo).port;
    const { code, stdout } = await run(['--port', String(port), '--conns', '5', '--size', '64', '--round-trips', '300']);
    const r = JSON.parse(stdout) as LoadResult;
    expect([code, r.ok, r.roundTrips, r.badEchoes]).toEqual([0, true, 1500, 0]);
    expect(bytesPerConnection).toEqual([300 * 64, 300 * 64, 300 * 64, 300 * 64, 300 * 64]);
  } finally {
    counting.close();
  }
});

test('--round-trips refuses a bad count, and a warm-up or duration beside it, saying why', async () => {
  for (const [args, message] of [
    [['--round-trips', '0'], '--round-trips must be a number from 1 to 1e+09, got 0'],
    [['--round-trips', 'many'], '--round-trips must be a number from 1 to 1e+09, got many'],
    [['--round-trips', '2.5'], '--round-trips must be a whole number, got 2.5'],
    [['--round-trips', '10', '--duration', '1'], '--round-trips counts round trips instead of timing them: drop --warmup and --duration'],
  ] as const) {
    const { code, stdout, stderr } = await run(['--port', '1', ...args]);
    expect([code, stdout, stderr]).toEqual([2, '', `echo_loadgen: ${message}\n`]);
  }
});
