// Injected faults in simulation: each kind happens at its rate, is counted, reaches the app as
// the real fault would, and draws from its own random stream.
import { Reactor, EventType, type ReactorError, type FaultRates } from '../src/index.js';
import { Simulation, type Injection } from '../src/sim/index.js';
import { text, str, reactor, adopt, destroyAll, waitRounds } from './helpers.js';

function sim(options: Parameters<typeof Reactor.create>[0]): Promise<Reactor<string>> {
  return reactor<string>({ backend: 'sim', ...options });
}
afterEach(destroyAll);

/** A readiness reactor under a Simulation that injects exactly `faultSchedule`. */
async function scheduled(faultSchedule: Injection[]) {
  const sim = new Simulation({ faultSchedule });
  const r = adopt(await sim.host('solo').createReactor<string>({ model: 'readiness' }));
  return { sim, r };
}

test('partial writes: a send is taken in part, yet a posted write still arrives whole with one WRITE', async () => {
  const r = await sim({ model: 'completion', faults: { partialWriteRate: 1 } });
  const [a, b] = r.os.socketPair();
  expect(r.os.send(b, new Uint8Array(1000))).toBeLessThan(1000);
  while (r.os.recv(a)) {
    /* drain */
  }
  r.add(a, 'writer', 0);
  const data = new Uint8Array(10_000).map((_, i) => i % 253);
  r.postWrite(a, data);
  const received: Uint8Array[] = [];
  const writes = waitRounds(r, (all) => {
    for (let chunk = r.os.recv(b); chunk?.length; chunk = r.os.recv(b)) received.push(chunk);
    return all.length > 0;
  });
  for (let chunk = r.os.recv(b); chunk?.length; chunk = r.os.recv(b)) received.push(chunk);
  expect(writes.map((e) => [e.type, e.bytesTransferred])).toEqual([[EventType.WRITE, 10_000]]);
  expect(Buffer.concat(received).equals(Buffer.from(data))).toBe(true);
  expect(r.faultReport()!.partialWrite.injected).toBeGreaterThan(1);
});

test('partial reads: a recv takes only part of what is queued, and the rest stays queued, nothing lost', async () => {
  const r = await sim({ model: 'readiness', faults: { partialReadRate: 1 } });
  const [a, b] = r.os.socketPair();
  const data = new Uint8Array(1000).map((_, i) => i % 251);
  r.os.send(b, data);
  r.wait(10);
  const first = r.os.recv(a)!;
  expect(first.length).toBeLessThan(1000);
  const received = [first];
  for (let chunk = r.os.recv(a); chunk?.length; chunk = r.os.recv(a)) received.push(chunk);
  expect(Buffer.concat(received).equals(Buffer.from(data))).toBe(true);
  expect(r.faultReport()!.partialRead.injected).toBeGreaterThan(1);
});

test('partial reads under IOCP: a recv completion carries part of what is queued; the next recv gets the rest', async () => {
  const r = await sim({ model: 'completion', mechanism: 'iocp', faults: { partialReadRate: 1 } });
  const [a, b] = r.os.socketPair();
  r.add(a, 'reader', EventType.READ);
  r.os.send(b, text('0123456789'));
  const reads = waitRounds(r, (all) => {
    if (all.length > 0 && all[all.length - 1].context === 'reader') r.postRead(a);
    return str(Buffer.concat(all.map((e) => e.buffer!))) === '0123456789';
  });
  expect(reads.length).toBeGreaterThan(1);
  expect(reads.every((e) => e.context === 'reader' && e.type === EventType.READ)).toBe(true);
  expect(r.faultReport()!.partialRead.injected).toBeGreaterThan(0);
});

test("resets: the segment never arrives; the reader gets CLOSE with ECONNRESET, the sender's next send fails with it", async () => {
  const r = await sim({ model: 'completion', faults: { resetRate: 1 } });
  const [a, b] = r.os.socketPair();
  r.add(a, 'reader', EventType.READ);
  r.os.send(b, text('lost'));
  const events = waitRounds(r, (all) => all.length > 0);
  expect(events.map((e) => [e.context, e.type, e.error?.code])).toEqual([['reader', EventType.CLOSE, 'ECONNRESET']]);
  expect(() => r.os.send(b, text('again'))).toThrow(expect.objectContaining({ code: 'ECONNRESET' }));
  expect(r.faultReport()!.reset).toEqual({ rate: 1, injected: 1 });
});

test('half-close: the peer shuts down its write side after a segment; the app reads it, then end of stream, and can still send back', async () => {
  const { sim, r } = await scheduled([{ kind: 'halfClose', occasion: 0 }]);
  const [app, peer] = r.os.socketPair();
  r.os.send(peer, text('last words'));
  expect(str(r.os.recv(app))).toBe('last words');
  expect(r.os.recv(app)!.length).toBe(0);
  r.os.send(app, text('reply, '));
  r.os.send(app, text('and more'));
  expect(str(r.os.recv(peer))).toBe('reply, and more');
  expect(() => r.os.send(peer, text('again'))).toThrow(expect.objectContaining({ code: 'EPIPE' }));
  expect(sim.faultReport().halfClose).toEqual({ rate: null, injected: 1 });
});

test('refused connects: os.connect throws ECONNREFUSED', async () => {
  const r = await sim({ model: 'readiness', faults: { refuseRate: 1 } });
  const { port } = r.os.listen(0);
  expect(() => r.os.connect(port)).toThrow(expect.objectContaining({ code: 'ECONNREFUSED' }));
  expect(r.faultReport()!.refuse.injected).toBe(1);
});

test('interrupted waits are resumed with the time left: timeouts hold and events still come', async () => {
  for (const mechanism of ['epoll', 'poll'] as const) {
    const r = await sim({ model: 'readiness', mechanism, faults: { interruptRate: 0.5 } });
    const [a, b] = r.os.socketPair();
    r.add(a, 'a', EventType.READ);
    for (let i = 0; i < 20; i++) {
      const start = r.now();
      expect(r.wait(50)).toEqual([]);
      expect(r.now() - start).toBeGreaterThanOrEqual(50);
    }
    r.os.send(b, text('x'));
    expect(r.wait(50).map((e) => e.context)).toEqual(['a']);
    expect(r.faultReport()!.interrupt.injected).toBeGreaterThan(3);
  }
});

test('IOCP waits are never interrupted (the shim waits non-alertably, as on Windows): interruptRate injects nothing there', async () => {
  const r = await sim({ model: 'completion', mechanism: 'iocp', faults: { interruptRate: 1 } });
  const [a, b] = r.os.socketPair();
  r.add(a, 'a', EventType.READ);
  for (let i = 0; i < 5; i++) {
    const start = r.now();
    expect(r.wait(50)).toEqual([]);
    expect(r.now() - start).toBe(50);
  }
  r.os.send(b, text('x'));
  expect(r.wait(50).map((e) => [e.context, str(e.buffer)])).toEqual([['a', 'x']]);
  expect(r.faultReport()!.interrupt).toEqual({ rate: 1, injected: 0 });
});

test('aborted connections are skipped by accept; their clients see the reset', async () => {
  const r = await sim({ model: 'readiness', faults: { acceptAbortRate: 0.5 }, seed: 3 });
  const { fd: listener, port } = r.os.listen(0);
  const clients = Array.from({ length: 10 }, () => r.os.connect(port));
  r.wait(10);
  const accepted: number[] = [];
  for (let fd = r.os.accept(listener); fd !== null; fd = r.os.accept(listener)) accepted.push(fd);
  const aborted = r.faultReport()!.acceptAbort.injected;
  expect(aborted).toBeGreaterThan(0);
  expect(accepted.length + aborted).toBe(10);
  const resets = clients.filter((c) => {
    try {
      r.os.recv(c);
      return false;
    } catch (e) {
      return (e as ReactorError).code === 'ECONNRESET';
    }
  });
  expect(resets.length).toBe(aborted);
});

test('EMFILE at accept is transient: the app sees it, the connection stays pending, and a retry takes it', async () => {
  const { sim, r } = await scheduled([{ kind: 'emfile', occasion: 0 }]);
  const { fd: listener, port } = r.os.listen(0);
  r.os.connect(port);
  await sim.runUntilIdle(10);
  expect(() => r.os.accept(listener)).toThrow(
    expect.objectContaining({ code: 'EMFILE', message: expect.stringMatching(/out of file descriptors.*accept again/) }),
  );
  expect(r.os.accept(listener)).not.toBeNull();
  expect(sim.faultReport().emfile.injected).toBe(1);
});

test('ENOBUFS at connect is transient: os.connect throws it, and a retry connects', async () => {
  const { sim, r } = await scheduled([{ kind: 'enobufs', occasion: 0 }]);
  const { fd: listener, port } = r.os.listen(0);
  expect(() => r.os.connect(port)).toThrow(expect.objectContaining({ code: 'ENOBUFS' }));
  r.os.connect(port);
  await sim.runUntilIdle(10);
  expect(r.os.accept(listener)).not.toBeNull();
  expect(sim.faultReport().enobufs.injected).toBe(1);
});

// The core keeps several accepts posted on a listener: one fails, another takes the connection.
test.each([
  // a connect's socket is enobufs' occasion 0, so the first accept post is its occasion 1
  ['emfile', 0, 'EMFILE', 10024],
  ['enobufs', 1, 'ENOBUFS', 10055],
] as const)(
  'under IOCP, %s fails one posted accept (occasion %d) with ERROR %s and its WSA code %d; the connection is still accepted',
  async (kind, occasion, code, wsa) => {
    const sim = new Simulation({ faultSchedule: [{ kind, occasion }] });
    const r = adopt(await sim.host('solo').createReactor<string>({ model: 'completion', mechanism: 'iocp' }));
    const { fd: listener, port } = r.os.listen(0);
    r.add(listener, 'listener', EventType.READ);
    r.os.connect(port);
    const events = r.wait(100).map((e) => [e.context, e.type, e.error?.code, e.error?.osCode]);
    expect(events).toEqual([
      ['listener', EventType.ERROR, code, wsa],
      ['listener', EventType.ACCEPT, undefined, undefined],
    ]);
    expect(sim.faultReport()[kind].injected).toBe(1);
  },
);

describe.each(['epoll', 'iocp', 'io_uring'] as const)('determinism (completion over %s)', (mechanism) => {
  async function transcript(seed: number, faults: FaultRates): Promise<string> {
    const r = await sim({ model: 'completion', mechanism, seed, latencyMs: [1, 30], faults });
    const { fd: listener, port } = r.os.listen(0);
    r.add(listener, 'listener', EventType.READ);
    const clients = Array.from({ length: 4 }, () => r.os.connect(port));
    clients.forEach((c, i) => r.os.send(c, text(`msg ${i}`)));
    const events = waitRounds(r, (all) => all.filter((e) => e.context === 'conn').length >= 4, 100);
    for (const e of events) if (e.acceptedFd !== undefined) r.add(e.acceptedFd, 'conn', EventType.READ);
    const more = waitRounds(r, (all) => all.length >= 4, 100);
    return [...events, ...more].map((e) => `${e.context}:${e.type}:${str(e.buffer)}`).join('|') + ` @${r.now().toFixed(3)}`;
  }

  test('the same seed and faults give the same run, faults included', async () => {
    const faults = { partialWriteRate: 0.3, interruptRate: 0.3 };
    const run = await transcript(11, faults);
    expect(run.match(/conn:1:m/g)?.length).toBe(4); // every client got at least a prefix through
    expect(await transcript(11, faults)).toEqual(run);
  });

  test('turning on one fault kind does not reshuffle the network: interrupts leave the run unchanged', async () => {
    expect(await transcript(5, { interruptRate: 0.5 })).toEqual(await transcript(5, {}));
  });
});

test('bad fault settings are refused with EINVAL, and faults only apply to the simulation', async () => {
  await expect(Reactor.create({ backend: 'sim', faults: { resetRate: 2 } })).rejects.toThrow(/resetRate must be a probability from 0 to 1/);
  await expect(Reactor.create({ backend: 'sim', faults: { explodeRate: 0.1 } as FaultRates })).rejects.toThrow(/unknown explodeRate/);
  await expect(Reactor.create({ faults: { resetRate: 0.1 } })).rejects.toThrow(/only apply to backend: 'sim'/);
});
