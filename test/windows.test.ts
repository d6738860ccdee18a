// The Windows side for real, under Wine: the IOCP shim's C harness (build/win/iocp_harness.exe)
// and the Neolith suites (test/wine/*.wine.ts) run by Windows Node against the Windows addon.
// Each case of theirs is one jest test here; a case missing from their output fails, and so does
// every case when Wine or the Windows build is missing (scripts/build-windows.mjs provides both).
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../../', import.meta.url).pathname;
const WIN = join(ROOT, 'build/win');
// Each run has its own directory (a fresh Wine prefix and the outputs), so runs never meet.
const RUNS = join(WIN, 'runs');
const RUN = join(RUNS, String(process.pid));
const PREFIX = join(RUN, 'prefix');
const WINE_ENV = { ...process.env, WINEPREFIX: PREFIX, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
// Wine starts each process in seconds; the suites themselves take about a minute.
const RUN_LIMIT_MS = 300_000;

const HARNESS_CASES = [
  'a posted wakeup ends a wait with the wakeup op',
  'a wait with nothing posted times out after its timeout',
  'a posted read completes with its bytes in the buffer',
  'a zero-byte receive waits for data, and a receive now takes it',
  'a completion wakes a blocked wait at once',
  'a posted send completes and the peer receives it',
  'a graceful peer close completes the read with 0 bytes',
  "dissociate cancels the fd's reads; it can be associated again",
  'a socket bound to one port is refused by another; its own port takes it back',
  'a local close under a pending read completes it with an error',
  'accept completes with a socket ready for overlapped reads',
  'one wait takes a batch of completions',
  'a stream (pipe) read completes, keeps what the buffer cannot take, cancels and ends',
  'a stream outlives a port: what its reader took after the shut goes to the next port',
  'shut with operations in flight returns',
  'shim: an armed read completes into the first provided buffer',
  'shim: an armed read that finds the ring empty waits, and resume serves it',
  'shim: remove of an armed read gives nothing back, as it held no buffer',
  'shim: shim_wake from another thread ends a harvest with no timeout',
];

const SUITES: [file: string, suite: string, cases: string[]][] = [
  [
    'generic',
    'Neolith generic tests (IOCP)',
    [
      'create gives a live reactor; destroy ends it and later calls throw EDESTROYED',
      'two reactors are independent: each reports only its own fds and outlives the other',
      'destroy twice is harmless, and the fds it watched stay open for the app',
      'add then remove: the fd is registered, then not, and its data raises no event',
      'the context given to add comes back identical with each event; re-adding replaces it',
      'adding an fd twice throws EEXIST and keeps the first registration',
      'removing an fd that is not registered returns false and changes nothing',
      'modify to READ|WRITE, WRITE, then none is accepted (completion events follow posted operations)',
      'modify of an unregistered fd throws ENOENT and registers nothing',
      'wait(100) with nothing registered returns no events after at least 100 ms',
      'data on a socket gives one READ event with its fd, add-time context and the bytes',
      'two sockets with data give exactly two READ events, one per context',
      'maxEvents 2 with three sockets ready: two now, the third first on the next wait',
      'a posted write completes as one WRITE with its byte count, and the peer receives it',
      'wait refuses invalid timeouts and maxEvents with EINVAL and keeps working',
      'add refuses an invalid fd: negative or fractional with EBADF/EINVAL, a closed one with EBADF',
      '100 socket pairs with 50 written give exactly 50 events, one per written fd',
      'postRead reads a later message; the read it posted is the one that completes',
      'postWrite: the peer receives the bytes and one WRITE reports them',
    ],
  ],
  [
    'listen',
    'Neolith listening-socket tests (IOCP)',
    [
      'a connection makes the listener report once with its port context, and it can be accepted',
      'of 5 listening ports, a connection to the third fires only that port',
      '5 quick connects to one port are all accepted, each as its own connection',
      'each listener context comes back identical, whatever JS value it is',
      'a listener beside user sockets: a connection and data on one user socket fire exactly those two',
      'a listener without connections reports nothing for 500 ms',
    ],
  ],
  [
    'console',
    'Neolith console tests (IOCP, stdin a pipe)',
    [
      'input on stdin fires one READ with the console context and the typed bytes',
      'the console is watched beside sockets: input fires only the console, a poke only that socket',
      'closing stdin is end of stream: the data first, then a 0-byte CLOSE',
      'three commands typed one by one arrive one by one, whole and in order',
      'no event is reported while nobody types; input afterwards is reported',
      'console, listener and user socket all ready: exactly three events, one each',
      'a 1024-byte line arrives intact',
    ],
  ],
  [
    'iocp',
    'Neolith IOCP tests (IOCP)',
    [
      'a completed read carries its bytes in the event buffer',
      'a graceful close by the peer completes the pending read as CLOSE with 0 bytes',
      'remove right after add (before the read reaches the OS): no event for the fd afterwards, and the pool comes back',
      'remove right after add (while the read is in flight): no event for the fd afterwards, and the pool comes back',
      'an fd removed from one reactor and added to another is refused there with EINVAL; the first takes it back',
      'two reads in a row on one socket: the second message waits for postRead, then arrives intact',
      'a local close under a pending read completes it as CLOSE',
    ],
  ],
  [
    'buffers',
    'Buffers only for bytes in flight (IOCP)',
    [
      '2000 idle connections on a default reactor: all added, no buffer taken, data on every 40th arrives',
      'ready reads wait for a buffer while the pool is held, then resume with their data',
    ],
  ],
  [
    'addresses',
    'Socket addresses over winsock (IOCP)',
    ['a listener is where it listens, and each end of an accepted connection is what the other calls its peer'],
  ],
  [
    'platform',
    'Windows defaults and refusals',
    [
      'Reactor.create() with no options is completion over iocp',
      'the readiness model is refused with EINVAL, pointing to completion or the simulation',
      'epoll and poll are refused natively with EINVAL, pointing to iocp',
      'the simulation still runs readiness over epoll on Windows',
    ],
  ],
  [
    'wakeup',
    'Neolith wakeup tests (IOCP)',
    [
      'a wakeup from another thread ends a wait(10000) early with no events',
      'two wakeups from two threads end two waits in turn, and each is consumed',
      'a wakeup with a socket event pending: the wait returns the socket event',
      '1000 wakeups with no wait running end at most one later wait early: they merge',
      'reactor.wakeup() from a timer ends a pending waitAsync early with no events',
    ],
  ],
];

/** Wine's view of a Linux path (drive Z: is /). */
const winPath = (path: string): string => `Z:${path.replace(/\//g, '\\')}`;

/** Runs a Windows program under Wine, its output into `outFile` (Wine's own noise into `.err`). */
function wine(args: string[], outFile: string): Promise<number | null> {
  const out = openSync(outFile, 'w');
  const err = openSync(`${outFile}.err`, 'w');
  const child = spawn('wine', args, { cwd: RUN, env: WINE_ENV, stdio: ['ignore', out, err] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      closeSync(out);
      closeSync(err);
      resolve(code);
    });
  });
}

/** Ends what Wine keeps running for the prefix (its server writes the prefix for a while after). */
function stopWine(): Promise<unknown> {
  return new Promise((resolve) => {
    const child = spawn('wineserver', ['-k'], { env: WINE_ENV, stdio: 'ignore' });
    child.on('exit', resolve);
    child.on('error', resolve);
  });
}

const harness = new Map<string, string>();
const results = new Map<string, { passed: boolean; error?: string }>();
let trouble = '';

beforeAll(
  async () => {
    const missing = ['node.exe', 'io_reactor.node', 'iocp_harness.exe'].filter((f) => !existsSync(join(WIN, f)));
    try {
      execFileSync('sh', ['-c', 'command -v wine'], { stdio: 'ignore' });
    } catch {
      missing.push('wine');
    }
    if (missing.length > 0) {
      trouble = `missing ${missing.join(', ')}: \`npm run build\` installs mingw-w64 and Wine (as root) and builds build/win/`;
      return;
    }
    removeDeadRuns();
    mkdirSync(RUN, { recursive: true });
    await wine(['winecfg', '-v', 'win10'], join(RUN, 'winecfg.out'));

    await wine([winPath(join(WIN, 'iocp_harness.exe'))], join(RUN, 'harness.out'));
    // Lines are "ok - <case>" or "not ok - <case>: <why>", and case names may hold ": " too.
    const lines = readFileSync(join(RUN, 'harness.out'), 'utf8').split(/\r?\n/);
    for (const name of HARNESS_CASES) {
      if (lines.includes(`ok - ${name}`)) harness.set(name, 'ok');
      const failed = lines.find((l) => l.startsWith(`not ok - ${name}: `));
      if (failed) harness.set(name, failed.slice(`not ok - ${name}: `.length));
    }

    const suites = join(ROOT, 'build/js/test/wine');
    await wine(
      [
        winPath(join(WIN, 'node.exe')),
        '--test',
        `--test-reporter=file:///${winPath(join(suites, 'reporter.js')).replace(/\\/g, '/')}`,
        `--test-reporter-destination=${winPath(join(RUN, 'suites.jsonl'))}`,
        ...SUITES.map(([file]) => winPath(join(suites, `${file}.wine.js`))),
      ],
      join(RUN, 'suites.out'),
    );
    const reported = existsSync(join(RUN, 'suites.jsonl')) ? readFileSync(join(RUN, 'suites.jsonl'), 'utf8') : '';
    for (const line of reported.split('\n').filter(Boolean)) {
      const r = JSON.parse(line) as { name: string; passed: boolean; error?: string };
      results.set(r.name, r);
    }
  },
  RUN_LIMIT_MS * 2 + 60_000,
);

// The prefix (hundreds of MB) goes; the outputs stay for a look.
afterAll(async () => {
  if (trouble !== '') return;
  await stopWine();
  rmSync(PREFIX, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

/** Directories of runs whose process is gone (killed before its afterAll). */
function removeDeadRuns(): void {
  if (!existsSync(RUNS)) return;
  for (const pid of readdirSync(RUNS)) {
    try {
      process.kill(Number(pid), 0);
    } catch {
      rmSync(join(RUNS, pid), { recursive: true, force: true });
    }
  }
}

describe('IOCP shim harness (C, os_win32.c on a real completion port, under Wine)', () => {
  test.each(HARNESS_CASES)('%s', (name) => {
    expect(trouble).toBe('');
    const outcome = harness.get(name) ?? `not in the harness output (${join(RUN, 'harness.out')})`;
    expect(`${name}: ${outcome}`).toBe(`${name}: ok`);
  });
});

describe.each(SUITES)('%s suite, Windows Node under Wine', (_file, suite, cases) => {
  test.each(cases)('%s', (name) => {
    expect(trouble).toBe('');
    const r = results.get(`${suite} › ${name}`);
    const outcome = r === undefined ? `not reported (see ${join(RUN, 'suites.out')})` : r.passed ? 'passed' : `failed: ${r.error}`;
    expect(`${name}: ${outcome}`).toBe(`${name}: passed`);
  });
});
