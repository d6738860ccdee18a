// Neolith's 7 console tests under Wine: stdin (fd 0) of a Windows Node child, a pipe, read by
// the IOCP shim's stdin reader. The child (test/fixtures/console-child.mjs, shared with the
// jest suite) prints each event as a JSON line; these tests type into its stdin.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, test, afterEach } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EventType } from '../../src/index.js';
import { IOCP } from './support.js';

const CHILD = fileURLToPath(new URL('../../../../test/fixtures/console-child.mjs', import.meta.url));
// Wine starts a process in seconds, not milliseconds.
const PATIENCE_MS = 30000;

type Line = {
  ready?: boolean;
  event?: {
    wait: number;
    fd: number;
    context: string;
    type: number;
    bytes: number;
    data: string | null;
    accepted?: boolean;
    contextMismatch?: string;
  };
  eof?: string;
  idle?: { events: number; elapsedMs: number };
  error?: string;
};

const children: ChildProcess[] = [];

class Console {
  readonly lines: Line[] = [];
  output = '';
  exitCode: number | null | undefined = undefined;
  readonly #child: ChildProcess;

  constructor(config: Record<string, unknown>) {
    this.#child = spawn(process.execPath, [CHILD, JSON.stringify({ ...IOCP, lifetimeMs: 60000, ...config })], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(this.#child);
    let pending = '';
    this.#child.stdout!.on('data', (chunk: Buffer) => {
      this.output += chunk;
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        this.lines.push(JSON.parse(pending.slice(0, nl)) as Line);
        pending = pending.slice(nl + 1);
      }
    });
    this.#child.stderr!.on('data', (chunk: Buffer) => {
      this.output += chunk;
    });
    this.#child.on('exit', (code) => {
      this.exitCode = code;
    });
  }

  type(s: string): void {
    this.#child.stdin!.write(s);
  }
  endInput(): void {
    this.#child.stdin!.end();
  }

  events(context?: string): NonNullable<Line['event']>[] {
    return this.lines.flatMap((l) => (l.event && (context === undefined || l.event.context === context) ? [l.event] : []));
  }

  consoleText(): string {
    return this.events('console')
      .map((e) => e.data ?? '')
      .join('');
  }

  async until(what: string, done: () => boolean, ms = PATIENCE_MS): Promise<void> {
    const end = Date.now() + ms;
    while (!done()) {
      const error = this.lines.find((l) => l.error);
      if (error) throw new Error(`child failed: ${error.error}`);
      if (Date.now() > end || (this.exitCode !== undefined && !done())) {
        throw new Error(
          `waiting for ${what}: child ${this.exitCode === undefined ? 'still running' : `exited ${this.exitCode}`}, output:\n${this.output}`,
        );
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  ready(): Promise<void> {
    return this.until('ready', () => this.lines.some((l) => l.ready));
  }

  async quit(): Promise<void> {
    this.type('quit\n');
    await this.until('exit', () => this.exitCode !== undefined);
    assert.equal(this.exitCode, 0);
  }
}

describe('Neolith console tests (IOCP, stdin a pipe)', () => {
  afterEach(() => {
    while (children.length) children.pop()!.kill();
  });

  test('input on stdin fires one READ with the console context and the typed bytes', async () => {
    const c = new Console({});
    await c.ready();
    c.type('look\n');
    await c.until('console input', () => c.consoleText() === 'look\n');
    const [event] = c.events('console');
    assert.deepEqual([event.fd, event.type, event.bytes, event.contextMismatch], [0, EventType.READ, 5, undefined]);
    await c.quit();
  });

  test('the console is watched beside sockets: input fires only the console, a poke only that socket', async () => {
    const c = new Console({ sockets: 3 });
    await c.ready();
    c.type('hello\n');
    await c.until('console input', () => c.consoleText() === 'hello\n');
    assert.ok(c.events().every((e) => e.context === 'console'));
    c.type('poke 1\n');
    await c.until('the poked socket', () => c.events('sock1').length > 0);
    const [sock] = c.events('sock1');
    assert.deepEqual([sock.type, sock.data, sock.contextMismatch], [EventType.READ, 'ping', undefined]);
    await c.quit();
    assert.deepEqual([c.events('sock0'), c.events('sock2')], [[], []]);
    assert.equal(c.consoleText(), 'hello\npoke 1\nquit\n');
  });

  test('closing stdin is end of stream: the data first, then a 0-byte CLOSE', async () => {
    const c = new Console({});
    await c.ready();
    c.type('bye\n');
    await c.until('console input', () => c.consoleText() === 'bye\n');
    c.endInput();
    await c.until('end of stream', () => c.lines.some((l) => l.eof === 'console'));
    const last = c.events('console').at(-1)!;
    assert.deepEqual([last.type, last.bytes, last.data], [EventType.CLOSE, 0, null]);
    await c.until('exit', () => c.exitCode !== undefined);
    assert.equal(c.exitCode, 0);
  });

  test('three commands typed one by one arrive one by one, whole and in order', async () => {
    const c = new Console({});
    await c.ready();
    const commands = ['north\n', 'take lamp\n', 'inventory\n'];
    let expected = '';
    for (const command of commands) {
      c.type(command);
      expected += command;
      await c.until(`command ${JSON.stringify(command)}`, () => c.consoleText() === expected);
    }
    assert.deepEqual(
      c.events('console').map((e) => e.data),
      commands,
    );
    await c.quit();
  });

  test('no event is reported while nobody types; input afterwards is reported', async () => {
    const c = new Console({ idleMs: 400 });
    await c.until('the idle report', () => c.lines.some((l) => l.idle));
    const idle = c.lines.find((l) => l.idle)!.idle!;
    assert.equal(idle.events, 0);
    assert.ok(idle.elapsedMs >= 390, `idle ${idle.elapsedMs} ms`);
    c.type('wake\n');
    await c.until('console input', () => c.consoleText() === 'wake\n');
    await c.quit();
  });

  // Unlike epoll, which finds all three ready at once, IOCP completes the read, the accept and
  // the stdin read posted by the first wait each on its own: they may span more than one wait.
  test('console, listener and user socket all ready: exactly three events, one each', async () => {
    const c = new Console({ listener: true });
    c.type('hello\n');
    await c.ready();
    await c.until('three sources', () => ['console', 'listener', 'user'].every((k) => c.events(k).length > 0));
    await c.quit();
    const events = c.events();
    const firstThree = events.slice(0, 3);
    assert.deepEqual(firstThree.map((e) => e.context).sort(), ['console', 'listener', 'user']);
    assert.ok(events.slice(3).every((e) => e.context === 'console'));
    const by = (k: string) => firstThree.find((e) => e.context === k)!;
    assert.deepEqual([by('console').type, by('console').data], [EventType.READ, 'hello\n']);
    assert.deepEqual([by('user').type, by('user').data], [EventType.READ, 'hi']);
    assert.deepEqual([by('listener').type, by('listener').accepted], [EventType.ACCEPT, true]);
    assert.ok(events.every((e) => e.contextMismatch === undefined));
  });

  test('a 1024-byte line arrives intact', async () => {
    const c = new Console({});
    await c.ready();
    let line = '';
    for (let i = 0; line.length < 1023; i++) line += String.fromCharCode(33 + (i % 90));
    line = line.slice(0, 1023) + '\n';
    c.type(line);
    await c.until('the long line', () => c.consoleText().length >= 1024);
    assert.equal(c.consoleText(), line);
    await c.quit();
  });
});
