// Child processes of the benchmark (servers and the load generator): read line by line,
// always stopped, and killed if the driver exits early.
import { spawn, type ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();

function killAllNow(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  live.clear();
}
process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    killAllNow();
    process.exit(130);
  });
}

export interface Child {
  process: ChildProcess;
  /** Complete stdout lines so far. */
  lines: string[];
  stderr: string;
}

/** Runs `command` (program and arguments) with piped stdout/stderr. */
export function startChild(command: string[]): Child {
  const proc = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  const child: Child = { process: proc, lines: [], stderr: '' };
  let partial = '';
  proc.stdout!.setEncoding('utf8').on('data', (s: string) => {
    partial += s;
    const parts = partial.split('\n');
    partial = parts.pop()!;
    child.lines.push(...parts);
  });
  proc.stderr!.setEncoding('utf8').on('data', (s: string) => {
    if (child.stderr.length < 16384) child.stderr += s;
  });
  proc.on('exit', () => live.delete(proc));
  return child;
}

const exited = (c: Child): boolean => c.process.exitCode !== null || c.process.signalCode !== null;

/** The first stdout line `match` accepts, within `timeoutMs`; null if none (or the child exited). */
export async function waitForLine(c: Child, match: (line: string) => boolean, timeoutMs: number): Promise<string | null> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const line = c.lines.find(match);
    if (line !== undefined) return line;
    if (Date.now() >= end) return null;
    if (exited(c)) {
      // Give the pipe a moment to deliver what the child wrote before exiting.
      await new Promise((r) => setTimeout(r, 20));
      return c.lines.find(match) ?? null;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Ends a child: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(c: Child, graceMs = 1500): Promise<void> {
  if (exited(c)) return;
  const done = new Promise<void>((resolve) => c.process.once('exit', () => resolve()));
  c.process.kill('SIGTERM');
  const timer = setTimeout(() => c.process.kill('SIGKILL'), graceMs);
  const bound = new Promise<void>((resolve) => setTimeout(resolve, graceMs * 2).unref());
  await Promise.race([done, bound]);
  clearTimeout(timer);
}

export function liveChildren(): number {
  return live.size;
}
