// Neolith's 3 wakeup tests (test_io_reactor_wakeup.cpp), in every model and mechanism, natively
// and in simulation (IOCP too): another thread wakes a blocked wait through the reactor's token.
// Plus waitAsync and stale tokens, natively.
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { EventType, wakeup, type Reactor } from '../src/index.js';
import { Simulation } from '../src/sim/index.js';
import {
  MATRIX,
  FULL_MATRIX,
  reactor,
  adopt,
  destroyAll,
  text,
  str,
  pair,
  closeOwned,
  refusal,
  type Model,
  type Mechanism,
} from './helpers.js';

// Tests run compiled from build/js/test; the fixture stays in test/fixtures.
const WAKER = new URL('../../../test/fixtures/wakeup-worker.mjs', import.meta.url);

const workers: Worker[] = [];
afterEach(destroyAll);
afterEach(closeOwned);
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
});

interface Waker {
  /** wakeup()'s results, once `count` of them have come back from the worker. */
  woken(count: number): Promise<boolean[]>;
}

/** A worker that, once `go` is signalled, calls wakeup(token) after each delay in turn. */
async function startWaker(token: number, delaysMs: number[], go: SharedArrayBuffer): Promise<Waker> {
  const worker = new Worker(WAKER, { workerData: { token, delaysMs, go } });
  workers.push(worker);
  const results: boolean[] = [];
  const waiting: (() => void)[] = [];
  worker.on('message', (m: { woke?: boolean }) => {
    if (m.woke === undefined) return;
    results.push(m.woke);
    waiting.splice(0).forEach((check) => check());
  });
  await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    woken: (count) =>
      new Promise((resolve) => {
        const check = (): void => {
          if (results.length >= count) resolve(results.slice(0, count));
          else waiting.push(check);
        };
        check();
      }),
  };
}

/** Releases the wakers sharing `go`: their delays start now. */
function signal(go: SharedArrayBuffer): void {
  const flag = new Int32Array(go);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

function timed<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
}

/** Where the Neolith tests' reactor lives and how "another thread" wakes it. */
interface Stage {
  reactor<C>(model: Model, mechanism: Mechanism): Promise<Reactor<C>>;
  /** A waker that, once released, calls wakeup(token) after each delay in turn. */
  waker(token: number, delaysMs: number[]): Promise<Waker>;
  /** Releases the wakers: their delays start now. */
  go(): void;
  /** Measures `fn` on the reactor's clock. */
  timed<T>(r: Reactor<any>, fn: () => T): [T, number];
}

/** Natively: worker threads sleeping in real time. */
function nativeStage(): Stage {
  const go = new SharedArrayBuffer(4);
  return {
    reactor: (model, mechanism) => reactor({ model, mechanism }),
    waker: (token, delaysMs) => startWaker(token, delaysMs, go),
    go: () => signal(go),
    timed: (_r, fn) => timed(fn),
  };
}

/**
 * In simulation another thread is another actor in virtual time: each wakeup(token) runs as a
 * timer of the simulated network, which a blocked wait reaches by moving the clock to it. (A
 * worker cannot hold a simulated reactor's token: the kernel lives in this thread.)
 */
function simStage(): Stage {
  const sim = new Simulation({ seed: 3 });
  const host = sim.host('waker');
  const armed: (() => void)[] = [];
  return {
    reactor: async (model, mechanism) => adopt(await host.createReactor({ model, mechanism })),
    waker: async (token, delaysMs) => {
      const results: boolean[] = [];
      armed.push(() => {
        let at = sim.now;
        for (const ms of delaysMs)
          sim.network.schedule((at += ms), () => {
            results.push(wakeup(token));
          });
      });
      // Waiting for the waker's results lets virtual time run to them, as a worker's run on.
      return {
        woken: async (count) => {
          while (results.length < count && sim.network.nextAt() !== Infinity) sim.network.advance(sim.network.nextAt());
          return results.slice(0, count);
        },
      };
    },
    go: () => {
      armed.splice(0).forEach((arm) => arm());
    },
    timed: (r, fn) => {
      const start = r.now();
      const value = fn();
      return [value, r.now() - start];
    },
  };
}

describe.each(FULL_MATRIX)('Neolith wakeup tests, %s over %s (%s)', (model, mechanism, backend) => {
  const stage = backend === 'native' ? nativeStage : simStage;

  test.each([10000, null])('a wakeup from another thread ends a wait(%s) early with no events', async (timeoutMs) => {
    const on = stage();
    const r = await on.reactor(model, mechanism);
    // The second wakeup only ends a wait(null) that the first failed to end, so a failure cannot hang.
    const waker = await on.waker(r.wakeupToken, [200, 10000]);
    on.go();
    const [events, elapsed] = on.timed(r, () => r.wait(timeoutMs));
    expect(events).toEqual([]);
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(5000);
    expect(await waker.woken(1)).toEqual([true]);
  });

  test('two wakeups from two threads end two waits in turn, and each is consumed', async () => {
    const on = stage();
    const r = await on.reactor(model, mechanism);
    const early = await on.waker(r.wakeupToken, [100]);
    const late = await on.waker(r.wakeupToken, [400]);
    on.go();
    const [first, firstElapsed] = on.timed(r, () => r.wait(10000));
    const [second, secondElapsed] = on.timed(r, () => r.wait(10000));
    expect([first, second]).toEqual([[], []]);
    expect(firstElapsed).toBeGreaterThanOrEqual(50);
    expect(firstElapsed).toBeLessThan(5000);
    expect(secondElapsed).toBeLessThan(5000);
    expect([await early.woken(1), await late.woken(1)]).toEqual([[true], [true]]);
    const [after, afterElapsed] = on.timed(r, () => r.wait(100));
    expect(after).toEqual([]);
    expect(afterElapsed).toBeGreaterThanOrEqual(99);
  });

  test('a wakeup with a socket event pending: the wait returns the socket event', async () => {
    const on = stage();
    const r = await on.reactor<number>(model, mechanism);
    const [server, client] = pair(r);
    r.add(server, 0x12345, EventType.READ);
    r.os.send(client, text('test'));
    const waker = await on.waker(r.wakeupToken, [100]);
    on.go();
    const events = r.wait(5000);
    const socket = events.filter((e) => e.context === 0x12345);
    expect(socket.map((e) => [e.fd, e.type])).toEqual([[server, EventType.READ]]);
    expect(model === 'completion' ? str(socket[0].buffer) : str(r.os.recv(server))).toBe('test');
    expect(await waker.woken(1)).toEqual([true]);
  });
});

describe.each(MATRIX)('wakeup tokens and waitAsync, %s over %s', (model, mechanism) => {
  test('reactor.wakeup() from a timer ends a pending waitAsync early with no events', async () => {
    const r = await reactor({ model, mechanism });
    const start = performance.now();
    setTimeout(() => r.wakeup(), 100);
    const events = await r.waitAsync(10000);
    const elapsed = performance.now() - start;
    expect(events).toEqual([]);
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(elapsed).toBeLessThan(5000);
  });

  test('a token wakes its reactor until destroy; then it returns false, from any thread, and wakes nothing', async () => {
    const r = await reactor({ model, mechanism });
    const token = r.wakeupToken;
    expect(wakeup(token)).toBe(true);
    const [events, elapsed] = timed(() => r.wait(10000));
    expect(events).toEqual([]);
    expect(elapsed).toBeLessThan(5000);
    r.destroy();
    expect(() => r.wakeupToken).toThrow(refusal('EDESTROYED'));
    expect(wakeup(token)).toBe(false);
    const next = await reactor({ model, mechanism });
    const go = new SharedArrayBuffer(4);
    const waker = await startWaker(token, [0], go);
    signal(go);
    expect(await waker.woken(1)).toEqual([false]);
    const [nextEvents, nextElapsed] = timed(() => next.wait(100));
    expect(nextEvents).toEqual([]);
    expect(nextElapsed).toBeGreaterThanOrEqual(99);
  });
});
