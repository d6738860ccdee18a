// Cancelling an in-flight read by remove() returns its context, but is no event: the wait that
// follows must still run its whole timeout.
import { EventType } from '../src/index.js';
import { COMPLETION_MECHANISMS, reactor, destroyAll, pair, closeOwned } from './helpers.js';

afterEach(() => { destroyAll(); closeOwned(); });

describe.each(COMPLETION_MECHANISMS)('completion over %s', (mechanism) => {
  test('a wait after removing an fd with a read in flight waits out its timeout', async () => {
    const r = await reactor({ model: 'completion', mechanism });
    const [server] = pair(r);
    r.add(server, 'conn', EventType.READ);
    r.wait(0);
    expect(r.stats().poolInUse).toBe(1);
    r.remove(server);
    const start = performance.now();
    expect(r.wait(200)).toEqual([]);
    expect(performance.now() - start).toBeGreaterThanOrEqual(195);
    expect(r.stats().poolInUse).toBe(0);
  });
});
