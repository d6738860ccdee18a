// Removing a socket whose write is between two parts of its linked chain: the ring runs the next
// part as task work only when it is next entered (DEFER_TASKRUN), and no cancel finds it before,
// yet remove must end the whole write before it returns. A remove with one round of cancels hung
// here, the chain going on sending after it until the socket was full.
import { type Backend, reactor, destroyAll, pair, closeNow, closeOwned } from './helpers.js';

afterEach(() => {
  destroyAll();
  closeOwned();
});

const PART_BYTES = 16 * 1024;
/** More than a socket holds (the simulated one holds 64 KiB, a real one some hundreds). */
const PARTS = 256;

describe.each(['native', 'sim'] as Backend[])('completion over io_uring, %s', (backend) => {
  test('closing a socket while its write is between two parts ends the write at once: no event, every context back, and the peer reads a prefix of the write, then its end', async () => {
    const r = await reactor({ model: 'completion', mechanism: 'io_uring', backend, bufferSize: PART_BYTES, poolSize: 2 * PARTS });
    // A simulated host's fds are its own: only native ones are the helpers' to close.
    const socketPair = (): [number, number] => (backend === 'native' ? pair(r) : r.os.socketPair());
    const [writer, peer] = socketPair();
    const [other] = socketPair();
    r.add(writer, 'writer', 0);
    r.add(other, 'other', 0);
    const data = new Uint8Array(PARTS * PART_BYTES).map((_, i) => i % 251);
    r.postWrite(writer, data);
    // Closing another registered socket hands the write to the ring with no wait after it: its
    // first part goes, and the next is left as task work.
    closeNow(r, other);
    closeNow(r, writer);
    expect(r.wait(50)).toEqual([]);
    expect(r.stats().poolInUse).toBe(0);
    const received: Uint8Array[] = [];
    let chunk = r.os.recv(peer);
    for (; chunk?.length; chunk = r.os.recv(peer)) received.push(chunk);
    expect(chunk).toEqual(new Uint8Array(0)); // the end, not "nothing yet": the ring let go of the socket
    const prefix = Buffer.concat(received);
    expect(prefix.length).toBeGreaterThan(0);
    expect(prefix.length).toBeLessThan(data.length);
    expect(prefix.equals(Buffer.from(data.subarray(0, prefix.length)))).toBe(true);
  });
});
