// Neolith's console suite, ported: stdin (fd 0) of a real child process as an event source,
// watched alone and beside sockets, in both models over both mechanisms. The child
// (test/fixtures/console-child.mjs) prints each event as a JSON line; these tests type into
// its stdin and read what it saw. Stdin is a stream socket (what Node's 'pipe' gives), a real
// FIFO pipe, or a regular file (which epoll refuses; the shim treats it as always readable).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, constants as fsc } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventType } from '../src/index.js';
import { MATRIX } from './helpers.js';

const CHILD = new URL('../../../test/fixtures/console-child.mjs', import.meta.url).pathname;

type Line = {
  ready?: boolean;
  event?: { wait: number; fd: number; context: string; type: number; bytes: number; data: string | null; accepted?: boolean; contextMismatch?: string };
  eof?: string;
  idle?: { events: number; elapsedMs: number };
  error?: string;
};

type StdinKind = 'socket' | 'fifo';

interface ChildConfig {
  model: string;
  mechanism: string;
  bufferSize?: number;
  sockets?: number;
  listener?: boolean;
  idleMs?: number;
}

const dirs: string[] = [];
const children: ChildProcess[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'io-reactor-console-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  while (children.length) children.pop()!.kill('SIGKILL');
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

class Console {
  readonly lines: Line[] = [];
  output = '';
  exitCode: number | null | undefined = undefined;
  readonly #child: ChildProcess;
  readonly #write: (s: string) => void;
  readonly #end: () => void;

  constructor(config: ChildConfig, stdin: StdinKind | number) {
    let stdio0: 'pipe' | number = 'pipe';
    let fifoWriter = -1;
    if (stdin === 'fifo') {
      // A named pipe: the child's fd 0 is its read end, this process keeps the only writer.
      const path = join(tempDir(), 'stdin.fifo');
      const made = spawnSync('mkfifo', [path]);
      if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
      stdio0 = openSync(path, fsc.O_RDONLY | fsc.O_NONBLOCK);
      fifoWriter = openSync(path, fsc.O_WRONLY);
    } else if (typeof stdin === 'number') {
      stdio0 = stdin;
    }
    this.#child = spawn(process.execPath, [CHILD, JSON.stringify(config)], { stdio: [stdio0, 'pipe', 'pipe'] });
    children.push(this.#child);
    if (typeof stdio0 === 'number') closeSync(stdio0);
    if (fifoWriter >= 0) {
      let open = true;
      this.#write = (s) => { writeSync(fifoWriter, s); };
      this.#end = () => { if (open) { open = false; closeSync(fifoWriter); } };
      this.#child.on('exit', () => this.#end());
    } else {
      this.#write = (s) => { this.#child.stdin!.write(s); };
      this.#end = () => { this.#child.stdin?.end(); };
    }
    let pending = '';
    this.#child.stdout!.on('data', (chunk: Buffer) => {
      this.output += chunk;
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        this.lines.push(JSON.parse(pending.slice(0, nl)) as Line);
        pending = pending.slice(nl + 1);
      }
    });
    this.#child.stderr!.on('data', (chunk: Buffer) => { this.output += chunk; });
    this.#child.on('exit', (code) => { this.exitCode = code; });
  }

  type(s: string): void { this.#write(s); }
  endInput(): void { this.#end(); }

  events(context?: string): NonNullable<Line['event']>[] {
    return this.lines.flatMap((l) => (l.event && (context === undefined || l.event.context === context) ? [l.event] : []));
  }

  /** Console data seen so far, in order. */
  consoleText(): string {
    return this.events('console').map((e) => e.data ?? '').join('');
  }

  async until(what: string, done: () => boolean, ms = 10000): Promise<void> {
    const end = Date.now() + ms;
    while (!done()) {
      const error = this.lines.find((l) => l.error);
      if (error) throw new Error(`child failed: ${error.error}`);
      if (Date.now() > end || (this.exitCode !== undefined && !done())) {
        throw new Error(`waiting for ${what}: child ${this.exitCode === undefined ? 'still running' : `exited ${this.exitCode}`}, output:\n${this.output}`);
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
    expect(this.exitCode).toBe(0);
  }
}

const KINDS: StdinKind[] = ['socket', 'fifo'];
const CASES = MATRIX.flatMap(([model, mechanism]) => KINDS.map((kind) => [model, mechanism, kind] as const));

describe.each(CASES)('console (%s over %s, stdin a %s)', (model, mechanism, kind) => {
  test('input on stdin fires one READ with the console context and the typed bytes', async () => {
    const c = new Console({ model, mechanism }, kind);
    await c.ready();
    c.type('look\n');
    await c.until('console input', () => c.consoleText() === 'look\n');
    const [event] = c.events('console');
    expect(event.type & EventType.READ).toBeTruthy();
    expect(event.fd).toBe(0);
    expect(event.contextMismatch).toBeUndefined();
    if (model === 'completion') expect(event.bytes).toBe(5);
    await c.quit();
  });

  test('the console is watched beside sockets: input fires only the console, a poke only that socket', async () => {
    const c = new Console({ model, mechanism, sockets: 3 }, kind);
    await c.ready();
    c.type('hello\n');
    await c.until('console input', () => c.consoleText() === 'hello\n');
    expect(c.events().every((e) => e.context === 'console')).toBe(true);
    c.type('poke 1\n');
    await c.until('the poked socket', () => c.events('sock1').length > 0);
    const [sock] = c.events('sock1');
    expect(sock.type & EventType.READ).toBeTruthy();
    expect(sock.data).toBe('ping');
    expect(sock.contextMismatch).toBeUndefined();
    await c.quit();
    expect(c.events('sock0')).toEqual([]);
    expect(c.events('sock2')).toEqual([]);
    expect(c.consoleText()).toBe('hello\npoke 1\nquit\n');
  });

  test('closing stdin is end of stream: the data first, then READ/CLOSE and an empty recv (readiness) or a 0-byte CLOSE (completion)', async () => {
    const c = new Console({ model, mechanism }, kind);
    await c.ready();
    c.type('bye\n');
    await c.until('console input', () => c.consoleText() === 'bye\n');
    c.endInput();
    await c.until('end of stream', () => c.lines.some((l) => l.eof === 'console'));
    const last = c.events('console').at(-1)!;
    expect(last.data).toBeNull();
    if (model === 'completion') {
      expect(last.type).toBe(EventType.CLOSE);
      expect(last.bytes).toBe(0);
    } else {
      expect(last.type & (EventType.READ | EventType.CLOSE)).toBeTruthy();
    }
    await c.until('exit', () => c.exitCode !== undefined);
    expect(c.exitCode).toBe(0);
  });

  test('three commands typed one by one arrive one by one, whole and in order', async () => {
    const c = new Console({ model, mechanism }, kind);
    await c.ready();
    const commands = ['north\n', 'take lamp\n', 'inventory\n'];
    let expected = '';
    for (const command of commands) {
      c.type(command);
      expected += command;
      await c.until(`command ${JSON.stringify(command)}`, () => c.consoleText() === expected);
    }
    expect(c.events('console').map((e) => e.data)).toEqual(commands);
    await c.quit();
  });

  test('no event is reported while nobody types; input afterwards is reported', async () => {
    const c = new Console({ model, mechanism, idleMs: 400 }, kind);
    await c.until('the idle report', () => c.lines.some((l) => l.idle));
    const idle = c.lines.find((l) => l.idle)!.idle!;
    expect(idle.events).toBe(0);
    expect(idle.elapsedMs).toBeGreaterThanOrEqual(390);
    c.type('wake\n');
    await c.until('console input', () => c.consoleText() === 'wake\n');
    await c.quit();
  });

  test('console, listener and user socket all ready: exactly three events, one each, in one wait', async () => {
    const c = new Console({ model, mechanism, listener: true }, kind);
    c.type('hello\n'); // waiting before the child's first wait
    await c.ready();
    await c.until('three sources', () => ['console', 'listener', 'user'].every((k) => c.events(k).length > 0));
    await c.quit();
    const events = c.events();
    // After the three, only the typed 'quit' may follow.
    const firstThree = events.slice(0, 3);
    expect(firstThree.map((e) => e.context).sort()).toEqual(['console', 'listener', 'user']);
    expect(new Set(firstThree.map((e) => e.wait)).size).toBe(1);
    expect(events.slice(3).every((e) => e.context === 'console')).toBe(true);
    const by = (k: string) => firstThree.find((e) => e.context === k)!;
    expect(by('console').data).toBe('hello\n');
    expect(by('console').type & EventType.READ).toBeTruthy();
    expect(by('user').data).toBe('hi');
    expect(by('user').type & EventType.READ).toBeTruthy();
    expect(by('listener').type).toBe(model === 'completion' ? EventType.ACCEPT : EventType.READ);
    expect(by('listener').accepted).toBe(true);
    expect(events.every((e) => e.contextMismatch === undefined)).toBe(true);
  });

  test('a 1024-byte line arrives intact', async () => {
    const c = new Console({ model, mechanism }, kind);
    await c.ready();
    let line = '';
    for (let i = 0; line.length < 1023; i++) line += String.fromCharCode(33 + (i % 90));
    line = line.slice(0, 1023) + '\n';
    expect(line.length).toBe(1024);
    c.type(line);
    await c.until('the long line', () => c.consoleText().length >= 1024);
    expect(c.consoleText()).toBe(line);
    await c.quit();
  });
});

describe.each(MATRIX)('stdin a regular file (%s over %s)', (model, mechanism) => {
  test('the whole file arrives in order, then end of stream', async () => {
    const path = join(tempDir(), 'stdin.txt');
    let content = '';
    for (let i = 0; content.length < 10000; i++) content += `line ${String(i).padStart(4, '0')}: the quick brown fox\n`;
    writeFileSync(path, content);
    const fd = openSync(path, 'r');
    const c = new Console({ model, mechanism, bufferSize: 1024 }, fd);
    await c.until('end of stream', () => c.lines.some((l) => l.eof === 'console'));
    expect(c.consoleText()).toBe(content);
    const last = c.events('console').at(-1)!;
    if (model === 'completion') {
      expect(last.type).toBe(EventType.CLOSE);
      expect(last.bytes).toBe(0);
      expect(c.events('console').every((e) => e.bytes <= 1024)).toBe(true);
    } else {
      expect(last.type & EventType.READ).toBeTruthy();
    }
    await c.until('exit', () => c.exitCode !== undefined);
    expect(c.exitCode).toBe(0);
  });
});

describe.each(MATRIX)('stdin /dev/null (%s over %s)', (model, mechanism) => {
  test('a device epoll refuses is treated as always ready: end of stream arrives, nothing hangs', async () => {
    const c = new Console({ model, mechanism }, openSync('/dev/null', 'r'));
    await c.until('end of stream', () => c.lines.some((l) => l.eof === 'console'));
    expect(c.consoleText()).toBe('');
    if (model === 'completion') expect(c.events('console').at(-1)!.type).toBe(EventType.CLOSE);
    await c.until('exit', () => c.exitCode !== undefined);
    expect(c.exitCode).toBe(0);
  });
});
