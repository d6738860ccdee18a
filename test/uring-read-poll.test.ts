// The io_uring shim watches a socket's reads with one multishot poll, which reports each new
// arrival, not what is still there: the shim keeps a socket ready from a report until a receive
// finds nothing more, natively and over the simulated ring. Found by `npm run fuzz` (seed 5123,
// shrunk): a short receive was taken for a drained socket, and the end of the stream that had
// come before the report was never read.
import { EventType } from '../src/index.js';
import { type Backend, reactor, destroyAll, pair, closeOwned, waitUntil, text } from './helpers.js';

afterEach(() => {
  destroyAll();
  closeOwned();
});

describe.each(['native', 'sim'] as Backend[])('completion over io_uring, %s', (backend) => {
  test('bytes and the end of the stream that came before the first read: it takes the bytes, and a read posted later gets the end', async () => {
    const r = await reactor<string>({ model: 'completion', mechanism: 'io_uring', backend });
    // A simulated host's fds are its own: only native ones are the helpers' to close.
    const [conn, peer] = backend === 'native' ? pair(r) : r.os.socketPair();
    r.os.send(peer, text('x'));
    r.os.shutdown(peer);
    r.add(conn, 'conn', EventType.READ);
    const first = waitUntil(r, (all) => all.length > 0);
    expect(first.map((e) => [e.type, e.bytesTransferred])).toEqual([[EventType.READ, 1]]);
    r.postRead(conn);
    const next = waitUntil(r, (all) => all.length > 0);
    expect(next.map((e) => [e.type, e.bytesTransferred])).toEqual([[EventType.CLOSE, 0]]);
  });
});
