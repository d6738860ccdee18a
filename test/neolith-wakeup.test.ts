// Neolith's 3 wakeup tests (test_io_reactor_wakeup.cpp), in every model and mechanism: another
// thread wakes a blocked wait through the reactor's token. Plus waitAsync and stale tokens.
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { EventType, wakeup } from '../src/index.js';
import { MATRIX, reactor, destroyAll, text, str, pair, closeOwned, refusal } from './helpers.js';

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
    woken: (count) => new Promise((resolve) => {
      const check = (): void => { if (results.length >= count) resolve(results.slice(0, count)); else waiting.push(check); };
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

describe.each(MATRIX)('Neolith wakeup tests, %s over %s', (model, mechanism) => {
  test.each([10000, null])('a wakeup from another thread ends a wait(%s) early with no events', async (timeoutMs) => {
    const r = await reactor({ model, mechanism });
    const go = new SharedArrayBuffer(4);
    // The second wakeup only ends a wait(null) that the first failed to end, so a failure cannot hang.
    const waker = await startWaker(r.wakeupToken, [200, 10000], go);
    signal(go);
    const [events, elapsed] = timed(() => r.wait(timeoutMs));
    expect(events).toEqual([]);
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(5000);
    expect(await waker.woken(1)).toEqual([true]);
  });

  test('two wakeups from two threads end two waits in turn, and each is consumed', async () => {
    const r = await reactor({ model, mechanism });
    const go = new SharedArrayBuffer(4);
    const early = await startWaker(r.wakeupToken, [100], go);
    const late = await startWaker(r.wakeupToken, [400], go);
    signal(go);
    const [first, firstElapsed] = timed(() => r.wait(10000));
    const [second, secondElapsed] = timed(() => r.wait(10000));
    expect([first, second]).toEqual([[], []]);
    expect(firstElapsed).toBeGreaterThanOrEqual(50);
    expect(firstElapsed).toBeLessThan(5000);
    expect(secondElapsed).toBeLessThan(5000);
    expect([await early.woken(1), await late.woken(1)]).toEqual([[true], [true]]);
    const [after, afterElapsed] = timed(() => r.wait(100));
    expect(after).toEqual([]);
    expect(afterElapsed).toBeGreaterThanOrEqual(99);
  });

  test('a wakeup with a socket event pending: the wait returns the socket event', async () => {
    const r = await reactor<number>({ model, mechanism });
    const [server, client] = pair(r);
    r.add(server, 0x12345, EventType.READ);
    r.os.send(client, text('test'));
    const go = new SharedArrayBuffer(4);
    const waker = await startWaker(r.wakeupToken, [100], go);
    signal(go);
    const events = r.wait(5000);
    const socket = events.filter((e) => e.context === 0x12345);
    expect(socket.map((e) => [e.fd, e.type])).toEqual([[server, EventType.READ]]);
    expect(model === 'completion' ? str(socket[0].buffer) : str(r.os.recv(server))).toBe('test');
    expect(await waker.woken(1)).toEqual([true]);
  });

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
