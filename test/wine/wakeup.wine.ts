// Neolith's 3 wakeup tests under Wine: another thread ends a blocked GetQueuedCompletionStatusEx
// through the reactor's token (PostQueuedCompletionStatus), plus waitAsync ended by wakeup().
import assert from 'node:assert/strict';
import { describe, test, afterEach } from 'node:test';
import { Worker } from 'node:worker_threads';
import { EventType } from '../../src/index.js';
import { IOCP, reactor, destroyAll, text, str, pair, closeOwned, timed } from './support.js';

// Compiled into build/js/test/wine; the fixture stays in test/fixtures.
const WAKER = new URL('../../../../test/fixtures/wakeup-worker.mjs', import.meta.url);
const workers: Worker[] = [];

/** A worker that, once `go` is signalled, calls wakeup(token) after each delay; resolves wakeup()'s results. */
async function startWaker(token: number, delaysMs: number[], go: SharedArrayBuffer): Promise<() => Promise<boolean[]>> {
  const worker = new Worker(WAKER, { workerData: { token, delaysMs, go } });
  workers.push(worker);
  const results: boolean[] = [];
  const done = new Promise<boolean[]>((resolve) => {
    worker.on('message', (m: { woke?: boolean }) => {
      if (m.woke === undefined) return;
      results.push(m.woke);
      if (results.length === delaysMs.length) resolve(results);
    });
  });
  await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return () => done;
}

function signal(go: SharedArrayBuffer): void {
  const flag = new Int32Array(go);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

describe('Neolith wakeup tests (IOCP)', () => {
  afterEach(async () => {
    destroyAll();
    closeOwned();
    await Promise.all(workers.splice(0).map((w) => w.terminate()));
  });

  test('a wakeup from another thread ends a wait(10000) early with no events', async () => {
    const r = await reactor(IOCP);
    const go = new SharedArrayBuffer(4);
    const woken = await startWaker(r.wakeupToken, [200], go);
    signal(go);
    const [events, elapsed] = timed(() => r.wait(10000));
    assert.deepEqual(events, []);
    assert.ok(elapsed >= 150 && elapsed < 5000, `elapsed ${elapsed} ms`);
    assert.deepEqual(await woken(), [true]);
  });

  test('two wakeups from two threads end two waits in turn, and each is consumed', async () => {
    const r = await reactor(IOCP);
    const go = new SharedArrayBuffer(4);
    const early = await startWaker(r.wakeupToken, [100], go);
    const late = await startWaker(r.wakeupToken, [400], go);
    signal(go);
    const [first, firstElapsed] = timed(() => r.wait(10000));
    const [second, secondElapsed] = timed(() => r.wait(10000));
    assert.deepEqual([first, second], [[], []]);
    assert.ok(firstElapsed >= 50 && firstElapsed < 5000, `first ${firstElapsed} ms`);
    assert.ok(secondElapsed < 5000, `second ${secondElapsed} ms`);
    assert.deepEqual([await early(), await late()], [[true], [true]]);
    const [after, afterElapsed] = timed(() => r.wait(100));
    assert.deepEqual(after, []);
    assert.ok(afterElapsed >= 99, `after ${afterElapsed} ms`);
  });

  test('a wakeup with a socket event pending: the wait returns the socket event', async () => {
    const r = await reactor<number>(IOCP);
    const [server, client] = pair(r);
    r.add(server, 0x12345, EventType.READ);
    r.os.send(client, text('test'));
    const go = new SharedArrayBuffer(4);
    const woken = await startWaker(r.wakeupToken, [100], go);
    signal(go);
    const socket = r.wait(5000).filter((e) => e.context === 0x12345);
    assert.deepEqual(
      socket.map((e) => [e.fd, e.type, str(e.buffer)]),
      [[server, EventType.READ, 'test']],
    );
    assert.deepEqual(await woken(), [true]);
  });

  test('1000 wakeups with no wait running end at most one later wait early: they merge', async () => {
    const r = await reactor(IOCP);
    for (let i = 0; i < 1000; i++) r.wakeup();
    const early = Array.from({ length: 8 }, () => timed(() => r.wait(100))[1] < 50).filter(Boolean).length;
    assert.equal(early, 1);
  });

  test('reactor.wakeup() from a timer ends a pending waitAsync early with no events', async () => {
    const r = await reactor(IOCP);
    setTimeout(() => r.wakeup(), 100);
    const start = performance.now();
    const events = await r.waitAsync(10000);
    const elapsed = performance.now() - start;
    assert.deepEqual(events, []);
    assert.ok(elapsed >= 90 && elapsed < 5000, `elapsed ${elapsed} ms`);
  });
});
