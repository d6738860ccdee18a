// waitAsync waits on the reactor's own thread: Node's event loop, its thread pool and worker
// termination all carry on while it waits.
import { Worker } from 'node:worker_threads';
import { readFile } from 'node:fs/promises';
import { MATRIX, reactor, destroyAll } from './helpers.js';

afterEach(destroyAll);

const WAITER = new URL('../../../test/fixtures/async-waiter.mjs', import.meta.url);

describe.each(MATRIX)('%s over %s', (model, mechanism) => {
  test('eight reactors in waitAsync leave the libuv pool free: a file read still takes no time', async () => {
    const waits = [];
    for (let i = 0; i < 8; i++) waits.push((await reactor({ model, mechanism })).waitAsync(3000));
    const start = performance.now();
    await readFile(new URL(import.meta.url));
    expect(performance.now() - start).toBeLessThan(1000);
    destroyAll();
    expect(await Promise.all(waits)).toEqual(new Array(8).fill([]));
  });
});

test('a worker blocked in waitAsync(null) can be terminated', async () => {
  const worker = new Worker(WAITER);
  await new Promise<void>((ready, fail) => {
    worker.on('message', (m) => {
      if (m === 'waiting') ready();
    });
    worker.on('error', fail);
  });
  const start = performance.now();
  await worker.terminate();
  expect(performance.now() - start).toBeLessThan(2000);
});
