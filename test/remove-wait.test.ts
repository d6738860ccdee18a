// Cancelling in-flight operations by remove() returns their contexts, but is no event: the wait
// that follows must still run its whole timeout. (A posted read holds no context; a write the
// peer does not read yet does.)
import { EventType } from '../src/index.js';
import { COMPLETION_MECHANISMS, reactor, destroyAll, pair, closeOwned } from './helpers.js';

afterEach(() => {
  destroyAll();
  closeOwned();
});

describe.each(COMPLETION_MECHANISMS)('completion over %s', (mechanism) => {
  test('a wait after removing an fd with a read and a write in flight waits out its timeout', async () => {
    const r = await reactor({ model: 'completion', mechanism, poolSize: 1024 });
    const [server] = pair(r);
    r.add(server, 'conn', EventType.READ);
    // More than the socket buffers hold: parts of the write stay in flight.
    r.postWrite(server, new Uint8Array(1024 * 1024));
    r.wait(0);
    expect(r.stats().poolInUse).toBeGreaterThan(0);
    r.remove(server);
    const start = performance.now();
    expect(r.wait(200)).toEqual([]);
    expect(performance.now() - start).toBeGreaterThanOrEqual(195);
    expect(r.stats().poolInUse).toBe(0);
  });
});
