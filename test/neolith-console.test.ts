// Neolith's console suite, ported: stdin (fd 0) as an event source, watched alone and beside
// sockets, in both models over both mechanisms, natively and in simulation (IOCP too). The program
// (test/fixtures/console-program.mjs) reports each event as a line; natively it is a child
// process printing JSON lines (console-child.mjs), in simulation it runs here over a simulated
// host's console. These tests type into its stdin and read what it saw. Natively stdin is a
// stream socket (what Node's 'pipe' gives), a real FIFO pipe, or a regular file (which epoll
// refuses; the shim treats it as always readable).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, constants as fsc } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventType, type Reactor } from '../src/index.js';
import { Simulation } from '../src/sim/index.js';
import { MATRIX, FULL_MATRIX, type Model, type Mechanism } from './helpers.js';

const CHILD = new URL('../../../test/fixtures/console-child.mjs', import.meta.url).pathname;
const PROGRAM = new URL('../../../test/fixtures/console-program.mjs', import.meta.url).href;

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

type NativeStdin = 'socket' | 'fifo';
/** Stdin natively (a socket or a FIFO), or a simulated host's console. */
type StdinKind = NativeStdin | 'simulated console';

interface ChildConfig {
  model: Model;
  mechanism: Mechanism;
  bufferSize?: number;
  sockets?: number;
  listener?: boolean;
  idleMs?: number;
}

const dirs: string[] = [];
/** Programs still running, stopped after each test. */
const running: Console[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'io-reactor-console-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  while (running.length) running.pop()!.stop();
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

/** The console program running somewhere, as the tests see it: what it reported, and its stdin. */
abstract class Console {
  readonly lines: Line[] = [];
  output = '';
  exitCode: number | null | undefined = undefined;

  constructor() {
    running.push(this);
  }

  abstract type(s: string): void;
  abstract endInput(): void;
  /** Ends the program, if it still runs. */
  abstract stop(): void;
  /** The clock `until` measures its patience by. */
  protected abstract clock(): number;
  /** Lets the program run a while before `until` looks again. */
  protected abstract advance(): Promise<void>;

  events(context?: string): NonNullable<Line['event']>[] {
    return this.lines.flatMap((l) => (l.event && (context === undefined || l.event.context === context) ? [l.event] : []));
  }

  /** Console data seen so far, in order. */
  consoleText(): string {
    return this.events('console')
      .map((e) => e.data ?? '')
      .join('');
  }

  async until(what: string, done: () => boolean, ms = 10000): Promise<void> {
    const end = this.clock() + ms;
    while (!done()) {
      const error = this.lines.find((l) => l.error);
      if (error) throw new Error(`program failed: ${error.error}`);
      if (this.clock() > end || (this.exitCode !== undefined && !done())) {
        throw new Error(
          `waiting for ${what}: program ${this.exitCode === undefined ? 'still running' : `exited ${this.exitCode}`}, output:\n${this.output}`,
        );
      }
      await this.advance();
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

/** The program as a child process (console-child.mjs) whose stdin is a socket, a FIFO or an fd. */
class ChildConsole extends Console {
  readonly #child: ChildProcess;
  readonly #write: (s: string) => void;
  readonly #end: () => void;

  constructor(config: ChildConfig, stdin: NativeStdin | number) {
    super();
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
    if (typeof stdio0 === 'number') closeSync(stdio0);
    if (fifoWriter >= 0) {
      let open = true;
      this.#write = (s) => {
        writeSync(fifoWriter, s);
      };
      this.#end = () => {
        if (open) {
          open = false;
          closeSync(fifoWriter);
        }
      };
      this.#child.on('exit', () => this.#end());
    } else {
      this.#write = (s) => {
        this.#child.stdin!.write(s);
      };
      this.#end = () => {
        this.#child.stdin?.end();
      };
    }
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
    this.#write(s);
  }
  endInput(): void {
    this.#end();
  }
  stop(): void {
    this.#child.kill('SIGKILL');
  }
  protected clock(): number {
    return Date.now();
  }
  protected advance(): Promise<void> {
    return new Promise((r) => setTimeout(r, 10));
  }
}

interface Program {
  running: boolean;
  idle(): void;
  step(): void;
}
type ProgramModule = {
  consoleProgram(
    r: Reactor,
    eventType: typeof EventType,
    config: ChildConfig,
    out: (line: Line) => void,
    pause: (ms: number) => void,
  ): Program;
};

/**
 * The program in this process on a simulated host, reading the host's console: each `advance` is
 * one of its waits, in virtual time. Typing crosses the simulated network (1 to 5 ms), and the
 * oracle checks every byte the program reads against what was typed.
 */
class SimulatedConsole extends Console {
  readonly #sim = new Simulation({ seed: 44, latencyMs: [1, 5], oracle: true });
  readonly #host = this.#sim.host('terminal');
  readonly #started: Promise<void>;
  #reactor: Reactor | undefined;
  #program: Program | undefined;

  constructor(config: ChildConfig) {
    super();
    this.#started = this.#start(config);
  }

  async #start(config: ChildConfig): Promise<void> {
    const { consoleProgram } = (await import(PROGRAM)) as ProgramModule;
    const { model, mechanism, bufferSize } = config;
    const r = await this.#host.createReactor({ model, mechanism, ...(bufferSize ? { bufferSize } : {}) });
    this.#reactor = r;
    const out = (line: Line): void => {
      this.lines.push(line);
      this.output += `${JSON.stringify(line)}\n`;
    };
    const net = this.#sim.network;
    this.#run(() => {
      this.#program = consoleProgram(r, EventType, config, out, (ms) => net.advance(net.now + ms));
      if (config.idleMs) this.#program.idle();
    });
  }

  /** Runs a part of the program; its end, or its failure, is its exit. */
  #run(part: () => void): void {
    try {
      part();
      if (this.#program?.running === false) this.#exit(0);
    } catch (err) {
      this.lines.push({ error: String(err instanceof Error ? err.stack : err) });
      this.#exit(1);
    }
  }

  #exit(code: number): void {
    this.#reactor?.destroy();
    this.exitCode = code;
  }

  type(s: string): void {
    this.#host.console.write(s);
  }
  endInput(): void {
    this.#host.console.end();
  }
  stop(): void {
    if (this.exitCode === undefined) this.#exit(1);
  }
  protected clock(): number {
    return this.#sim.now;
  }

  protected async advance(): Promise<void> {
    await this.#started;
    if (this.#program && this.exitCode === undefined) this.#run(() => this.#program!.step());
  }
}

/** The program over a stdin of that kind. */
function start(config: ChildConfig, stdin: StdinKind | number): Console {
  return stdin === 'simulated console' ? new SimulatedConsole(config) : new ChildConsole(config, stdin);
}

const NATIVE_KINDS: NativeStdin[] = ['socket', 'fifo'];
// Natively over both stdin kinds; in simulation over both models' mechanisms and IOCP.
const CASES = FULL_MATRIX.flatMap(([model, mechanism, backend]) =>
  (backend === 'native' ? NATIVE_KINDS : ['simulated console' as const]).map(
    (kind) => [model, mechanism, kind] as [Model, Mechanism, StdinKind],
  ),
);

describe.each(CASES)('console (%s over %s, stdin a %s)', (model, mechanism, kind) => {
  test('input on stdin fires one READ with the console context and the typed bytes', async () => {
    const c = start({ model, mechanism }, kind);
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
    const c = start({ model, mechanism, sockets: 3 }, kind);
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
    const c = start({ model, mechanism }, kind);
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
    const c = start({ model, mechanism }, kind);
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
    const c = start({ model, mechanism, idleMs: 400 }, kind);
    await c.until('the idle report', () => c.lines.some((l) => l.idle));
    const idle = c.lines.find((l) => l.idle)!.idle!;
    expect(idle.events).toBe(0);
    expect(idle.elapsedMs).toBeGreaterThanOrEqual(390);
    c.type('wake\n');
    await c.until('console input', () => c.consoleText() === 'wake\n');
    await c.quit();
  });

  test('console, listener and user socket all ready: exactly three events, one each, in one wait', async () => {
    const c = start({ model, mechanism, listener: true }, kind);
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
    const c = start({ model, mechanism }, kind);
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
    const c = start({ model, mechanism, bufferSize: 1024 }, fd);
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
    const c = start({ model, mechanism }, openSync('/dev/null', 'r'));
    await c.until('end of stream', () => c.lines.some((l) => l.eof === 'console'));
    expect(c.consoleText()).toBe('');
    if (model === 'completion') expect(c.events('console').at(-1)!.type).toBe(EventType.CLOSE);
    await c.until('exit', () => c.exitCode !== undefined);
    expect(c.exitCode).toBe(0);
  });
});
