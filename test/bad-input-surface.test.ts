// The whole public surface against a catalogue of bad values, table-driven. Every export of every
// entry in package.json "exports", and every member of the classes they export, has a row in
// SURFACE: a new export or method fails the first tests until it is classified here. Each bad
// value must be refused with a ReactorError whose code is the row's and whose message names the
// argument and what to pass; the reactor the call was made on keeps its stats() and still
// delivers a real event. (test/bad-input.test.ts holds the exact messages of the Reactor's own
// refusals; this file holds the breadth.)
import { readFileSync, openSync, closeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as nodeNet from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  Reactor,
  ReactorError,
  EventType,
  TraceRecorder,
  replay,
  traceHash,
  toChromeTrace,
  wakeup,
  limits,
  type Trace,
} from '../src/index.js';
import { Simulation } from '../src/sim/index.js';
import * as ourNet from '../src/net/index.js';
import { text, str } from './helpers.js';
import { refused, refusedAsync, closeTracked, track } from './contract.js';
import { WRONG_TYPES, UNDEFINED, NOT_INTEGRAL, NEGATIVE, HUGE, BAD_INTEGERS, not, stillWorks, type Value } from './bad-values.js';

const ROOT = new URL('../../../', import.meta.url);
const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const CHAT = fileURLToPath(new URL('../examples/chat-server.js', import.meta.url));

// ---- the catalogue ------------------------------------------------------------------------

const detached = (): Uint8Array => {
  const view = new Uint8Array(8);
  structuredClone(view.buffer, { transfer: [view.buffer] });
  return view;
};
/** A bad argument: the values it is tried with, the code, and what the message must say. */
interface Bad {
  values: Value[];
  code: string | RegExp;
  says: RegExp;
}
const bad = (values: Value[], code: string | RegExp, says: RegExp): Bad => ({ values, code, says });

const FD: Bad[] = [
  bad([...WRONG_TYPES, ...UNDEFINED, ...NOT_INTEGRAL], 'EINVAL', /fd must be an integer file descriptor/),
  bad([...NEGATIVE, ...HUGE], 'EBADF', /is not a valid descriptor; pass one from reactor\.os/),
];
const EVENTS = [
  bad(
    [...WRONG_TYPES, ...UNDEFINED, ...NOT_INTEGRAL, ...NEGATIVE, ['ACCEPT (16)', () => 16], ['32', () => 32], ['2^31', () => 2 ** 31]],
    'EINVAL',
    /events must be EventType flags \(READ \| WRITE \| ERROR \| CLOSE\)/,
  ),
];
const TIMEOUT = [
  bad(
    [...not(WRONG_TYPES, 'null'), ...UNDEFINED, ['NaN', () => NaN], ['-Infinity', () => -Infinity], ['-1', () => -1], ['-0.5', () => -0.5]],
    'EINVAL',
    /timeoutMs must be a number >= 0 or null to block/,
  ),
];
const MAX_EVENTS = [
  bad(
    [
      ...WRONG_TYPES,
      ...NOT_INTEGRAL,
      ['0', () => 0],
      ...NEGATIVE,
      ['MAX_EVENTS_PER_WAIT + 1', () => limits.MAX_EVENTS_PER_WAIT + 1],
      ...HUGE,
    ],
    'EINVAL',
    /maxEvents must be an integer from 1 to 8192/,
  ),
];
const DATA = [
  bad(
    [
      ...WRONG_TYPES,
      ...UNDEFINED,
      ['an ArrayBuffer', () => new ArrayBuffer(4)],
      ['an Int8Array', () => new Int8Array(4)],
      ['a Uint16Array', () => new Uint16Array(2)],
      ['a DataView', () => new DataView(new ArrayBuffer(4))],
    ],
    'EINVAL',
    /data must be a Uint8Array \(or Buffer\)/,
  ),
  bad([['a view of a detached ArrayBuffer', detached]], 'EINVAL', /detached.*pass a view of memory this thread still owns/),
];
const BUFFER = [
  bad(
    [...WRONG_TYPES, ...UNDEFINED, ['an ArrayBuffer', () => new ArrayBuffer(4)], ['a Uint16Array', () => new Uint16Array(2)]],
    'EINVAL',
    /buffer must be a Uint8Array \(or Buffer\)/,
  ),
  bad([['a view of a detached ArrayBuffer', detached]], 'EINVAL', /detached.*pass a view of memory this thread still owns/),
  bad([['an empty Uint8Array', () => new Uint8Array(0)]], 'EINVAL', /buffer is empty; pass a Uint8Array with room/),
];
/** send's length, with data of one byte. */
const LENGTH = [
  bad(
    [...WRONG_TYPES, ...NOT_INTEGRAL, ...NEGATIVE, ['more than data holds', () => 2], ...HUGE],
    'EINVAL',
    /length must be an integer from 0 to 1/,
  ),
];
const PORT = [
  bad(
    [...WRONG_TYPES, ...UNDEFINED, ...NOT_INTEGRAL, ...NEGATIVE, ['65536', () => 65536], ...HUGE],
    'EINVAL',
    /port must be an integer from 0 to 65535/,
  ),
];
const HOST = [bad([...not(WRONG_TYPES, 'a numeric string'), ['an empty string', () => '']], 'EINVAL', /host must be an IP address string/)];
/** Natively a host is an IP literal; in simulation a name is a simulated host's. */
const hostNames = (f: Fixture, call: (host: string) => unknown[]): [string, unknown[], string, RegExp][] =>
  f.backend === 'sim'
    ? []
    : [
        ['a name', 'example.invalid'],
        ['an address with a port', '127.0.0.1:80'],
        ['a number as a string', '3'],
      ].map(([what, host]) => [`host ${what}`, call(host), 'EINVAL', /host .* is not an IP address; use a literal/]);
const BACKLOG = [
  bad(
    [...WRONG_TYPES, ...NOT_INTEGRAL, ['0', () => 0], ...NEGATIVE, ['65536', () => 65536], ...HUGE],
    'EINVAL',
    /backlog must be an integer from 1 to 65535/,
  ),
];
const MAX_BYTES = [
  bad(
    [...WRONG_TYPES, ...NOT_INTEGRAL, ['0', () => 0], ...NEGATIVE, ['MAX_RECV_BYTES + 1', () => limits.MAX_RECV_BYTES + 1], ...HUGE],
    'EINVAL',
    /maxBytes must be an integer from 1 to 1048576/,
  ),
];

// ---- a reactor to be refused by ------------------------------------------------------------

type Model = 'readiness' | 'completion';
interface Fixture {
  r: Reactor<string>;
  model: Model;
  backend: 'native' | 'sim';
  /** Registered for READ with context 'a'; `peer` is its other end. */
  a: number;
  peer: number;
  /** Open, not registered. */
  spare: number;
  /** Registered with another reactor, not this one. */
  foreign: number;
  /** A descriptor number that was open and is closed now. */
  closed: number;
}

const FIXTURES: [string, { model: Model; mechanism: 'epoll' | 'iocp'; backend: 'native' | 'sim' }][] = [
  ['native readiness', { model: 'readiness', mechanism: 'epoll', backend: 'native' }],
  ['native completion', { model: 'completion', mechanism: 'epoll', backend: 'native' }],
  ['simulated IOCP', { model: 'completion', mechanism: 'iocp', backend: 'sim' }],
];

async function fixture(options: (typeof FIXTURES)[number][1]): Promise<{ f: Fixture; other: Reactor<string> }> {
  const native = options.backend === 'native';
  // Simulated, both reactors are on one host, as two native ones share the process's fds.
  const host = native ? null : new Simulation({ seed: 1 }).host('h');
  const { backend: _, ...onHost } = options;
  const open = (): Promise<Reactor<string>> => (host ? host.createReactor<string>(onHost) : Reactor.create<string>(options));
  const r = await open();
  const other = await open();
  const [a, peer] = native ? track(...r.os.socketPair()) : r.os.socketPair();
  const [spare] = native ? track(...r.os.socketPair()) : r.os.socketPair();
  const [foreign] = native ? track(...other.os.socketPair()) : other.os.socketPair();
  other.add(foreign, 'foreign', EventType.READ);
  r.add(a, 'a', EventType.READ);
  // Closed last, so no descriptor of the fixture takes its number again.
  const [closed, closedPeer] = r.os.socketPair();
  r.os.close(closed);
  r.os.close(closedPeer);
  expect(r.wait(0)).toEqual([]);
  return { f: { r, model: options.model, backend: options.backend, a, peer, spare, foreign, closed }, other };
}

function expectRefusal(error: ReactorError, code: string | RegExp, says: RegExp): void {
  if (typeof code === 'string') expect(error.code).toBe(code);
  else expect(error.code).toMatch(code);
  expect(error.message).toMatch(says);
}

/** A member of the reactor (or its os) that takes arguments: good ones, and each one's bad values. */
interface Row {
  good: (f: Fixture) => unknown[];
  call: (f: Fixture, args: unknown[]) => unknown;
  bad: Bad[][];
  /** Per fixture: more bad values that need one (closed and foreign fds). */
  more?: (f: Fixture) => [name: string, args: unknown[], code: string | RegExp, says: RegExp][];
}

const NOT_REGISTERED = /fd \d+ is not registered; add\(\) it first|belongs to the completion model/;
const NOT_REGISTERED_CODE = /^(ENOENT|EINVAL)$/;

const REACTOR_ROWS: Record<string, Row> = {
  add: {
    good: (f) => [f.spare, 'spare', EventType.READ],
    call: (f, [fd, c, e]) => f.r.add(fd as number, c as string, e as number),
    bad: [FD, [], EVENTS],
    more: (f) => [
      ['a closed fd', [f.closed, 'closed', EventType.READ], 'EBADF', /is not open.*add sockets from reactor\.os/],
      ['an fd already registered', [f.a, 'again', EventType.READ], 'EEXIST', /already registered; use modify\(\)/],
    ],
  },
  modify: {
    good: (f) => [f.a, EventType.READ],
    call: (f, [fd, e]) => f.r.modify(fd as number, e as number),
    bad: [FD, EVENTS],
    more: (f) => [
      ['a closed fd', [f.closed, EventType.READ], 'ENOENT', NOT_REGISTERED],
      ["another reactor's fd", [f.foreign, EventType.READ], 'ENOENT', NOT_REGISTERED],
    ],
  },
  remove: { good: (f) => [f.spare], call: (f, [fd]) => f.r.remove(fd as number), bad: [FD] },
  postRead: {
    good: (f) => [f.a],
    call: (f, [fd]) => f.r.postRead(fd as number),
    bad: [FD],
    more: (f) => [
      ['a closed fd', [f.closed], NOT_REGISTERED_CODE, NOT_REGISTERED],
      ["another reactor's fd", [f.foreign], NOT_REGISTERED_CODE, NOT_REGISTERED],
    ],
  },
  postWrite: {
    good: (f) => [f.a, text('x')],
    call: (f, [fd, data]) => f.r.postWrite(fd as number, data as Uint8Array),
    bad: [FD, DATA],
    more: (f) => [
      ['a closed fd', [f.closed, text('x')], NOT_REGISTERED_CODE, NOT_REGISTERED],
      ["another reactor's fd", [f.foreign, text('x')], NOT_REGISTERED_CODE, NOT_REGISTERED],
    ],
  },
  wait: { good: () => [0, 16], call: (f, [t, m]) => f.r.wait(t as number, m as number), bad: [TIMEOUT, MAX_EVENTS] },
  waitAsync: { good: () => [0, 16], call: (f, [t, m]) => f.r.waitAsync(t as number, m as number), bad: [TIMEOUT, MAX_EVENTS] },
};

const OS_ROWS: Record<string, Row> = {
  listen: {
    good: () => [0, '127.0.0.1', 16],
    call: (f, [p, h, b]) => f.r.os.listen(p as number, h as string, b as number),
    bad: [PORT, HOST, BACKLOG],
    more: (f) => hostNames(f, (h) => [0, h, 16]),
  },
  accept: {
    good: (f) => [f.spare],
    call: (f, [fd]) => f.r.os.accept(fd as number),
    bad: [FD],
    more: (f) => [['a closed fd', [f.closed], 'EBADF', /accept\(fd \d+\) failed/]],
  },
  connect: {
    good: () => [1, '127.0.0.1'],
    call: (f, [p, h]) => f.r.os.connect(p as number, h as string),
    bad: [PORT, HOST],
    more: (f) => hostNames(f, (h) => [1, h]),
  },
  send: {
    good: (f) => [f.spare, text('x'), 1],
    call: (f, [fd, d, n]) => f.r.os.send(fd as number, d as Uint8Array, n as number),
    bad: [FD, DATA, LENGTH],
    more: (f) => [['a closed fd', [f.closed, text('x')], 'EBADF', /send\(fd \d+\) failed.*close it/]],
  },
  recv: {
    good: (f) => [f.spare, 16],
    call: (f, [fd, n]) => f.r.os.recv(fd as number, n as number),
    bad: [FD, MAX_BYTES],
    more: (f) => [['a closed fd', [f.closed], 'EBADF', /recv\(fd \d+\) failed/]],
  },
  recvInto: {
    good: (f) => [f.spare, new Uint8Array(16)],
    call: (f, [fd, b]) => f.r.os.recvInto(fd as number, b as Uint8Array),
    bad: [FD, BUFFER],
    more: (f) => [['a closed fd', [f.closed, new Uint8Array(16)], 'EBADF', /recvInto\(fd \d+\) failed/]],
  },
  shutdown: {
    good: (f) => [f.spare],
    call: (f, [fd]) => f.r.os.shutdown(fd as number),
    bad: [FD],
    more: (f) => [['a closed fd', [f.closed], 'EBADF', /shutdown\(fd \d+\) failed/]],
  },
  close: {
    good: (f) => [f.spare],
    call: (f, [fd]) => f.r.os.close(fd as number),
    bad: [FD],
    more: (f) => [['a closed fd', [f.closed], 'EBADF', /was it already closed\?/]],
  },
  getsockname: {
    good: (f) => [f.spare],
    call: (f, [fd]) => f.r.os.getsockname(fd as number),
    bad: [FD],
    more: (f) => [
      ['a closed fd', [f.closed], 'EBADF', /getsockname\(fd \d+\) failed/],
      ['a socket pair', [f.spare], 'EOPNOTSUPP', /only TCP sockets have one/],
    ],
  },
  getpeername: {
    good: (f) => [f.spare],
    call: (f, [fd]) => f.r.os.getpeername(fd as number),
    bad: [FD],
    more: (f) => [
      ['a closed fd', [f.closed], 'EBADF', /getpeername\(fd \d+\) failed/],
      ['a socket pair', [f.spare], 'EOPNOTSUPP', /only TCP sockets have one/],
    ],
  },
};

/** What each Reactor member does after destroy(): refuses with EDESTROYED, or still answers. */
const AFTER_DESTROY: Record<string, 'EDESTROYED' | 'answers'> = {
  add: 'EDESTROYED',
  modify: 'EDESTROYED',
  remove: 'EDESTROYED',
  postRead: 'EDESTROYED',
  postWrite: 'EDESTROYED',
  wait: 'EDESTROYED',
  waitAsync: 'EDESTROYED',
  wakeup: 'EDESTROYED',
  wakeupToken: 'EDESTROYED',
  stats: 'EDESTROYED',
  // Facts about the reactor, true after it is gone; destroy is idempotent.
  traceId: 'answers',
  now: 'answers',
  faultReport: 'answers',
  destroy: 'answers',
  destroyed: 'answers',
};
/** reactor.os after destroy(): the app's fds are its own (a destroyed reactor leaves them open), so os works on. */
const OS_MEMBERS = ['socketPair', ...Object.keys(OS_ROWS)];

/** Every (row, argument, bad value): the cases, named for the test list. */
function cases(rows: Record<string, Row>, f: Fixture): [string, unknown[], string | RegExp, RegExp][] {
  const out: [string, unknown[], string | RegExp, RegExp][] = [];
  for (const [name, row] of Object.entries(rows)) {
    row.bad.forEach((bads, at) => {
      for (const { values, code, says } of bads) {
        for (const [what, value] of values) {
          const args = row.good(f);
          args[at] = value();
          out.push([`${name} argument ${at + 1} ${what}`, args, code, says]);
        }
      }
    });
    for (const [what, args, code, says] of row.more?.(f) ?? []) out.push([`${name} ${what}`, args, code, says]);
  }
  return out;
}

// ---- the surface, from package.json ------------------------------------------------------

type Kind = 'data' | 'error class' | 'function' | 'class';
/** Every export of every entry: what it is. Functions and classes have their rows below. */
const SURFACE: Record<string, Record<string, Kind>> = {
  '.': {
    Reactor: 'class',
    ReactorOs: 'class',
    TraceRecorder: 'class',
    wakeup: 'function',
    replay: 'function',
    traceHash: 'function',
    toChromeTrace: 'function',
    ReactorError: 'error class',
    SimulationDeadlock: 'error class',
    EventType: 'data',
    PORTABLE_CODES: 'data',
    limits: 'data',
    DEFAULT_TRACE_CAPACITY: 'data',
    MAX_TRACE_CAPACITY: 'data',
    DEFAULT_TRACE_BYTES: 'data',
    MAX_TRACE_BYTES: 'data',
    TRACE_FORMAT: 'data',
    TRACE_VERSION: 'data',
    SEGMENT_DATA_BYTES: 'data',
  },
  './sim': {
    Simulation: 'class',
    SimHost: 'class',
    SimulationDeadlock: 'error class',
    InvariantViolation: 'error class',
    FAULT_KINDS: 'data',
    STALL_MS: 'data',
    PARTITION_MS: 'data',
    INVARIANTS: 'data',
  },
  './net': {
    Socket: 'class',
    Server: 'class',
    createServer: 'function',
    connect: 'function',
    createConnection: 'function',
    isIP: 'function',
    isIPv4: 'function',
    isIPv6: 'function',
    default: 'data',
  },
};

/** Each exported class's members (own prototype, and statics): the table that tries them. */
const MEMBERS: Record<string, () => string[]> = {
  // Its fields (os, model, mechanism, backend) are the instance's own, not the prototype's.
  Reactor: () => [...Object.keys(AFTER_DESTROY), 'create'],
  ReactorOs: () => OS_MEMBERS,
  TraceRecorder: () => [...Object.keys(RECORDER_ROWS), 'reactors', 'size', 'bytes', 'dropped', 'toJSON'],
  Simulation: () => [...Object.keys(SIMULATION_ROWS), 'now', 'faultReport', 'faultInjections', 'useVirtualTime', 'restoreTimers', 'close'],
  SimHost: () => [...Object.keys(HOST_ROWS), 'net', 'console'],
  Socket: () => Object.keys(NET_SOCKET_MEMBERS),
  Server: () => Object.keys(NET_SERVER_MEMBERS),
};

function membersOf(cls: { prototype: object }): string[] {
  const names = new Set<string>();
  for (
    let p: object | null = cls.prototype;
    p && p !== Object.prototype && p.constructor.name !== 'Duplex' && p.constructor.name !== 'EventEmitter';
    p = Object.getPrototypeOf(p)
  ) {
    for (const n of Object.getOwnPropertyNames(p)) if (n !== 'constructor' && !n.startsWith('_')) names.add(n);
    for (const symbol of Object.getOwnPropertySymbols(p)) names.add(symbol.toString());
  }
  for (const n of Object.getOwnPropertyNames(cls)) if (!['length', 'name', 'prototype'].includes(n)) names.add(n);
  return [...names].sort();
}

describe('the table covers the whole public surface', () => {
  const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { exports: Record<string, string | { default: string }> };
  const entries = Object.entries(pkg.exports).filter(([, t]) => typeof t !== 'string') as [string, { default: string }][];

  test('every entry of package.json "exports" is in the table, with exactly its exports', async () => {
    expect(entries.map(([e]) => e).sort()).toEqual(Object.keys(SURFACE).sort());
    for (const [entry, target] of entries) {
      const module = (await import(new URL(target.default, ROOT).href)) as Record<string, unknown>;
      expect([entry, Object.keys(module).sort()]).toEqual([entry, Object.keys(SURFACE[entry]).sort()]);
    }
  });

  test('every member of every exported class is in the table', async () => {
    for (const [entry, target] of entries) {
      const module = (await import(new URL(target.default, ROOT).href)) as Record<string, { prototype: object }>;
      for (const [name, kind] of Object.entries(SURFACE[entry])) {
        if (kind !== 'class') continue;
        expect([name, membersOf(module[name])]).toEqual([name, [...new Set(MEMBERS[name]())].sort()]);
      }
    }
  });
});

// ---- the reactor and its os ------------------------------------------------------------

describe.each(FIXTURES)('%s: every argument of every Reactor and reactor.os method, with every bad value', (_, options) => {
  let f: Fixture;
  let other: Reactor<string>;
  beforeAll(async () => ({ f, other } = await fixture(options)));
  afterAll(() => {
    f.r.destroy();
    other.destroy();
    closeTracked();
  });

  test('each is refused with its code and a message saying what to pass; stats() is unchanged and events still arrive', async () => {
    const all = [...cases(REACTOR_ROWS, f), ...cases(OS_ROWS, f)];
    expect(all.length).toBeGreaterThan(300);
    for (const [name, args, code, says] of all) {
      const before = f.r.stats();
      const row = REACTOR_ROWS[name.split(' ')[0]] ?? OS_ROWS[name.split(' ')[0]];
      let error: ReactorError;
      if (name.startsWith('waitAsync'))
        error = await refusedAsync(() => row.call(f, args) as Promise<unknown>, typeof code === 'string' ? code : 'EINVAL');
      else {
        try {
          row.call(f, args);
          throw new Error(`${name}: accepted`);
        } catch (e) {
          if (!(e instanceof ReactorError)) throw new Error(`${name}: threw ${String(e)}, not a ReactorError`);
          error = e;
        }
      }
      try {
        expectRefusal(error, code, says);
        expect(f.r.stats()).toEqual(before);
      } catch (e) {
        throw new Error(`${name}: ${(e as Error).message}`);
      }
    }
    stillWorks(f);
  });

  test("remove of a closed or another reactor's fd is no error: false, nothing changed", () => {
    const before = f.r.stats();
    expect([f.r.remove(f.closed), f.r.remove(f.foreign)]).toEqual([false, false]);
    expect(f.r.stats()).toEqual(before);
    stillWorks(f);
  });

  test('a view of a SharedArrayBuffer is bytes like any other: sent intact by os.send and postWrite', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(5));
    shared.set(text('share'));
    expect(f.r.os.send(f.a, shared)).toBe(5);
    let got: Uint8Array | null = null;
    for (let end = Date.now() + 3000; !got && Date.now() < end; ) {
      got = f.r.os.recv(f.peer);
      if (!got) f.r.wait(5);
    }
    expect(str(got)).toBe('share');
    stillWorks(f);
  });
});

describe.each(FIXTURES)('%s: after destroy()', (_, options) => {
  test("every Reactor member refuses with EDESTROYED or answers, as the table says; reactor.os still works on the app's fds", async () => {
    const { f, other } = await fixture(options);
    f.r.destroy();
    const calls: Record<string, () => unknown> = {
      add: () => f.r.add(f.spare, 'x', EventType.READ),
      modify: () => f.r.modify(f.a, EventType.READ),
      remove: () => f.r.remove(f.a),
      postRead: () => f.r.postRead(f.a),
      postWrite: () => f.r.postWrite(f.a, text('x')),
      wait: () => f.r.wait(0),
      waitAsync: () => f.r.waitAsync(0),
      wakeup: () => f.r.wakeup(),
      wakeupToken: () => f.r.wakeupToken,
      stats: () => f.r.stats(),
      traceId: () => f.r.traceId,
      now: () => f.r.now(),
      faultReport: () => f.r.faultReport(),
      destroy: () => f.r.destroy(),
      destroyed: () => f.r.destroyed,
    };
    expect(Object.keys(calls).sort()).toEqual(Object.keys(AFTER_DESTROY).sort());
    for (const [name, expected] of Object.entries(AFTER_DESTROY)) {
      if (expected === 'answers') {
        expect(() => calls[name]()).not.toThrow();
        continue;
      }
      const error =
        name === 'waitAsync' ? await refusedAsync(calls[name] as () => Promise<unknown>, 'EDESTROYED') : refused(calls[name], 'EDESTROYED');
      expect(error.message).toMatch(
        new RegExp(`^EDESTROYED: ${name}: this reactor was destroyed; create a new one with Reactor\\.create\\(\\)`),
      );
    }
    expect(f.r.destroyed).toBe(true);
    expect(f.r.os.send(f.peer, text('mine'))).toBe(4);
    other.destroy();
    closeTracked();
  });
});

describe("a file and another reactor's socket are descriptors like any other", () => {
  test("a regular file added for READ is always ready (epoll cannot watch it); another reactor's socket can be added too", async () => {
    const r = await Reactor.create<string>({ model: 'readiness', mechanism: 'epoll' });
    const other = await Reactor.create<string>({ model: 'readiness', mechanism: 'epoll' });
    const file = openSync(fileURLToPath(new URL('package.json', ROOT)), 'r');
    const [a, b] = track(...other.os.socketPair());
    other.add(a, 'theirs', EventType.READ);
    r.add(file, 'file', EventType.READ);
    r.add(a, 'shared', EventType.READ);
    other.os.send(b, text('x'));
    let events: ReturnType<Reactor<string>['wait']> = [];
    for (let end = Date.now() + 3000; events.length < 2 && Date.now() < end; ) events = r.wait(20);
    expect(events.map((e) => e.context).sort()).toEqual(['file', 'shared']);
    expect(other.wait(1000).map((e) => e.context)).toEqual(['theirs']);
    r.destroy();
    other.destroy();
    closeSync(file);
    closeTracked();
  });
});

// ---- re-entrant calls ---------------------------------------------------------------------

describe('calls from inside a trace listener', () => {
  const REENTRANT: Record<string, (r: Reactor<string>, fds: { a: number; spare: number }) => unknown> = {
    add: (r, { spare }) => r.add(spare, 'x', EventType.READ),
    modify: (r, { a }) => r.modify(a, EventType.READ | EventType.WRITE),
    remove: (r, { a }) => r.remove(a),
    postRead: (r, { a }) => r.postRead(a),
    postWrite: (r, { a }) => r.postWrite(a, text('x')),
    wait: (r) => r.wait(0),
    waitAsync: (r) => r.waitAsync(0),
    wakeup: (r) => r.wakeup(),
    destroy: (r) => r.destroy(),
    close: (r, { a }) => r.os.close(a),
  };

  test.each(Object.keys(REENTRANT))(
    '%s of the traced reactor is refused with EBUSY, saying to defer it; the reactor goes on unchanged',
    async (op) => {
      const recorder = new TraceRecorder();
      const r = await Reactor.create<string>({ model: 'completion', mechanism: 'epoll', trace: recorder });
      const [a, peer] = track(...r.os.socketPair());
      const [spare] = track(...r.os.socketPair());
      r.add(a, 'a', EventType.READ);
      r.wait(0);
      const seen: unknown[] = [];
      let before: ReturnType<Reactor['stats']> | null = null;
      const stop = recorder.subscribe((record) => {
        if (record.k !== 'counters' || seen.length > 0) return;
        before = r.stats();
        try {
          const result = REENTRANT[op](r, { a, spare });
          seen.push(result instanceof Promise ? 'a promise' : result);
          if (result instanceof Promise) result.catch((e: unknown) => seen.push(e));
        } catch (e) {
          seen.push(e);
        }
      });
      r.wait(0);
      await Promise.resolve();
      stop();
      const error = seen.find((x) => x instanceof ReactorError) as ReactorError;
      expect(error?.code).toBe('EBUSY');
      expect(error.message).toMatch(/inside a trace listener.*defer the call \(queueMicrotask or setImmediate\)/);
      expect(r.stats()).toEqual(before);
      r.os.send(peer, text('after'));
      let events: ReturnType<Reactor<string>['wait']> = [];
      for (let end = Date.now() + 3000; events.length === 0 && Date.now() < end; ) events = r.wait(20);
      expect(events.map((e) => [e.context, str(e.buffer)])).toEqual([['a', 'after']]);
      // The trace stays in order: replay reproduces it.
      expect((await replay(recorder.toJSON()))[0].events.length).toBeGreaterThan(0);
      r.destroy();
      closeTracked();
    },
  );

  test('a listener that throws does not break the call it records: the call completes, the error is an uncaught exception of its own', () => {
    const script = `
      import { Reactor, TraceRecorder, EventType } from ${JSON.stringify(new URL('build/js/src/index.js', ROOT).href)};
      process.on('uncaughtException', (e) => console.log('uncaught: ' + e.message));
      const recorder = new TraceRecorder();
      recorder.subscribe(() => { throw new Error('listener bug'); });
      const r = await Reactor.create({ model: 'readiness', mechanism: 'epoll', trace: recorder });
      const [a, peer] = r.os.socketPair();
      r.add(a, 'a', EventType.READ);
      r.os.send(peer, new Uint8Array([1]));
      let events = [];
      for (let end = Date.now() + 3000; events.length === 0 && Date.now() < end;) events = r.wait(20);
      console.log('events: ' + events.map((e) => e.context).join());
      console.log('registered: ' + r.stats().registered);
      r.destroy();`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    const lines = run.stdout.trim().split('\n');
    expect(lines.filter((l) => !l.startsWith('uncaught')).sort()).toEqual(['events: a', 'registered: 1']);
    expect(lines.filter((l) => l.startsWith('uncaught')).length).toBeGreaterThan(0);
    expect(new Set(lines.filter((l) => l.startsWith('uncaught')))).toEqual(new Set(['uncaught: listener bug']));
    expect(run.status).toBe(0);
  }, 60_000);
});

// ---- options ------------------------------------------------------------------------------

/** The options a refusal lists ("the options are a, b, c"), from the call with an unknown one. */
function listedOptions(error: ReactorError): string[] {
  return /the options are (.*)$/.exec(error.message)![1].split(', ').sort();
}

const POSITIVE_INTEGER = not(BAD_INTEGERS, 'null', 'undefined');
const REACTOR_OPTIONS: Record<string, { base?: object; values: Value[] }> = {
  model: { values: [...not(WRONG_TYPES, 'null'), ['capitals', () => 'READINESS'], ['another word', () => 'proactor']] },
  mechanism: { values: [...not(WRONG_TYPES, 'null'), ['kqueue', () => 'kqueue']] },
  poolSize: { values: [...POSITIVE_INTEGER, ['0', () => 0]] },
  bufferSize: { values: [...POSITIVE_INTEGER, ['15', () => 15]] },
  maxSockets: { values: [...POSITIVE_INTEGER, ['0', () => 0]] },
  maxQueuedWriteBytes: { values: POSITIVE_INTEGER },
  writeEvents: {
    base: { model: 'completion' },
    values: [...not(WRONG_TYPES, 'null'), ['none', () => 'none'], ['capitals', () => 'FAILURES']],
  },
  backend: { values: [...not(WRONG_TYPES, 'null'), ['wine', () => 'wine']] },
  seed: { base: { backend: 'sim' }, values: [...not(POSITIVE_INTEGER, '2^31'), ['2^32', () => 2 ** 32]] },
  latencyMs: {
    base: { backend: 'sim' },
    values: [
      ...not(WRONG_TYPES, 'null'),
      ['[-1, 2]', () => [-1, 2]],
      ['[NaN, 2]', () => [NaN, 2]],
      ['[0, Infinity]', () => [0, Infinity]],
      ['[5, 1]', () => [5, 1]],
      ['[1, 2, 3]', () => [1, 2, 3]],
      ['[1n, 2n]', () => [1n, 2n]],
    ],
  },
  faults: {
    base: { backend: 'sim' },
    values: [
      ...not(WRONG_TYPES, 'an object'),
      ['an unknown kind', () => ({ bogusRate: 0.1 })],
      ['a rate of 2', () => ({ resetRate: 2 })],
      ['a NaN rate', () => ({ resetRate: NaN })],
      ['a string rate', () => ({ resetRate: '0.1' })],
    ],
  },
  trace: { values: not(WRONG_TYPES, 'null') },
};

describe('bad Reactor.create options', () => {
  let live: Reactor<string>;
  afterAll(() => live.destroy());

  test('the table has every option Reactor.create takes', async () => {
    const error = await refusedAsync(() => Reactor.create({ zzz: 1 } as never), 'EINVAL');
    expect(listedOptions(error)).toEqual(Object.keys(REACTOR_OPTIONS).sort());
  });

  test('options that are not an object are refused', async () => {
    for (const [, value] of not(WRONG_TYPES, 'an object')) {
      expect((await refusedAsync(() => Reactor.create(value() as never), 'EINVAL')).message).toMatch(
        /^EINVAL: Reactor\.create: options must be an object/,
      );
    }
  });

  test.each(Object.keys(REACTOR_OPTIONS))('every bad %s is refused with EINVAL naming it; a live reactor is untouched', async (option) => {
    live ??= await Reactor.create<string>({ model: 'completion', mechanism: 'epoll' });
    const before = live.stats();
    const { base = {}, values } = REACTOR_OPTIONS[option];
    for (const [name, value] of values) {
      const error = await refusedAsync(() => Reactor.create({ ...base, [option]: value() } as never), 'EINVAL').catch((e: Error) => {
        throw new Error(`${option} ${name}: ${e.message}`);
      });
      expect([name, error.message]).toEqual([name, expect.stringMatching(new RegExp(`${option}.*(must|only|unknown)`))]);
    }
    expect(live.stats()).toEqual(before);
  });
});

// ---- the simulation -------------------------------------------------------------------------

const SIMULATION_OPTIONS: Record<string, Value[]> = {
  seed: REACTOR_OPTIONS.seed.values,
  latencyMs: REACTOR_OPTIONS.latencyMs.values,
  // The default latency is [0, 0]: any window wider than 0 could hold a reply.
  deliveryWindowMs: [...not(WRONG_TYPES, 'null'), ['NaN', () => NaN], ['-1', () => -1], ['wider than the shortest latency', () => 1]],
  faults: REACTOR_OPTIONS.faults.values,
  faultSchedule: [
    ...not(WRONG_TYPES, 'an array', 'null'),
    ['[null]', () => [null]],
    ['an unknown kind', () => [{ kind: 'bogus', occasion: 0 }]],
    ['a negative occasion', () => [{ kind: 'reset', occasion: -1 }]],
  ],
  trace: not(WRONG_TYPES, 'null', 'a boolean'),
  windowsFlavor: [...not(WRONG_TYPES, 'null'), ['wine64', () => 'wine64']],
  oracle: not(WRONG_TYPES, 'null', 'a boolean'),
};

interface SimRow {
  call: (sim: Simulation, value: unknown) => unknown;
  values: Value[];
  says: RegExp;
}
const HOST_NAMES: Value[] = [...not(WRONG_TYPES, 'a numeric string'), ['a number', () => 3]];
const SIMULATION_ROWS: Record<string, SimRow> = {
  host: { call: (sim, name) => sim.host(name as string), values: HOST_NAMES, says: /sim\.host: name must be a non-empty string/ },
  runUntilIdle: {
    call: (sim, until) => sim.runUntilIdle(until as number),
    values: [...not(WRONG_TYPES, 'null'), ['null', () => null], ['NaN', () => NaN], ['-Infinity', () => -Infinity], ['-1', () => -1]],
    says: /untilMs must be a virtual time in ms >= 0/,
  },
  crash: {
    call: (sim, name) => sim.crash(name as string),
    values: [...HOST_NAMES, ['a host never made', () => 'nowhere']],
    says: /sim\.crash: no host .*sim\.host\(name\)/,
  },
  restart: {
    call: (sim, name) => sim.restart(name as string),
    values: [...HOST_NAMES, ['a host never made', () => 'nowhere'], ['a host that has not crashed', () => 'up']],
    says: /sim\.restart: host .* has not crashed/,
  },
  checkInvariants: {
    call: (sim) => sim.checkInvariants(),
    values: [['without oracle: true', () => undefined]],
    says: /no oracle; create it with oracle: true/,
  },
  trace: {
    call: (sim) => sim.trace(),
    values: [['without trace: true', () => undefined]],
    says: /keeps no trace; create it with trace: true/,
  },
};
const HOST_ROWS: Record<string, SimRow> = {
  createReactor: {
    call: (sim, options) => sim.host('up').createReactor(options as never),
    values: [
      ...not(WRONG_TYPES, 'an object', 'an array', 'null'),
      ['null', () => null],
      ['an array', () => [1]],
      ['backend', () => ({ backend: 'native' })],
      ['seed', () => ({ seed: 1 })],
      ['windowsFlavor', () => ({ windowsFlavor: 'wine' })],
      ['a misspelled option', () => ({ modle: 'completion' })],
    ],
    says: /createReactor: (options must be an object|.*belong to the Simulation)|Reactor\.create: unknown option/,
  },
  createReactorOn: {
    call: (sim, backend) => sim.host('up').createReactorOn(backend as never),
    values: WRONG_TYPES,
    says: /createReactorOn: backend must be a Backend/,
  },
};

describe('bad input to the simulation', () => {
  test('the table has every option new Simulation() takes; options that are not an object are refused', () => {
    expect(listedOptions(refused(() => new Simulation({ zzz: 1 } as never), 'EINVAL'))).toEqual(Object.keys(SIMULATION_OPTIONS).sort());
    for (const [, value] of not(WRONG_TYPES, 'an object')) {
      expect(refused(() => new Simulation(value() as never), 'EINVAL').message).toMatch(/^EINVAL: Simulation: options must be an object/);
    }
  });

  test.each(Object.keys(SIMULATION_OPTIONS))('every bad %s is refused with EINVAL naming it', (option) => {
    for (const [name, value] of SIMULATION_OPTIONS[option]) {
      const error = refused(() => new Simulation({ [option]: value() } as never), 'EINVAL');
      expect([name, error.message]).toEqual([
        name,
        expect.stringMatching(new RegExp(`(${option}|fault).*(must|unknown|either|is \\{ kind, occasion \\})`)),
      ]);
    }
  });

  test.each([...Object.keys(SIMULATION_ROWS), ...Object.keys(HOST_ROWS)])(
    '%s refuses every bad value with EINVAL; the simulation runs on unchanged',
    async (member) => {
      const sim = new Simulation({ seed: 7 });
      const r = await sim.host('up').createReactor<string>({ model: 'readiness' });
      const [a, peer] = r.os.socketPair();
      r.add(a, 'a', EventType.READ);
      const row = SIMULATION_ROWS[member] ?? HOST_ROWS[member];
      for (const [name, value] of row.values) {
        const before = [r.stats(), sim.now];
        let error: unknown;
        try {
          await row.call(sim, value());
        } catch (e) {
          error = e;
        }
        expect([name, error instanceof ReactorError ? (error as ReactorError).code : String(error)]).toEqual([name, 'EINVAL']);
        expect([name, (error as Error).message]).toEqual([name, expect.stringMatching(row.says)]);
        expect([r.stats(), sim.now]).toEqual(before);
      }
      r.os.send(peer, text('still'));
      expect(r.wait(1000).map((e) => e.context)).toEqual(['a']);
      r.destroy();
    },
  );
});

// ---- traces ---------------------------------------------------------------------------------

const GOOD_TRACE = (): Trace => new TraceRecorder().toJSON();
const BAD_TRACES: Value[] = [
  ...WRONG_TYPES,
  ...UNDEFINED,
  ['another format', () => ({ ...GOOD_TRACE(), format: 'chrome' })],
  ['version 2', () => ({ ...GOOD_TRACE(), version: 2 })],
  ['records that are not an array', () => ({ ...GOOD_TRACE(), records: {} })],
  ['reactors that are not an array', () => ({ ...GOOD_TRACE(), reactors: null })],
  ['a record of no known kind', () => ({ ...GOOD_TRACE(), records: [{ k: 'bogus', t: 0 }] })],
  ['a record that is null', () => ({ ...GOOD_TRACE(), records: [null] })],
  ['a record without a time', () => ({ ...GOOD_TRACE(), records: [{ k: 'event' }] })],
  [
    'times going backwards',
    () => ({
      ...GOOD_TRACE(),
      records: [
        { k: 'fault', t: 5, r: -1, fault: 'reset' },
        { k: 'fault', t: 1, r: -1, fault: 'reset' },
      ],
    }),
  ],
];
const RECORDER_OPTIONS: Record<string, Value[]> = {
  capacity: [...POSITIVE_INTEGER, ['0', () => 0], ['past MAX_TRACE_CAPACITY', () => 100_000_001]],
  capacityBytes: [...not(POSITIVE_INTEGER, '2^31'), ['0', () => 0]],
  seed: [...not(POSITIVE_INTEGER, '2^31'), ['2^32', () => 2 ** 32]],
};
const RECORDER_ROWS: Record<string, SimRow> = {
  subscribe: {
    call: (_, listener) => new TraceRecorder().subscribe(listener as never),
    values: not(WRONG_TYPES, 'a function'),
    says: /listener must be a function/,
  },
  reactor: {
    call: (_, info) => new TraceRecorder().reactor(info as never),
    values: [
      ['null', () => null],
      ['a string', () => 'r'],
      ['undefined', () => undefined],
    ],
    says: /info must be the reactor's TraceReactor fields/,
  },
  record: {
    call: (_, record) => new TraceRecorder().record(record as never),
    values: [
      ['null', () => null],
      ['a string', () => 'r'],
      ['undefined', () => undefined],
    ],
    says: /record must be a TraceRecord/,
  },
};

describe('bad input to the trace functions', () => {
  test('the table has every TraceRecorder option; each bad one, and options that are not an object, are refused', () => {
    expect(listedOptions(refused(() => new TraceRecorder({ zzz: 1 } as never), 'EINVAL'))).toEqual(Object.keys(RECORDER_OPTIONS).sort());
    for (const [, value] of not(WRONG_TYPES, 'an object'))
      expect(refused(() => new TraceRecorder(value() as never), 'EINVAL').message).toMatch(/options must be an object/);
    for (const [option, values] of Object.entries(RECORDER_OPTIONS)) {
      for (const [name, value] of values)
        expect([option, name, refused(() => new TraceRecorder({ [option]: value() }), 'EINVAL').message]).toEqual([
          option,
          name,
          expect.stringMatching(new RegExp(`${option} must be`)),
        ]);
    }
  });

  test.each(Object.keys(RECORDER_ROWS))('TraceRecorder.%s refuses every bad value with EINVAL', (member) => {
    const row = RECORDER_ROWS[member];
    for (const [name, value] of row.values)
      expect([name, refused(() => row.call(null as never, value()), 'EINVAL').message]).toEqual([name, expect.stringMatching(row.says)]);
  });

  test('replay, traceHash and toChromeTrace refuse what is not a trace with EINVAL, saying what is wrong and what to pass', async () => {
    for (const [name, value] of BAD_TRACES) {
      for (const [fn, call] of [
        ['replay', () => replay(value() as Trace)],
        ['traceHash', () => traceHash(value() as Trace)],
        ['toChromeTrace', () => toChromeTrace(value() as Trace)],
      ] as const) {
        const error = fn === 'replay' ? await refusedAsync(call as () => Promise<unknown>, 'EINVAL') : refused(call, 'EINVAL');
        expect([name, error.message]).toEqual([
          name,
          expect.stringMatching(
            new RegExp(`^EINVAL: ${fn}: not an io-reactor-trace version 1 trace \\(.+\\); pass what TraceRecorder\\.toJSON\\(\\) returned`),
          ),
        ]);
      }
    }
  });

  test("replay refuses a reactor number that is not one of the trace's", async () => {
    for (const [name, r] of [
      ...not(WRONG_TYPES, 'null'),
      ['null', () => null],
      ...NOT_INTEGRAL,
      ...NEGATIVE,
      ['a reactor not in the trace', () => 5],
    ] as Value[]) {
      expect([name, (await refusedAsync(() => replay(GOOD_TRACE(), r() as number), 'EINVAL')).message]).toEqual([
        name,
        expect.stringMatching(/replay: (r must be a reactor's number|the trace has no reactor)/),
      ]);
    }
  });

  test('wakeup refuses every token that is not a wakeupToken with EINVAL', () => {
    for (const [name, token] of [...WRONG_TYPES, ...UNDEFINED, ...NOT_INTEGRAL, ['0', () => 0], ...NEGATIVE] as Value[]) {
      expect([name, refused(() => wakeup(token() as number), 'EINVAL').message]).toEqual([
        name,
        expect.stringMatching(/token must be a reactor's wakeupToken/),
      ]);
    }
  });
});

// ---- io-reactor/net, beside node:net ---------------------------------------------------------

type Net = typeof nodeNet | typeof ourNet;
/** Each call is made on node:net and on io-reactor/net: the same outcome (an error's code, or none). */
const NET_CALLS: Record<string, (net: Net) => unknown> = {
  'connect()': (n) => (n.connect as () => unknown)(),
  'connect(NaN)': (n) => n.connect(NaN),
  'connect(-1)': (n) => n.connect(-1),
  'connect(65536)': (n) => n.connect(65536),
  'connect(1.5)': (n) => n.connect(1.5),
  'connect(Infinity)': (n) => n.connect(Infinity),
  'connect(null)': (n) => n.connect(null as never),
  'connect(true)': (n) => n.connect(true as never),
  'connect({ port: "abc" })': (n) => n.connect({ port: 'abc' } as never),
  'connect({ port: null })': (n) => n.connect({ port: null } as never),
  'connect({ port: {} })': (n) => n.connect({ port: {} } as never),
  'connect({})': (n) => n.connect({} as never),
  'connect({ port, host: 3 })': (n) => n.connect({ port: 1, host: 3 } as never),
  'connect({ port, family: 5 })': (n) => n.connect({ port: 1, family: 5 } as never),
  'connect({ port, timeout: -1 })': (n) => n.connect({ port: 1, timeout: -1 } as never),
  'createServer(3)': (n) => n.createServer(3 as never),
  'createServer({}, 3)': (n) => n.createServer({}, 3 as never),
  'listen(-1)': (n) => n.createServer().listen(-1),
  'listen(NaN)': (n) => n.createServer().listen(NaN),
  'listen(65536)': (n) => n.createServer().listen(65536),
  'listen(1.5)': (n) => n.createServer().listen(1.5),
  'listen({ port: -1 })': (n) => n.createServer().listen({ port: -1 }),
  'listen({ port: "x" })': (n) => n.createServer().listen({ port: 'x' } as never),
  'listen({})': (n) => n.createServer().listen({}),
  'listen(true)': (n) => n.createServer().listen(true as never),
  'new Socket({ fd: -1 })': (n) => new n.Socket({ fd: -1 } as never),
  'new Socket({ fd: 1.5 })': (n) => new n.Socket({ fd: 1.5 } as never),
  'new Socket({ fd: "3" })': (n) => new n.Socket({ fd: '3' } as never),
  'setTimeout(-1)': (n) => new n.Socket().setTimeout(-1),
  'setTimeout(NaN)': (n) => new n.Socket().setTimeout(NaN),
  'setTimeout("x")': (n) => new n.Socket().setTimeout('x' as never),
  'setTimeout(Infinity)': (n) => new n.Socket().setTimeout(Infinity),
  'setTimeout(0, 3)': (n) => new n.Socket().setTimeout(0, 3 as never),
  'write(3)': (n) => new n.Socket().write(3 as never),
  'write(null)': (n) => new n.Socket().write(null as never),
  'write({})': (n) => new n.Socket().write({} as never),
  'write("x", "bogus")': (n) => new n.Socket().write('x', 'bogus' as never),
  'end(3)': (n) => new n.Socket().end(3 as never),
  'setEncoding("bogus")': (n) => new n.Socket().setEncoding('bogus' as never),
  'isIP(3)': (n) => n.isIP(3 as never),
  'isIPv4({})': (n) => n.isIPv4({} as never),
  'isIPv6(null)': (n) => n.isIPv6(null as never),
  'server.close(3)': (n) => n.createServer().close(3 as never),
  'server.getConnections(3)': (n) => n.createServer().getConnections(3 as never),
};
/** Where io-reactor/net differs on purpose (the README's table): what it does instead. */
const NET_DIFFERENCES: Record<string, string> = {
  'connect("path")': 'ERR_IO_REACTOR_UNSUPPORTED',
  'new Socket({ fd: 3 })': 'ERR_IO_REACTOR_UNSUPPORTED',
  'setNoDelay(false)': 'ERR_IO_REACTOR_UNSUPPORTED',
};
const NET_DIFFERENT_CALLS: Record<string, (net: Net) => unknown> = {
  'connect("path")': (n) => n.connect('/tmp/io-reactor-bad-input.sock'),
  'new Socket({ fd: 3 })': (n) => new n.Socket({ fd: 3 } as never),
  'setNoDelay(false)': (n) => new n.Socket().setNoDelay(false),
};
/** The net classes' members: the calls above that try them, or why none is needed. */
const NET_SOCKET_MEMBERS: Record<string, string> = {
  connect: 'connect(...)',
  setTimeout: 'setTimeout(...)',
  setNoDelay: 'setNoDelay(false)',
  setKeepAlive: 'takes anything, as Node',
  address: 'no arguments',
  ref: 'no arguments',
  unref: 'no arguments',
  destroySoon: 'no arguments',
  onEvent: 'the reactor loop calls it',
  bufferSize: 'a getter',
  bytesRead: 'a getter',
  bytesWritten: 'a getter',
  connecting: 'a getter',
  pending: 'a getter',
  remoteAddress: 'a getter',
  remotePort: 'a getter',
  remoteFamily: 'a getter',
  localAddress: 'a getter',
  localPort: 'a getter',
  localFamily: 'a getter',
  timeout: 'a getter',
  readyState: 'a getter',
};
const NET_SERVER_MEMBERS: Record<string, string> = {
  listen: 'listen(...)',
  close: 'server.close(3)',
  getConnections: 'server.getConnections(3)',
  address: 'no arguments',
  ref: 'no arguments',
  unref: 'no arguments',
  listening: 'a getter',
  onEvent: 'the reactor loop calls it',
  [Symbol.asyncDispose.toString()]: 'no arguments',
};

function outcome(net: Net, call: (net: Net) => unknown): string {
  let made: unknown;
  try {
    made = call(net);
  } catch (e) {
    return (e as { code?: string }).code ?? `${(e as Error).name} without a code`;
  }
  const handle = made as { destroy?: () => void; close?: () => void; on?: (event: string, f: () => void) => void } | null;
  handle?.on?.('error', () => undefined);
  if (typeof handle?.destroy === 'function') handle.destroy();
  else if (typeof handle?.close === 'function') handle.close();
  return 'accepted';
}

describe('io-reactor/net refuses bad arguments as node:net does', () => {
  afterAll(async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  test.each(Object.keys(NET_CALLS))('%s: the same outcome as node:net', (name) => {
    expect(outcome(ourNet, NET_CALLS[name])).toBe(outcome(nodeNet, NET_CALLS[name]));
  });

  test.each(Object.keys(NET_DIFFERENCES))('%s differs on purpose: refused with its code, saying what to use', (name) => {
    expect(outcome(ourNet, NET_DIFFERENT_CALLS[name])).toBe(NET_DIFFERENCES[name]);
  });
});

// ---- the command lines ----------------------------------------------------------------------

/** Every command of `io-reactor` (its help lists them) and the chat server: bad argv → usage, exit 2. */
const CLI_BAD_ARGS: Record<string, [script: string, args: string[], usage: string][]> = {
  sim: [
    [MAIN, ['sim'], 'usage: io-reactor sim'],
    [MAIN, ['sim', 'nosuchscenario'], 'usage: io-reactor sim'],
    [MAIN, ['sim', 'echo', '--seeds', '-1'], 'usage: io-reactor sim'],
    [MAIN, ['sim', 'echo', '--seed', '1.5'], 'usage: io-reactor sim'],
    [MAIN, ['sim', 'echo', '--mechanism', 'kqueue'], 'usage: io-reactor sim'],
  ],
  viz: [
    [MAIN, ['viz'], 'usage: io-reactor viz'],
    [MAIN, ['viz', 'a.json', 'b.json'], 'usage: io-reactor viz'],
    [MAIN, ['viz', '--port', '-1', 'a.json'], 'usage: io-reactor viz'],
    [MAIN, ['viz', '--port', '1e3', 'a.json'], 'usage: io-reactor viz'],
    [MAIN, ['viz', '--port', '70000', 'a.json'], 'usage: io-reactor viz'],
  ],
  chat: [
    [CHAT, ['--port', 'NaN'], 'usage: npm start'],
    [CHAT, ['--max-users', '1.5'], 'usage: npm start'],
    [CHAT, ['--name-timeout-ms', '0'], 'usage: npm start'],
    [CHAT, ['--idle-timeout-ms', '-1'], 'usage: npm start'],
    [CHAT, ['--idle-timeout-ms', '1e9'], 'usage: npm start'],
    [CHAT, ['extra'], 'usage: npm start'],
  ],
};

describe('the command lines', () => {
  test('the table has every command io-reactor lists', () => {
    const help = spawnSync(process.execPath, [MAIN, 'help'], { encoding: 'utf8', timeout: 60_000 }).stdout;
    const commands = [...help.matchAll(/^ {2}(\w+) /gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect([...commands, 'chat'].sort()).toEqual(Object.keys(CLI_BAD_ARGS).sort());
  }, 60_000);

  test.each(Object.keys(CLI_BAD_ARGS))(
    '%s: every bad argv prints one line and the usage, and exits 2',
    (command) => {
      for (const [script, args, usage] of CLI_BAD_ARGS[command]) {
        const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 60_000 });
        const [, second] = r.stderr.split('\n');
        expect([args, r.status, second?.startsWith(usage), /^\s+at /m.test(r.stderr)]).toEqual([args, 2, true, false]);
      }
    },
    120_000,
  );
});
