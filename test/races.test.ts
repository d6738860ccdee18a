// Threads racing a reactor's end, each race run many times: wakeup(token) from workers while the
// reactor is destroyed, waitAsync while destroy() runs, a worker terminated inside
// waitAsync(null), and reactors created and destroyed on several threads at once. A lost race
// shows as a crash (the process dies), a hang, a wrong result, or an fd left open.
import { Worker } from 'node:worker_threads';
import { readdirSync } from 'node:fs';
import { EventType, Reactor, wakeup } from '../src/index.js';
import { MATRIX, destroyAll, reactor } from './helpers.js';

afterEach(destroyAll);

const RACER = new URL('../../../test/fixtures/race-worker.mjs', import.meta.url);
const WAITER = new URL('../../../test/fixtures/async-waiter.mjs', import.meta.url);
/** Threads per race: more than this machine's cores, so they truly interleave. */
const THREADS = 3;
const ROUNDS = 8;
const RACE_TEST_MS = 120_000;

const openFds = (): number => readdirSync('/proc/self/fd').length;

function started(worker: Worker): Promise<void> {
  return new Promise((ready, fail) => {
    worker.on('message', (m) => {
      if (m.ready || m === 'waiting') ready();
    });
    worker.on('error', fail);
  });
}

const finished = <T>(worker: Worker): Promise<T> =>
  new Promise((done, fail) => {
    worker.on('message', (m) => {
      if (!m.ready) done(m as T);
    });
    worker.on('error', fail);
  });

describe.each(MATRIX)('%s over %s', (model, mechanism) => {
  test(
    'wakeup(token) from three workers racing destroy(): true while alive, false after, nothing crashes or leaks',
    async () => {
      const fdsBefore = openFds();
      const tokens = new Int32Array(new SharedArrayBuffer(4 * 4));
      const stop = new Int32Array(new SharedArrayBuffer(4));
      const workers = Array.from(
        { length: THREADS },
        () => new Worker(RACER, { workerData: { mode: 'wake', tokens: tokens.buffer, stop: stop.buffer } }),
      );
      await Promise.all(workers.map(started));
      const results = workers.map((w) => finished<{ woke: number; gone: number }>(w));
      for (let round = 0; round < ROUNDS; round++) {
        const rs = await Promise.all(Array.from({ length: tokens.length }, () => Reactor.create({ model, mechanism })));
        rs.forEach((r, i) => Atomics.store(tokens, i, r.wakeupToken));
        for (const r of rs) {
          expect(r.wait(5)).toEqual([]); // the wakers end it early, or it times out
          r.destroy();
          expect(() => r.wakeup()).toThrow(expect.objectContaining({ code: 'EDESTROYED' }));
        }
        for (let i = 0; i < rs.length; i++) expect(wakeup(Atomics.load(tokens, i))).toBe(false);
      }
      Atomics.store(stop, 0, 1);
      const counts = await Promise.all(results);
      await Promise.all(workers.map((w) => w.terminate()));
      expect(counts.every((c) => c.woke + c.gone > 0)).toBe(true);
      expect(openFds()).toBeLessThanOrEqual(fdsBefore);
    },
    RACE_TEST_MS,
  );

  test(
    'destroy() while waitAsync waits: each pending wait resolves with no events',
    async () => {
      for (let round = 0; round < ROUNDS * 5; round++) {
        const r = await reactor({ model, mechanism });
        const [a] = r.os.socketPair();
        r.add(a, 'a', EventType.READ);
        const pending = r.waitAsync(round % 2 === 0 ? null : 10_000);
        // At once, after the wait thread started, or after it has blocked.
        if (round % 3 === 1) await new Promise((next) => setImmediate(next));
        if (round % 3 === 2) await new Promise((next) => setTimeout(next, 2));
        r.destroy();
        expect(await pending).toEqual([]);
      }
    },
    RACE_TEST_MS,
  );

  test(
    'reactors created and destroyed on three threads at once',
    async () => {
      const fdsBefore = openFds();
      const rounds = 30;
      const workers = Array.from({ length: THREADS }, () => new Worker(RACER, { workerData: { mode: 'churn', model, rounds } }));
      const created = await Promise.all(workers.map((w) => finished<{ created: number }>(w)));
      await Promise.all(workers.map((w) => w.terminate()));
      expect(created).toEqual(new Array(THREADS).fill({ created: rounds }));
      expect(openFds()).toBeLessThanOrEqual(fdsBefore);
    },
    RACE_TEST_MS,
  );
});

test('workers terminated inside waitAsync(null), again and again: each ends promptly, and reactors here still work', async () => {
  for (let round = 0; round < ROUNDS / 2; round++) {
    const worker = new Worker(WAITER);
    await started(worker);
    const start = performance.now();
    await worker.terminate();
    expect(performance.now() - start).toBeLessThan(2000);
  }
  const r = await reactor({ model: 'completion' });
  const [a, b] = r.os.socketPair();
  r.add(a, 'a', EventType.READ);
  r.os.send(b, new Uint8Array([7]));
  const events = await r.waitAsync(2000);
  expect(events.map((e) => [e.context, e.type, [...e.buffer!]])).toEqual([['a', EventType.READ, [7]]]);
});
