// What the reference model (test/model.test.ts, `npm run fuzz`) found wrong in the core, one test
// per finding, each written to fail on the behaviour the model caught.
import { EventType, type IoEvent } from '../src/index.js';
import { FULL_MATRIX, reactor, destroyAll, text } from './helpers.js';
import { socketPair, closeTracked, untrack } from './contract.js';

afterEach(() => {
  destroyAll();
  closeTracked();
});

const COMPLETION = FULL_MATRIX.filter(([model]) => model === 'completion');
const ALL = 1024;

/** Waits (up to 3 s) until a wait delivers something; returns what it delivered. */
function firstEvents(wait: () => IoEvent<string>[]): IoEvent<string>[] {
  const deadline = Date.now() + 3000;
  for (;;) {
    const events = wait();
    if (events.length > 0 || Date.now() > deadline) return events;
  }
}

// Found by `npm run fuzz` (seed 63, shrunk): reads of one fd that end without data share its
// queue node, and the core sent that node to the back of the queue after delivering one ending,
// so the fd's other endings, queued first, were delivered after events queued later.
describe.each(COMPLETION)('read endings left by maxEvents go first (%s over %s, %s)', (model, mechanism, backend) => {
  test('three reads end at end of stream; after one is delivered, the other two come before a later WRITE', async () => {
    const r = await reactor<string>({ model, mechanism, backend });
    const [a, aPeer] = socketPair(r);
    const [b] = socketPair(r);
    r.add(a, 'a', EventType.READ);
    r.postRead(a);
    r.postRead(a);
    r.add(b, 'b', 0);
    r.os.close(aPeer);
    untrack(aPeer);
    const first = firstEvents(() => r.wait(100, 1));
    expect(first.map((e) => [e.context, e.type])).toEqual([['a', EventType.CLOSE]]);
    r.postWrite(b, text('later'));
    const rest: IoEvent<string>[] = [];
    const deadline = Date.now() + 3000;
    while (rest.length < 3 && Date.now() < deadline) rest.push(...r.wait(100, ALL));
    expect(rest.map((e) => [e.context, e.type])).toEqual([
      ['a', EventType.CLOSE],
      ['a', EventType.CLOSE],
      ['b', EventType.WRITE],
    ]);
  });
});

// Found by `npm run fuzz` (seed 61114, shrunk): on io_uring a write's next part was queued for
// the kernel when the previous part completed, and went in only with the next wait. An app that
// removed the fd and closed it in between (os.close of an unregistered fd closes at once) could
// get the same number for a new socket, and the removed fd's last bytes went out on it.
describe.each(COMPLETION)(
  "a removed fd's write never reaches a new socket with its number (%s over %s, %s)",
  (model, mechanism, backend) => {
    test('a two-part write is cut by remove and close; the new connection on the same fd number receives nothing', async () => {
      const r = await reactor<string>({ model, mechanism, backend, bufferSize: 512 });
      const [a, aPeer] = r.os.socketPair();
      r.add(a, 'old', 0);
      r.postWrite(a, new Uint8Array(513).fill(7));
      r.wait(0);
      r.remove(a);
      r.os.close(a);
      r.os.close(aPeer);
      const [b, bPeer] = socketPair(r);
      expect([b, bPeer]).toEqual([a, aPeer]); // the numbers come back, as the lowest free ones
      r.add(b, 'new', 0);
      for (let i = 0; i < 3; i++) expect(r.wait(10)).toEqual([]);
      expect(r.os.recv(bPeer, 1024)).toBeNull();
      expect(r.stats().poolInUse).toBe(0);
    });
  },
);
