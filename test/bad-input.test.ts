// Bad input never corrupts state: every refused call throws a ReactorError with the right code
// and a message that says what to do; afterwards stats() is unchanged and a real event still
// arrives. In both models over both mechanisms.
import { Reactor, EventType, ReactorError, wakeup, limits } from '../src/index.js';
import { MATRIX, reactor, destroyAll, text, str, type Mechanism } from './helpers.js';
import { refused, refusedAsync, socketPair, closeTracked, sleep } from './contract.js';
import { WRONG_TYPES, UNDEFINED, NOT_INTEGRAL, NEGATIVE, HUGE, not, made, stillWorks, type Value } from './bad-values.js';

afterEach(() => {
  destroyAll();
  closeTracked();
});

type Model = 'readiness' | 'completion';

interface Fixture {
  r: Reactor<string>;
  model: Model;
  /** Registered for READ with context 'a'; `peer` is its other end. */
  a: number;
  peer: number;
  /** Open, not registered. */
  spare: number;
}

async function fixture(model: Model, mechanism: Mechanism, options: { poolSize?: number; bufferSize?: number } = {}): Promise<Fixture> {
  const r = await reactor<string>({ model, mechanism, ...options });
  const [a, peer] = socketPair(r);
  const [spare] = socketPair(r);
  r.add(a, 'a', EventType.READ);
  expect(r.wait(0)).toEqual([]);
  return { r, model, a, peer, spare };
}

/** The call is refused with `code` and a message matching `says`; nothing changed; all still works. */
function refusedCleanly(f: Fixture, call: () => unknown, code: string, says: RegExp): void {
  const before = f.r.stats();
  const error = refused(call, code);
  expect(error.message).toMatch(says);
  expect(f.r.stats()).toEqual(before);
  stillWorks(f);
  expect(f.r.stats().registered).toBe(before.registered);
}

// Values that are not integers, for every integer argument (and one that only converts to one);
// the surface's table tries the rest of the catalogue.
const NOT_INTEGERS: Value[] = [
  ...not(WRONG_TYPES, 'a symbol', 'a function'),
  ['an object with valueOf', () => ({ valueOf: () => 3 })],
  ...UNDEFINED,
  ...not(NOT_INTEGRAL, '-Infinity'),
];

const FD = /fd must be an integer file descriptor/;
const FD_RANGE = /is not a valid descriptor; pass one from reactor\.os/;
const EVENTS = /events must be EventType flags \(READ \| WRITE \| ERROR \| CLOSE\)/;
const TIMEOUT = /timeoutMs must be a number >= 0 or null to block/;
const MAX_EVENTS = /maxEvents must be an integer from 1 to 8192/;
const DATA = /data must be a Uint8Array \(or Buffer\).*TextEncoder/;

type FdMethod = 'add' | 'modify' | 'remove' | 'postRead' | 'postWrite';
const callWithFd: Record<FdMethod, (f: Fixture, fd: any) => unknown> = {
  add: (f, fd) => f.r.add(fd, 'bad', EventType.READ),
  modify: (f, fd) => f.r.modify(fd, EventType.READ),
  remove: (f, fd) => f.r.remove(fd),
  postRead: (f, fd) => f.r.postRead(fd),
  postWrite: (f, fd) => f.r.postWrite(fd, text('x')),
};
const FD_METHODS = Object.keys(callWithFd) as FdMethod[];

describe.each(MATRIX)('bad arguments (%s over %s)', (model, mechanism) => {
  describe.each(FD_METHODS)('%s', (method) => {
    test.each(made(NOT_INTEGERS))('an fd that is %s is refused with EINVAL', async (_name, fd) => {
      const f = await fixture(model, mechanism);
      refusedCleanly(f, () => callWithFd[method](f, fd), 'EINVAL', new RegExp(`^EINVAL: ${method}: ${FD.source}`));
    });

    test.each(made([...NEGATIVE, ...HUGE]))('the fd %s is refused with EBADF', async (_name, fd) => {
      const f = await fixture(model, mechanism);
      refusedCleanly(f, () => callWithFd[method](f, fd), 'EBADF', new RegExp(`^EBADF: ${method}: fd -?[0-9e+]+ ${FD_RANGE.source}`));
    });
  });

  test('add of a descriptor that is not open is refused with EBADF', async () => {
    const f = await fixture(model, mechanism);
    const closed = 1_000_000; // far above anything open here (ulimit -n is lower)
    refusedCleanly(
      f,
      () => f.r.add(closed, 'closed', EventType.READ),
      'EBADF',
      /add: fd 1000000 is not open.*add sockets from reactor\.os/,
    );
  });

  test.each([
    ...made(NOT_INTEGERS),
    ['negative', -1],
    ['an unknown bit (16, ACCEPT)', 16],
    ['an unknown bit (32)', 32],
    ['all bits', -1 >>> 0],
  ] as [string, unknown][])('events that are %s are refused by add and modify with EINVAL', async (_name, events) => {
    const f = await fixture(model, mechanism);
    refusedCleanly(f, () => f.r.add(f.spare, 'spare', events as number), 'EINVAL', EVENTS);
    refusedCleanly(f, () => f.r.modify(f.a, events as number), 'EINVAL', EVENTS);
  });

  test('a duplicate add is refused with EEXIST, keeping the first context', async () => {
    const f = await fixture(model, mechanism);
    refusedCleanly(f, () => f.r.add(f.a, 'second', EventType.READ), 'EEXIST', /fd \d+ is already registered; use modify\(\)/);
  });

  test('modify, postRead and postWrite of an unregistered fd are refused with ENOENT (or EINVAL in readiness); remove says false', async () => {
    const f = await fixture(model, mechanism);
    refusedCleanly(f, () => f.r.modify(f.spare, EventType.READ), 'ENOENT', /fd \d+ is not registered; add\(\) it first/);
    refusedCleanly(f, () => f.r.postRead(f.spare), 'ENOENT', /add\(\) it first/);
    refusedCleanly(f, () => f.r.postWrite(f.spare, text('x')), 'ENOENT', /add\(\) it first/);
    const before = f.r.stats();
    expect(f.r.remove(f.spare)).toBe(false);
    expect(f.r.stats()).toEqual(before);
    stillWorks(f);
  });

  if (model === 'readiness') {
    test('postRead and postWrite belong to the completion model: EINVAL naming it', async () => {
      const f = await fixture(model, mechanism);
      refusedCleanly(f, () => f.r.postRead(f.a), 'EINVAL', /postRead belongs to the completion model.*model: 'completion'/);
      refusedCleanly(f, () => f.r.postWrite(f.a, text('x')), 'EINVAL', /postWrite belongs to the completion model/);
    });
  }

  test.each([
    ['a string', 'hello'],
    ['an array of numbers', [104, 105]],
    ['an ArrayBuffer', new ArrayBuffer(4)],
    ['an Int8Array', new Int8Array(4)],
    ['a DataView', new DataView(new ArrayBuffer(4))],
    ['null', null],
    ['undefined', undefined],
  ] as [string, unknown][])('postWrite data that is %s is refused with EINVAL', async (_name, data) => {
    const f = await fixture(model, mechanism);
    refusedCleanly(f, () => f.r.postWrite(f.a, data as Uint8Array), 'EINVAL', DATA);
  });

  if (model === 'completion') {
    test('an empty postWrite is refused with EINVAL: there is nothing to write', async () => {
      const f = await fixture(model, mechanism);
      refusedCleanly(f, () => f.r.postWrite(f.a, new Uint8Array(0)), 'EINVAL', /data is empty/);
    });

    test('a postWrite larger than the whole pool is refused with ENOBUFS, nothing sent', async () => {
      const f = await fixture(model, mechanism, { poolSize: 4, bufferSize: 1024 });
      refusedCleanly(
        f,
        () => f.r.postWrite(f.a, new Uint8Array(4 * 1024 + 1)),
        'ENOBUFS',
        /nothing was sent.*larger poolSize or bufferSize/,
      );
      refusedCleanly(f, () => f.r.postWrite(f.a, new Uint8Array(100 * 1024 * 1024)), 'ENOBUFS', /nothing was sent/);
      expect(f.r.os.recv(f.peer)).toBeNull();
    });
  }

  test.each([...made(not(NOT_INTEGERS, 'null', 'Infinity', 'a fraction')), ['negative', -1], ['-Infinity', -Infinity], ['-0.5', -0.5]] as [
    string,
    unknown,
  ][])('a timeout that is %s is refused by wait and waitAsync with EINVAL', async (_name, timeout) => {
    const f = await fixture(model, mechanism);
    refusedCleanly(f, () => f.r.wait(timeout as number), 'EINVAL', TIMEOUT);
    const before = f.r.stats();
    const error = await refusedAsync(() => f.r.waitAsync(timeout as number), 'EINVAL');
    expect(error.message).toMatch(TIMEOUT);
    expect(f.r.stats()).toEqual(before);
    stillWorks(f);
  });

  test.each([...made(not(NOT_INTEGERS, 'undefined')), ['0', 0], ['-1', -1], ['8193', limits.MAX_EVENTS_PER_WAIT + 1], ['1e9', 1e9]] as [
    string,
    unknown,
  ][])('maxEvents that is %s is refused by wait and waitAsync with EINVAL', async (_name, maxEvents) => {
    const f = await fixture(model, mechanism);
    refusedCleanly(f, () => f.r.wait(10, maxEvents as number), 'EINVAL', MAX_EVENTS);
    const before = f.r.stats();
    const error = await refusedAsync(() => f.r.waitAsync(10, maxEvents as number), 'EINVAL');
    expect(error.message).toMatch(MAX_EVENTS);
    expect(f.r.stats()).toEqual(before);
    stillWorks(f);
  });

  test('a refused wait does not consume the events that are ready', async () => {
    const f = await fixture(model, mechanism);
    f.r.os.send(f.peer, text('ready before'));
    sleep(20);
    refused(() => f.r.wait(0, 0), 'EINVAL');
    refused(() => f.r.wait(-1), 'EINVAL');
    await refusedAsync(() => f.r.waitAsync(NaN), 'EINVAL');
    let events: ReturnType<Reactor<string>['wait']> = [];
    for (let end = Date.now() + 3000; events.length === 0 && Date.now() < end; ) events = f.r.wait(20);
    expect(events.map((e) => [e.context, e.type & EventType.READ])).toEqual([['a', EventType.READ]]);
    expect(str(model === 'completion' ? events[0].buffer : f.r.os.recv(f.a))).toBe('ready before');
  });

  test('wait or waitAsync while a waitAsync is pending is refused with EBUSY; the pending one still delivers', async () => {
    const f = await fixture(model, mechanism);
    const pending = f.r.waitAsync(5000);
    const before = f.r.stats();
    expect(refused(() => f.r.wait(0), 'EBUSY').message).toMatch(/await it/);
    expect((await refusedAsync(() => f.r.waitAsync(0), 'EBUSY')).message).toMatch(/await it/);
    expect(f.r.stats()).toEqual(before);
    f.r.os.send(f.peer, text('for the pending wait'));
    const events = await pending;
    expect(events.map((e) => [e.context, e.type & EventType.READ])).toEqual([['a', EventType.READ]]);
    if (model === 'completion') {
      expect(str(events[0].buffer)).toBe('for the pending wait');
      f.r.postRead(f.a);
    } else {
      expect(str(f.r.os.recv(f.a))).toBe('for the pending wait');
    }
    stillWorks(f);
  });

  if (model === 'readiness') {
    test('registrations piling up during a waitAsync are refused with EBUSY once the queue is full; after awaiting, the same add works', async () => {
      const f = await fixture(model, mechanism, { poolSize: 1, bufferSize: 16 });
      const pairs = Array.from({ length: 2100 }, () => socketPair(f.r));
      const fds = pairs.flat();
      const pending = f.r.waitAsync(5000);
      let added = 0;
      let busy: ReactorError | undefined;
      let before = f.r.stats();
      for (const fd of fds) {
        before = f.r.stats();
        try {
          f.r.add(fd, 'pile', EventType.READ);
          added++;
        } catch (e) {
          busy = e as ReactorError;
          break;
        }
      }
      expect(busy).toBeInstanceOf(ReactorError);
      expect(busy!.code).toBe('EBUSY');
      expect(busy!.message).toMatch(/await it, then retry/);
      expect(f.r.stats()).toEqual(before);
      expect(added).toBeGreaterThan(1000);
      await pending;
      f.r.add(fds[added], 'pile', EventType.READ);
      expect(f.r.stats().registered).toBe(added + 2);
      for (const fd of fds.slice(0, added + 1)) f.r.remove(fd);
      stillWorks(f);
    });
  }

  test('a destroyed reactor refuses every method with EDESTROYED, saying to create a new one', async () => {
    const f = await fixture(model, mechanism);
    const other = await fixture(model, mechanism); // a second reactor is unaffected
    f.r.destroy();
    expect(f.r.destroyed).toBe(true);
    f.r.destroy(); // idempotent
    const says = /this reactor was destroyed; create a new one with Reactor\.create\(\)/;
    const calls: [string, () => unknown][] = [
      ['add', () => f.r.add(f.spare, 'x', EventType.READ)],
      ['modify', () => f.r.modify(f.a, EventType.WRITE)],
      ['remove', () => f.r.remove(f.a)],
      ['postRead', () => f.r.postRead(f.a)],
      ['postWrite', () => f.r.postWrite(f.a, text('x'))],
      ['wait', () => f.r.wait(0)],
      ['wakeup', () => f.r.wakeup()],
      ['wakeupToken', () => f.r.wakeupToken],
      ['stats', () => f.r.stats()],
    ];
    for (const [name, call] of calls) {
      const error = refused(call, 'EDESTROYED');
      expect(error.message).toMatch(new RegExp(`^EDESTROYED: ${name}: `));
      expect(error.message).toMatch(says);
    }
    // Even with bad arguments the first word is EDESTROYED.
    refused(() => f.r.add('x' as unknown as number, 'x', EventType.READ), 'EDESTROYED');
    refused(() => f.r.wait(NaN), 'EDESTROYED');
    expect((await refusedAsync(() => f.r.waitAsync(0), 'EDESTROYED')).message).toMatch(says);
    // The app's fds stay open and usable; the other reactor still works.
    expect(f.r.os.send(f.peer, text('x'))).toBe(1);
    stillWorks(other);
  });

  test('a wait pending in waitAsync when the reactor is destroyed resolves with no events', async () => {
    const f = await fixture(model, mechanism);
    const pending = f.r.waitAsync(200);
    f.r.destroy();
    await expect(pending).resolves.toEqual([]);
    refused(() => f.r.stats(), 'EDESTROYED');
  });
});

describe('bad arguments to reactor.os', () => {
  test.each([
    [
      'send data that is a string',
      (r: Reactor, fd: number) => r.os.send(fd, 'x' as unknown as Uint8Array),
      'EINVAL',
      /data must be a Uint8Array/,
    ],
    ['send to fd NaN', (r: Reactor) => r.os.send(NaN, text('x')), 'EINVAL', /fd must be an integer/],
    ['recv of 0 bytes', (r: Reactor, fd: number) => r.os.recv(fd, 0), 'EINVAL', /maxBytes must be an integer from 1 to 1048576/],
    [
      'recv of too many bytes',
      (r: Reactor, fd: number) => r.os.recv(fd, limits.MAX_RECV_BYTES + 1),
      'EINVAL',
      /maxBytes must be an integer/,
    ],
    ['recv from fd -1', (r: Reactor) => r.os.recv(-1), 'EBADF', /not a valid descriptor/],
    ['listen on port 70000', (r: Reactor) => r.os.listen(70000), 'EINVAL', /port must be an integer from 0 to 65535/],
    ['listen on port "80"', (r: Reactor) => r.os.listen('80' as unknown as number), 'EINVAL', /port must be an integer/],
    ['listen on a host name', (r: Reactor) => r.os.listen(0, 'example.invalid'), 'EINVAL', /not an IP address; use a literal/],
    ['listen with backlog 0', (r: Reactor) => r.os.listen(0, '127.0.0.1', 0), 'EINVAL', /backlog must be an integer from 1/],
    ['connect to port -1', (r: Reactor) => r.os.connect(-1), 'EINVAL', /port must be an integer/],
    ['connect to an empty host', (r: Reactor) => r.os.connect(80, ''), 'EINVAL', /host must be an IP address string/],
    ['accept on fd 1.5', (r: Reactor) => r.os.accept(1.5), 'EINVAL', /fd must be an integer/],
    ['shutdown of fd 2^31', (r: Reactor) => r.os.shutdown(2 ** 31), 'EBADF', /not a valid descriptor/],
    ['close of fd "3"', (r: Reactor) => r.os.close('3' as unknown as number), 'EINVAL', /fd must be an integer/],
  ] as [string, (r: Reactor, fd: number) => unknown, string, RegExp][])('%s is refused', async (_name, call, code, says) => {
    const r = await reactor({ model: 'readiness', mechanism: 'epoll' });
    const [a, peer] = socketPair(r);
    r.add(a, 'a', EventType.READ);
    const before = r.stats();
    expect(refused(() => call(r, a), code).message).toMatch(says);
    expect(r.stats()).toEqual(before);
    r.os.send(peer, text('ok'));
    let events: ReturnType<Reactor['wait']> = [];
    for (let end = Date.now() + 3000; events.length === 0 && Date.now() < end; ) events = r.wait(20);
    expect(events.map((e) => e.context)).toEqual(['a']);
    expect(str(r.os.recv(a))).toBe('ok');
  });

  test('errors of the OS carry its code and a hint: recv on a closed fd, connect to a closed port', async () => {
    const r = await reactor({ model: 'readiness', mechanism: 'epoll' });
    const [a, peer] = r.os.socketPair();
    r.os.close(a);
    r.os.close(peer);
    const error = refused(() => r.os.recv(a), 'EBADF');
    expect(error.osCode).toBe(9);
    expect(error.message).toMatch(/recv\(fd \d+\) failed \(errno 9\); .+/);
    const again = refused(() => r.os.close(a), 'EBADF');
    expect(again.message).toMatch(/was it already closed\?/);
  });
});

describe('bad Reactor.create options', () => {
  test.each([
    ['options that are a string', 'fast', /options must be an object/],
    ['options that are null', null, /options must be an object/],
    ['options that are a number', 42, /options must be an object/],
    ['an unknown model', { model: 'proactor' }, /model must be 'readiness' or 'completion', got "proactor"/],
    ['a model in capitals', { model: 'READINESS' }, /model must be 'readiness' or 'completion'/],
    ['a model that is a number', { model: 1 }, /model must be 'readiness' or 'completion'/],
    ['an unknown mechanism', { mechanism: 'kqueue' }, /mechanism must be 'epoll', 'poll', 'iocp' or 'io_uring', got "kqueue"/],
    [
      'mechanism iocp natively on Linux',
      { model: 'completion', mechanism: 'iocp' },
      /'iocp' runs natively only on Windows; .*backend: 'sim'/,
    ],
    [
      'mechanism iocp in the readiness model',
      { mechanism: 'iocp', backend: 'sim' },
      /'iocp' has only the completion model; use model: 'completion'/,
    ],
    [
      'mechanism io_uring in the readiness model',
      { mechanism: 'io_uring' },
      /'io_uring' has only the completion model; use model: 'completion'/,
    ],
    ['poolSize 0', { poolSize: 0 }, /poolSize must be an integer from 1 to 65536, got 0/],
    ['poolSize -1', { poolSize: -1 }, /poolSize must be an integer from 1 to 65536/],
    ['poolSize 1.5', { poolSize: 1.5 }, /poolSize must be an integer/],
    ['poolSize NaN', { poolSize: NaN }, /poolSize must be an integer/],
    ['poolSize "8"', { poolSize: '8' }, /poolSize must be an integer.*got "8"/],
    ['poolSize 8n', { poolSize: 8n }, /poolSize must be an integer.*got 8n/],
    ['poolSize past the limit', { poolSize: limits.MAX_POOL_SIZE + 1 }, /poolSize must be an integer from 1 to 65536/],
    ['bufferSize 0', { bufferSize: 0 }, /bufferSize must be an integer from 16 to 1048576, got 0/],
    ['bufferSize 15', { bufferSize: 15 }, /bufferSize must be an integer from 16/],
    ['bufferSize past 1 MiB', { bufferSize: limits.MAX_BUFFER_SIZE + 1 }, /bufferSize must be an integer from 16 to 1048576/],
    ['bufferSize Infinity', { bufferSize: Infinity }, /bufferSize must be an integer/],
    ['maxSockets 0', { maxSockets: 0 }, /maxSockets must be an integer from 1 to 1048576, got 0/],
    ['maxSockets past the limit', { maxSockets: limits.MAX_SOCKETS_LIMIT + 1 }, /maxSockets must be an integer from 1 to 1048576/],
    ['maxSockets {}', { maxSockets: {} }, /maxSockets must be an integer/],
    ['a pool of more than 1 GiB of buffers', { poolSize: 65536, bufferSize: 1 << 20 }, /needs more than 2 GiB; lower them/],
    ['a misspelled option', { modle: 'completion' }, /unknown option "modle"; the options are model, mechanism/],
  ] as [string, unknown, RegExp][])('%s is refused with EINVAL', async (_name, options, says) => {
    const live = await reactor<string>({ model: 'completion', mechanism: 'epoll' });
    const [a, peer] = socketPair(live);
    live.add(a, 'a', EventType.READ);
    expect(live.wait(0)).toEqual([]);
    const before = live.stats();
    const error = await refusedAsync(() => Reactor.create(options as never), 'EINVAL');
    expect(error).toBeInstanceOf(ReactorError);
    expect(error.message).toMatch(/^EINVAL: Reactor\.create: /);
    expect(error.message).toMatch(says);
    // A reactor that exists is untouched by the refused one.
    expect(live.stats()).toEqual(before);
    live.os.send(peer, text('fine'));
    let events: ReturnType<Reactor<string>['wait']> = [];
    for (let end = Date.now() + 3000; events.length === 0 && Date.now() < end; ) events = live.wait(20);
    expect(events.map((e) => [e.context, str(e.buffer)])).toEqual([['a', 'fine']]);
  });

  test('the largest accepted sizes are not refused: maxSockets 1048576 creates a working reactor', async () => {
    const r = await reactor<string>({
      model: 'readiness',
      mechanism: 'poll',
      maxSockets: limits.MAX_SOCKETS_LIMIT,
      poolSize: 1,
      bufferSize: limits.MIN_BUFFER_SIZE,
    });
    const [a, peer] = socketPair(r);
    r.add(a, 'a', EventType.READ);
    r.os.send(peer, text('x'));
    let events: ReturnType<Reactor<string>['wait']> = [];
    for (let end = Date.now() + 3000; events.length === 0 && Date.now() < end; ) events = r.wait(20);
    expect(events.map((e) => e.context)).toEqual(['a']);
  });
});

describe('bad wakeup tokens', () => {
  test.each([
    ['0', 0],
    ['-1', -1],
    ['1.5', 1.5],
    ['NaN', NaN],
    ['a string', '1'],
    ['a bigint', 1n],
  ] as [string, unknown][])('a token that is %s is refused with EINVAL', async (_name, token) => {
    const r = await reactor({ model: 'readiness', mechanism: 'epoll' });
    const before = r.stats();
    expect(refused(() => wakeup(token as number), 'EINVAL').message).toMatch(/token must be a reactor's wakeupToken/);
    expect(r.stats()).toEqual(before);
    // A real token still wakes the reactor.
    expect(wakeup(r.wakeupToken)).toBe(true);
    const start = Date.now();
    expect(r.wait(5000)).toEqual([]);
    expect(Date.now() - start).toBeLessThan(2500);
  });

  test("a token past 32 bits is no reactor's token: refused (EINVAL) or false, and it wakes nothing", async () => {
    const r = await reactor({ model: 'readiness', mechanism: 'epoll' });
    const token = r.wakeupToken;
    const before = r.stats();
    let result: unknown;
    try {
      result = wakeup(2 ** 32 + token);
    } catch (e) {
      result = e;
    }
    if (result instanceof ReactorError) expect(result.code).toBe('EINVAL');
    else expect(result).toBe(false);
    expect(r.stats()).toEqual(before);
    const start = Date.now();
    expect(r.wait(300)).toEqual([]);
    expect(Date.now() - start).toBeGreaterThanOrEqual(250);
  });

  test('the token of a destroyed reactor wakes nothing and says so (false)', async () => {
    const r = await reactor({ model: 'readiness', mechanism: 'epoll' });
    const token = r.wakeupToken;
    r.destroy();
    expect(wakeup(token)).toBe(false);
  });
});
