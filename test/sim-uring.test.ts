// The simulated io_uring under the io_uring shim (native/unix/io_uring.c built by emscripten): the
// ring's faults reach the app as the real kernel's would, and the shim copes with each. What it
// shares with the simulated IOCP is in sim-completion.test.ts.
import { type Reactor, EventType, type ReactorOptions } from '../src/index.js';
import { Simulation } from '../src/sim/index.js';
import { text, str, reactor, adopt, destroyAll, summary, waitRounds } from './helpers.js';

const { READ, WRITE, ACCEPT, ERROR } = EventType;
const URING = { model: 'completion', mechanism: 'io_uring' } as const;

function uring(options: Omit<ReactorOptions, 'model' | 'mechanism' | 'backend'> = {}): Promise<Reactor<string>> {
  return reactor<string>({ ...URING, backend: 'sim', ...options });
}
afterEach(destroyAll);

test('a write of five parts goes as one linked chain: under short socket writes it completes in the wait it was posted in, with one WRITE, its bytes in order', async () => {
  const r = await uring({ bufferSize: 1024, faults: { partialWriteRate: 1 } });
  const [a, b] = r.os.socketPair();
  r.add(a, 'writer', 0);
  const data = new Uint8Array(5 * 1024).map((_, i) => i % 251);
  r.postWrite(a, data);
  expect(summary(r.wait(0))).toEqual([['writer', WRITE, 5 * 1024, undefined]]);
  const received: Uint8Array[] = [];
  for (let chunk = r.os.recv(b); chunk?.length; chunk = r.os.recv(b)) received.push(chunk);
  expect(Buffer.concat(received).equals(Buffer.from(data))).toBe(true);
  expect(r.faultReport()!.partialWrite.injected).toBeGreaterThan(4);
});

test('an exhausted buffer ring (enobufsRate): receives that find data and no buffer wait for a resume, and every byte arrives, in order', async () => {
  const r = await uring({ bufferSize: 64, faults: { enobufsRate: 0.5 } });
  const pairs = ['a', 'b', 'c'].map((name) => [name, ...r.os.socketPair()] as const);
  for (const [name, fd] of pairs) r.add(fd, name, READ);
  expect(r.wait(0)).toEqual([]);
  const sent = new Map(
    pairs.map(([name, , peer], k) => {
      const data = new Uint8Array(1000).map((_, i) => (i * 7 + k) % 256);
      r.os.send(peer, data);
      return [name, data] as const;
    }),
  );
  const got = new Map<string, Uint8Array[]>(pairs.map(([name]) => [name, []]));
  let waiting = 0;
  waitRounds(
    r,
    (all) => {
      for (const e of all.splice(0)) {
        got.get(e.context)!.push(e.buffer!);
        r.postRead(e.fd);
      }
      waiting = Math.max(waiting, r.stats().readsWaiting);
      return [...got.values()].every((parts) => parts.reduce((n, p) => n + p.length, 0) >= 1000);
    },
    2000,
  );
  for (const [name, data] of sent) expect(Buffer.concat(got.get(name)!).equals(Buffer.from(data))).toBe(true);
  expect(r.faultReport()!.enobufs.injected).toBeGreaterThan(0);
  expect(waiting).toBeGreaterThan(0);
  r.wait(0);
  expect(r.stats().poolInUse).toBe(0);
});

test('interrupted enters are resumed with the time left: timeouts hold and completions still come', async () => {
  const r = await uring({ faults: { interruptRate: 0.5 } });
  const [a, b] = r.os.socketPair();
  r.add(a, 'a', READ);
  for (let i = 0; i < 20; i++) {
    const start = r.now();
    expect(r.wait(50)).toEqual([]);
    expect(r.now() - start).toBe(50);
  }
  r.os.send(b, text('x'));
  expect(r.wait(50).map((e) => [e.context, str(e.buffer)])).toEqual([['a', 'x']]);
  expect(r.faultReport()!.interrupt.injected).toBeGreaterThan(3);
});

test('a failed accept ends the multishot accept: one posted accept reports ERROR EMFILE, the shim arms another, and the connection is accepted', async () => {
  const sim = new Simulation({ faultSchedule: [{ kind: 'emfile', occasion: 0 }] });
  const r = adopt(await sim.host('solo').createReactor<string>(URING));
  const { fd: listener, port } = r.os.listen(0);
  r.add(listener, 'listener', READ);
  r.os.connect(port);
  const events = waitRounds(r, (all) => all.some((e) => e.type === ACCEPT));
  expect(events.map((e) => [e.context, e.type, e.error?.code])).toEqual([
    ['listener', ERROR, 'EMFILE'],
    ['listener', ACCEPT, undefined],
  ]);
  expect(sim.faultReport().emfile.injected).toBe(1);
});

test('connections that arrive while no accept is posted are kept, in order, for the accepts posted later', async () => {
  // A pool this small keeps one accept posted: the multishot accept takes five more meanwhile.
  const r = await uring({ poolSize: 16 });
  const { fd: listener, port } = r.os.listen(0);
  r.add(listener, 'listener', READ);
  const clients = Array.from({ length: 6 }, () => r.os.connect(port));
  const accepted = waitRounds(r, (all) => all.filter((e) => e.type === ACCEPT).length === clients.length)
    .filter((e) => e.type === ACCEPT)
    .map((e) => e.acceptedFd!);
  expect(accepted).toHaveLength(clients.length);
  // Each accepted socket is the peer of the client at its place: the order is the clients'.
  clients.forEach((c, i) => r.os.send(c, text(`client ${i}`)));
  r.wait(10);
  expect(accepted.map((fd) => str(r.os.recv(fd)))).toEqual(clients.map((_, i) => `client ${i}`));
});
