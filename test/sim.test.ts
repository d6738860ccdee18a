// backend: 'sim' runs the same core and the same shim C (built by emscripten) over a simulated
// kernel in virtual time: application code is unchanged, runs are reproducible from a seed.
import { type Reactor, EventType, SimulationDeadlock, type IoEvent } from '../src/index.js';
import { MATRIX, SIM_IOCP, text, str, reactor, destroyAll, type Mechanism } from './helpers.js';

function sim<C = string>(options: Parameters<typeof Reactor.create>[0]): Promise<Reactor<C>> {
  return reactor<C>({ backend: 'sim', ...options });
}
afterEach(destroyAll);

/** A little echo conversation; returns what the server saw, as a replayable transcript. */
async function conversation(model: 'readiness' | 'completion', mechanism: Mechanism, seed: number): Promise<string[]> {
  const r = await sim({ model, mechanism, seed, latencyMs: [1, 20] });
  const { fd: listener, port } = r.os.listen(0);
  r.add(listener, 'listener', EventType.READ);
  const clients = [r.os.connect(port), r.os.connect(port), r.os.connect(port)];
  clients.forEach((c, i) => r.os.send(c, text(`hello from ${i}`)));
  const transcript: string[] = [];
  const record = (e: IoEvent<string>, data: string) => transcript.push(`${e.context}:${e.type}:${data}`);
  for (let round = 0; round < 50 && transcript.filter((t) => t.startsWith('conn')).length < 3; round++) {
    for (const e of r.wait(5)) {
      if (e.context === 'listener') {
        const fd = model === 'completion' ? e.acceptedFd! : r.os.accept(e.fd)!;
        r.add(fd, 'conn', EventType.READ);
        record(e, '');
      } else {
        record(e, model === 'completion' ? str(e.buffer) : str(r.os.recv(e.fd)));
      }
    }
  }
  return transcript;
}

describe.each([...MATRIX, [SIM_IOCP[0], SIM_IOCP[1]] as const])('simulated %s over %s', (model, mechanism) => {
  test('connections are accepted and their bytes arrive, as on the real OS', async () => {
    const transcript = await conversation(model, mechanism, 1);
    expect(
      transcript
        .filter((t) => t.startsWith('conn'))
        .map((t) => t.split(':')[2])
        .sort(),
    ).toEqual(['hello from 0', 'hello from 1', 'hello from 2']);
  });

  test('the same seed gives the same event sequence; another seed may reorder it', async () => {
    const a = await conversation(model, mechanism, 7);
    const b = await conversation(model, mechanism, 7);
    expect(b).toEqual(a);
    const orders = new Set<string>();
    for (let seed = 0; seed < 12; seed++) orders.add((await conversation(model, mechanism, seed)).join('|'));
    expect(orders.size).toBeGreaterThan(1);
  });

  test('waiting moves virtual time, not real time: an empty wait(10 minutes) returns at once', async () => {
    const r = await sim({ model, mechanism });
    const [a] = r.os.socketPair();
    r.add(a, 'a', EventType.READ);
    const start = performance.now();
    expect(r.wait(600_000)).toEqual([]);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  test('latency is honoured: a segment 50 ms away is not there after 20 ms, and is after 60', async () => {
    const r = await sim({ model, mechanism, latencyMs: [50, 50] });
    const { fd: listener, port } = r.os.listen(0);
    r.add(listener, 'listener', EventType.READ);
    const client = r.os.connect(port);
    expect(r.wait(20)).toEqual([]);
    expect(r.wait(40).map((e) => e.context)).toEqual(['listener']);
    expect(client).toBeGreaterThan(0);
  });

  test('a wait that nothing can ever end is reported as a deadlock, not a hang', async () => {
    const r = await sim({ model, mechanism });
    const [a] = r.os.socketPair();
    r.add(a, 'a', EventType.READ);
    expect(() => r.wait(null)).toThrow(SimulationDeadlock);
  });
});

describe('simulated kernel buffers', () => {
  test('readiness: a sender fills the peer buffer, gets a partial send, then 0 (EAGAIN); WRITE returns after the reader drains', async () => {
    const r = await sim({ model: 'readiness' });
    const [a, b] = r.os.socketPair();
    const big = new Uint8Array(100_000);
    const first = r.os.send(a, big);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(big.length);
    expect(r.os.send(a, big)).toBe(0);
    r.add(a, 'writer', EventType.WRITE);
    expect(r.wait(0)).toEqual([]);
    let drained = 0;
    for (let chunk = r.os.recv(b); chunk?.length; chunk = r.os.recv(b)) drained += chunk.length;
    expect(drained).toBe(first);
    expect(r.wait(0).map((e) => [e.context, e.type])).toEqual([['writer', EventType.WRITE]]);
  });

  test('completion: a 200 kB write goes through a 64 kB buffer in partial sends, one WRITE for all of it', async () => {
    const r = await sim({ model: 'completion', poolSize: 256, bufferSize: 2048 });
    const [a, b] = r.os.socketPair();
    r.add(a, 'writer', 0);
    const data = new Uint8Array(200_000).map((_, i) => i % 251);
    r.postWrite(a, data);
    const received: Uint8Array[] = [];
    let writes: IoEvent<string>[] = [];
    for (let round = 0; round < 100 && writes.length === 0; round++) {
      writes = r.wait(1).filter((e) => e.type & EventType.WRITE);
      for (let chunk = r.os.recv(b); chunk?.length; chunk = r.os.recv(b)) received.push(chunk);
    }
    for (let chunk = r.os.recv(b); chunk?.length; chunk = r.os.recv(b)) received.push(chunk);
    expect(writes.map((e) => e.bytesTransferred)).toEqual([200_000]);
    expect(Buffer.concat(received).equals(Buffer.from(data))).toBe(true);
  });

  test('closing with unread data resets the peer: its pending read ends in CLOSE with ECONNRESET', async () => {
    const r = await sim({ model: 'completion' });
    const [a, b] = r.os.socketPair();
    r.add(a, 'reader', EventType.READ);
    r.os.send(a, text('never read'));
    r.os.close(b);
    const events = r.wait(10);
    expect(events.map((e) => [e.context, e.type, e.error?.code])).toEqual([['reader', EventType.CLOSE, 'ECONNRESET']]);
  });

  test('a graceful close after the data: READ with the bytes, then CLOSE with none', async () => {
    const r = await sim({ model: 'completion' });
    const [a, b] = r.os.socketPair();
    r.add(a, 'reader', EventType.READ);
    r.os.send(b, text('last words'));
    r.os.close(b);
    const first = r.wait(10);
    expect(first.map((e) => [e.type, str(e.buffer)])).toEqual([[EventType.READ, 'last words']]);
    r.postRead(a);
    expect(r.wait(10).map((e) => [e.type, e.bytesTransferred])).toEqual([[EventType.CLOSE, 0]]);
  });
});
