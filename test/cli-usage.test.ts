// The command lines as a user meets them: `io-reactor` and its commands, and the chat server of
// `npm start`. Help prints the usage on stdout and exits 0; a bad flag or value prints one line
// saying what is wrong, then the usage, on stderr, exits 2, and never shows a stack trace.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const CHAT = fileURLToPath(new URL('../examples/chat-server.js', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
const SPAWNING_TEST_MS = 120_000;

function run(script: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectHelp(script: string, args: string[], usage: string): void {
  const r = run(script, args);
  expect([args, r.code, r.stderr]).toEqual([args, 0, '']);
  expect(r.stdout.startsWith(usage)).toBe(true);
}

function expectRefusal(script: string, args: string[], problem: string, usage: string): void {
  const r = run(script, args);
  expect([args, r.code, r.stdout]).toEqual([args, 2, '']);
  const [first, second] = r.stderr.split('\n');
  expect(first).toContain(problem);
  expect(second.startsWith(usage)).toBe(true);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

test(
  'io-reactor --help, -h and help print the usage and exit 0; --version prints the version',
  () => {
    for (const args of [['--help'], ['-h'], ['help']]) expectHelp(MAIN, args, 'usage: io-reactor <command>');
    expect(run(MAIN, ['help']).stdout).toMatch(/exit codes: 0 success, 1 .*, 2 bad usage/);
    expect(run(MAIN, ['--version'])).toEqual({ code: 0, stdout: `${PACKAGE.version}\n`, stderr: '' });
  },
  SPAWNING_TEST_MS,
);

test(
  "help <command> and <command> --help print that command's usage and exit 0",
  () => {
    for (const [command, usage] of [
      ['sim', 'usage: io-reactor sim <scenario>'],
      ['viz', 'usage: io-reactor viz <trace.json>'],
    ]) {
      expectHelp(MAIN, ['help', command], usage);
      expectHelp(MAIN, [command, '--help'], usage);
      expectHelp(MAIN, [command, '-h'], usage);
    }
  },
  SPAWNING_TEST_MS,
);

test(
  'a bad command, flag or value says what is wrong in one line, then the usage, and exits 2',
  () => {
    expectRefusal(MAIN, [], 'name a command', 'usage: io-reactor <command>');
    expectRefusal(MAIN, ['fly'], 'unknown command "fly"', 'usage: io-reactor <command>');
    expectRefusal(MAIN, ['--verbose'], 'unknown option "--verbose"', 'usage: io-reactor <command>');
    expectRefusal(MAIN, ['help', 'fly'], 'no command "fly"', 'usage: io-reactor <command>');
    expectRefusal(MAIN, ['viz', '--help=yes'], "Option '-h, --help' does not take an argument", 'usage: io-reactor viz');
    expectRefusal(
      MAIN,
      ['viz', '--port', '7x', 'a.json'],
      '--port must be a port number from 0 to 65535, got "7x"',
      'usage: io-reactor viz',
    );
    expectRefusal(MAIN, ['sim', 'echo', '--sede', '3'], "Unknown option '--sede'", 'usage: io-reactor sim');
    expectRefusal(
      MAIN,
      ['sim', 'echo', '--model', 'bogus'],
      '--model must be readiness or completion, got "bogus"',
      'usage: io-reactor sim',
    );
  },
  SPAWNING_TEST_MS,
);

test(
  'the chat server (npm start) has --help, and refuses a mistyped flag or a bad value before it listens',
  () => {
    const usage = 'usage: npm start -- [--port 4000]';
    expectHelp(CHAT, ['--help'], usage);
    expectHelp(CHAT, ['-h'], usage);
    expectRefusal(CHAT, ['--prot', '4001'], "Unknown option '--prot'", usage);
    expectRefusal(CHAT, ['--model', 'bogus'], '--model must be completion or readiness, got "bogus"', usage);
    expectRefusal(CHAT, ['--mechanism', 'iocp'], '--mechanism must be epoll, poll or io_uring, got "iocp"', usage);
    expectRefusal(CHAT, ['--port', '65536'], '--port must be a port number from 0 to 65535, got "65536"', usage);
    expectRefusal(CHAT, ['--viz-port=-1'], '--viz-port must be a port number from 0 to 65535, got "-1"', usage);
  },
  SPAWNING_TEST_MS,
);
