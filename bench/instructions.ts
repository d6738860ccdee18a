// The instructions section of `npm run bench -- --instructions`: user-space instructions each echo
// server runs per round trip, counted by callgrind, so a busy machine does not change them. Each server
// runs under valgrind (Node with --single-threaded: one thread to count); the load generator warms it
// up with two runs of a fixed count of round trips, the counters are zeroed, it does the counted round trips, and
// the counters are dumped (callgrind_control around a run of bench/c/loadgen.c --round-trips N).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, waitForLine, stopChild } from './children.js';
import { ECHO_SERVERS, LOADGEN, type EchoServer, type LoadResult } from './echo.js';
import { fmtInt, printTable } from './table.js';

export const INSTRUCTION_SERVERS = ['c', 'readiness-epoll', 'completion-epoll', 'completion-io_uring'];

export interface InstructionOptions {
  conns: number;
  size: number;
  /** Round trips per connection before the counters are zeroed (JIT and caches settle). */
  warmupRoundTrips: number;
  /** Round trips per connection counted. */
  roundTrips: number;
}

/** Under valgrind a server starts and runs tens of times slower than natively. */
const START_TIMEOUT_MS = 300_000;
const DUMP_TIMEOUT_MS = 60_000;

function hasValgrind(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The server's command with Node kept to one thread, so the counts are the server's alone. */
function singleThreaded(command: string[]): string[] {
  return command[0] === process.execPath ? [command[0], '--single-threaded', ...command.slice(1)] : command;
}

function loadRun(port: string, conns: number, size: number, roundTrips: number): LoadResult {
  const args = ['--port', port, '--conns', String(conns), '--size', String(size), '--round-trips', String(roundTrips)];
  let out: string;
  try {
    out = execFileSync(LOADGEN, args, { encoding: 'utf8' });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? '');
    if (!out.startsWith('{')) throw new Error(`${LOADGEN} ${args.join(' ')} failed: ${(e as Error).message}`);
  }
  const r = JSON.parse(out) as LoadResult;
  if (!r.ok) throw new Error(`the load generator failed: ${r.error}`);
  return r;
}

/** The dump's total instruction count (its `totals:` line), once callgrind has written it. */
async function dumpedTotal(file: string): Promise<number> {
  const end = Date.now() + DUMP_TIMEOUT_MS;
  for (;;) {
    const totals = existsSync(file) ? /^totals:\s*(\d+)/m.exec(readFileSync(file, 'utf8')) : null;
    if (totals) return Number(totals[1]);
    if (Date.now() >= end) throw new Error(`callgrind wrote no totals to ${file} within ${DUMP_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Instructions the server ran during the counted round trips, all connections together. */
async function countServer(server: EchoServer, o: InstructionOptions, dir: string): Promise<number> {
  const maxSeconds = START_TIMEOUT_MS / 1000 + 600;
  const srv = startChild([
    'valgrind',
    '--tool=callgrind',
    `--callgrind-out-file=${join(dir, `${server.id}.%p`)}`,
    // V8 writes the code it runs: callgrind must see those writes to count the new code.
    '--smc-check=all-non-file',
    ...singleThreaded(server.command(o.conns, o.size, maxSeconds)),
  ]);
  try {
    const portLine = await waitForLine(srv, (l) => l.startsWith('PORT '), START_TIMEOUT_MS);
    if (!portLine) throw new Error(`server did not report its port: ${srv.stderr.trim().slice(-500)}`);
    const port = portLine.slice('PORT '.length).trim();
    const pid = String(srv.process.pid);
    // Twice: the first run's connections, accepted and closed, take paths V8 had no feedback for
    // when it optimized the echo path, so it deoptimizes and recompiles once more; the second run
    // lets that happen before the count (it was a fifth of the readiness server's counted
    // instructions, spent once per new code path, not per round trip).
    for (let run = 0; run < 2; run++) loadRun(port, o.conns, o.size, o.warmupRoundTrips);
    execFileSync('callgrind_control', ['--zero', pid], { stdio: 'ignore' });
    const counted = loadRun(port, o.conns, o.size, o.roundTrips);
    if (counted.roundTrips !== o.conns * o.roundTrips)
      throw new Error(`the load generator did ${counted.roundTrips} round trips, not ${o.conns * o.roundTrips}`);
    execFileSync('callgrind_control', ['--dump', pid], { stdio: 'ignore' });
    return await dumpedTotal(join(dir, `${server.id}.${pid}.1`));
  } finally {
    await stopChild(srv);
  }
}

/** Prints instructions per round trip of each server; returns the number of servers that failed. */
export async function instructionCounts(o: InstructionOptions): Promise<number> {
  console.log(`== Instructions per round trip (callgrind, user space, the server alone): ${o.conns} connections, each doing`);
  console.log(
    `   ${fmtInt(o.roundTrips)} round trips of ${o.size} B counted after two warm-up runs of ${fmtInt(o.warmupRoundTrips)} (bench/c/loadgen.c --round-trips);`,
  );
  console.log('   Node runs with --single-threaded. The counts do not depend on the load of the machine; the run takes minutes.');
  if (!hasValgrind()) {
    console.log('the instruction counts need valgrind (valgrind, callgrind_control): apt-get install valgrind');
    return 1;
  }
  if (!existsSync(LOADGEN)) {
    console.log(`the instruction counts need ${LOADGEN}: run npm run build (the project's CMake builds bench/c)`);
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), 'io-reactor-callgrind-'));
  const rows: string[][] = [];
  let failed = 0;
  try {
    for (const id of INSTRUCTION_SERVERS) {
      const server = ECHO_SERVERS.find((s) => s.id === id)!;
      const started = Date.now();
      try {
        const total = await countServer(server, o, dir);
        const perRoundTrip = total / (o.conns * o.roundTrips);
        rows.push([server.label, fmtInt(total), fmtInt(perRoundTrip)]);
        process.stderr.write(
          `[bench] ${server.label}: ${fmtInt(perRoundTrip)} instructions per round trip (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
        );
      } catch (e) {
        failed++;
        rows.push([server.label, '-', '-']);
        console.log(`FAILED ${server.label}: ${(e as Error).message}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('');
  printTable(['server', 'instructions', 'per round trip'], rows);
  console.log('');
  return failed;
}
