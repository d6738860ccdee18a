// The `npm start` chat server as a child process, with telnet-style node:net clients and the C
// clients (test/c/chat_clients.c) for loads a node:net client cannot make.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { existsSync } from 'node:fs';

const SERVER = new URL('../examples/chat-server.js', import.meta.url).pathname;
const C_CLIENTS = new URL('../../native/chat_clients', import.meta.url).pathname;

export interface ChatServer {
  server: ChildProcess;
  port: number;
  log: () => string;
  /** Resolves once the log matches `pattern`; rejects after `ms`. */
  logged: (pattern: RegExp, ms?: number) => Promise<void>;
}

/** Starts the server with `args`; `shell` runs it under `sh -c` first (a ulimit, say). */
export function startServer(args: string[], shell = ''): Promise<ChatServer> {
  const argv = [SERVER, '--port', '0', ...args];
  const server = shell
    ? spawn('sh', ['-c', `${shell} && exec "$0" "$@"`, process.execPath, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout!.on('data', (d) => {
    log += d;
  });
  server.stderr!.on('data', (d) => {
    log += d;
  });
  const logged = (pattern: RegExp, ms = 10_000): Promise<void> =>
    until(
      () => pattern.test(log),
      ms,
      () => `the log to match ${pattern}; it is:\n${log.slice(-3000)}`,
    );
  return logged(/telnet:\/\/127\.0\.0\.1:(\d+)/).then(() => ({
    server,
    port: Number(/telnet:\/\/127\.0\.0\.1:(\d+)/.exec(log)![1]),
    log: () => log,
    logged,
  }));
}

export async function until(done: () => boolean, ms: number, what: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`waited ${ms} ms for ${what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export class Client {
  received = '';
  ended = false;
  readonly socket: Socket;
  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (d) => {
      this.received += d.toString();
    });
    this.socket.on('close', () => {
      this.ended = true;
    });
    this.socket.on('error', () => {});
  }
  expect(pattern: RegExp, ms = 5000): Promise<void> {
    return until(
      () => pattern.test(this.received),
      ms,
      () => `${pattern}, got ${JSON.stringify(this.received)}`,
    );
  }
  expectEnd(ms = 5000): Promise<void> {
    return until(
      () => this.ended,
      ms,
      () => `the server to close the connection, got ${JSON.stringify(this.received)}`,
    );
  }
  say(line: string): void {
    this.socket.write(line);
  }
  /** Connects and takes `name`; resolves once the server says hello. */
  static async named(port: number, name: string): Promise<Client> {
    const c = new Client(port);
    await c.expect(/What is your name\?/);
    c.say(`${name}\r\n`);
    await c.expect(new RegExp(`Hello, ${name}`));
    return c;
  }
}

/**
 * Runs the C clients (`chat_clients PORT ...args`) and returns the last JSON line they print
 * (also when `signal` stops them).
 */
export function cClients(port: number, args: string[], signal?: AbortSignal): Promise<Record<string, number | boolean>> {
  if (!existsSync(C_CLIENTS)) throw new Error(`${C_CLIENTS} is missing: run node scripts/build.mjs`);
  return new Promise((resolve, reject) => {
    execFile(C_CLIENTS, [String(port), ...args], { timeout: 90_000, signal }, (error, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`chat_clients ${args.join(' ')} printed ${JSON.stringify(stdout)} ${stderr} (${error?.message ?? 'exit 0'})`));
      }
    });
  });
}

/** Stops the server with Ctrl-C; resolves with its exit code. */
export async function stop(s: ChatServer): Promise<number | null> {
  if (s.server.exitCode !== null) return s.server.exitCode;
  const exited = new Promise<number | null>((resolve) => s.server.once('exit', (code) => resolve(code)));
  s.server.kill('SIGINT');
  const code = await exited;
  return code;
}
