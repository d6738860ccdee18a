// Record and replay: a run recorded with `trace` (native, on real loopback sockets, or simulated)
// replays offline through a fresh core, with no sockets, and delivers the same events.
import { EventType, TraceRecorder, type IoEvent, type Reactor, type ResultRecord } from '../src/index.js';
import { replay } from '../src/trace/replay.js';
import { reactor, destroyAll, closeOwned, own, text, str, refusal } from './helpers.js';
import { tracedEchoRun } from './trace-run.js';

afterEach(() => {
  destroyAll();
  closeOwned();
});

/** What an app sees of an event, buffer contents included. */
const seen = (e: IoEvent<unknown>) => ({
  fd: e.fd,
  context: e.context,
  type: e.type,
  bytes: e.bytesTransferred,
  buffer: e.buffer ? str(e.buffer) : null,
  acceptedFd: e.acceptedFd,
  error: e.error,
});

/** Echo over loopback: a client connects, sends three messages, reads the echoes, half-closes. */
function echoSession(r: Reactor<string>): IoEvent<string>[] {
  const { fd: listener, port } = r.os.listen(0);
  own(r, listener);
  r.add(listener, 'listener', EventType.READ);
  const [client] = own(r, r.os.connect(port, '127.0.0.1'));
  const all: IoEvent<string>[] = [];
  let server = -1;
  const serve = (e: IoEvent<string>): void => {
    all.push({ ...e, buffer: e.buffer ? e.buffer.slice() : null });
    if (e.type & EventType.ACCEPT) [server] = own(r, e.acceptedFd!);
    else if (e.context === 'listener') [server] = own(r, r.os.accept(listener)!);
    else if (r.model === 'completion' && e.type & EventType.READ && e.bytesTransferred > 0) {
      r.postWrite(e.fd, e.buffer!);
      r.postRead(e.fd);
    } else if (r.model === 'readiness' && e.type & EventType.READ) {
      const data = r.os.recv(e.fd);
      if (data && data.length > 0) r.os.send(e.fd, data);
    }
    if (e.context === 'listener') r.add(server, 'server', EventType.READ);
  };
  /** Serves events until `done` holds (2 s at most). */
  const pump = (done: () => boolean): void => {
    const end = Date.now() + 2000;
    while (!done() && Date.now() < end) for (const e of r.wait(20)) serve(e);
  };
  pump(() => server >= 0);
  for (const message of ['one', 'two', 'three']) {
    const before = all.length;
    r.os.send(client, text(message));
    pump(() => all.slice(before).some((e) => e.fd === server && e.type & EventType.READ));
    // The client reads its echo here, so that every wait's events are the session's.
    let echoed = '';
    pump(() => (echoed += str(r.os.recv(client))) === message);
    expect(echoed).toBe(message);
  }
  r.os.shutdown(client);
  const before = all.length;
  pump(() => all.slice(before).some((e) => e.fd === server));
  return all;
}

describe.each(['completion', 'readiness'] as const)('native %s run on loopback', (model) => {
  test('replays offline to the same events, buffers and codes', async () => {
    const recorder = new TraceRecorder();
    const r = await reactor<string>({ model, trace: recorder });
    const live = echoSession(r).map(seen);
    expect(live.length).toBeGreaterThan(4);
    const trace = recorder.toJSON();
    if (model === 'completion') {
      const data = trace.records.filter((x): x is ResultRecord => x.k === 'result' && x.data !== undefined);
      expect(data.length).toBeGreaterThanOrEqual(3);
    }
    r.destroy();
    closeOwned();
    const [replayed] = await replay(JSON.parse(JSON.stringify(trace)));
    expect(replayed.events.map(seen)).toEqual(live);
  });
});

test('a simulated run with waitAsync on four hosts replays to the same events', async () => {
  const trace = await tracedEchoRun(2);
  const replayed = await replay(trace);
  expect(replayed.map((x) => x.r)).toEqual([0, 1, 2, 3]);
  for (const { r, events } of replayed) {
    const recorded = trace.records.filter((x) => x.k === 'event' && x.r === r);
    expect(events.map((e) => [e.fd, e.type, e.bytesTransferred, e.error?.code ?? null])).toEqual(
      recorded.map((x) => x.k === 'event' && [x.fd, x.type, x.bytes, x.code]),
    );
  }
  // The faults of this seed reset connections: codes are replayed too.
  expect(replayed.flatMap((x) => x.events).some((e) => e.error?.code === 'ECONNRESET')).toBe(true);
  expect(replayed[1].events.some((e) => e.buffer && str(e.buffer).startsWith('client'))).toBe(true);
});

test('a simulated IOCP run with partial writes, resets and a remove replays to the same events and codes', async () => {
  const recorder = new TraceRecorder({ seed: 1 });
  const r = await reactor<string>({
    backend: 'sim',
    seed: 1,
    model: 'completion',
    mechanism: 'iocp',
    trace: recorder,
    faults: { partialWriteRate: 0.5, resetRate: 0.2 },
  });
  const [a, b] = r.os.socketPair();
  const [c, d] = r.os.socketPair();
  r.add(a, 'a', EventType.READ);
  r.add(b, 'b', EventType.READ);
  r.add(c, 'c', EventType.READ);
  r.postWrite(b, new Uint8Array(5000).fill(3));
  const seen = (e: IoEvent<string>) => [e.fd, e.context, e.type, e.bytesTransferred, e.error?.code ?? null, e.error?.osCode ?? 0];
  const live: unknown[] = [];
  for (let i = 0; i < 20; i++) {
    for (const e of r.wait(10)) {
      live.push(seen(e));
      if (e.fd === a && e.type & EventType.READ && e.bytesTransferred > 0) r.postRead(a);
    }
  }
  r.remove(a);
  r.os.close(d);
  for (let i = 0; i < 3; i++) live.push(...r.wait(10).map(seen));
  const trace = recorder.toJSON();
  // An IOCP core reads OS codes as Win32 ones: the replay's core must read them the same way.
  expect(trace.records.some((x) => x.k === 'result' && x.osCode !== 0)).toBe(true);
  expect(live.some((e) => (e as unknown[])[4] !== null)).toBe(true);
  const [replayed] = await replay(JSON.parse(JSON.stringify(trace)));
  expect(replayed.events.map(seen)).toEqual(live);
});

test('a trace that does not match the core is refused as a divergence', async () => {
  const recorder = new TraceRecorder();
  const r = await reactor<string>({ backend: 'sim', model: 'completion', trace: recorder });
  const [a, b] = r.os.socketPair();
  r.add(a, 'a', EventType.READ);
  r.os.send(b, text('hello'));
  r.wait(10);
  const trace = recorder.toJSON();
  const result = trace.records.find((x): x is ResultRecord => x.k === 'result')!;
  result.value = 4;
  await expect(replay(trace)).rejects.toThrow(refusal('EREPLAY', /diverged/));
  result.value = 5;
  await expect(replay(trace)).resolves.toEqual([expect.objectContaining({ r: 0 })]);
  const request = trace.records.find((x) => x.k === 'request')!;
  if (request.k === 'request') request.mask = 3;
  await expect(replay(trace)).rejects.toThrow(refusal('EREPLAY', /requests/));
});

test('a reactor whose creation failed is in the trace with nothing to replay', async () => {
  const recorder = new TraceRecorder();
  await expect(reactor({ backend: 'sim', poolSize: 65536, bufferSize: 65536, trace: recorder })).rejects.toThrow(
    refusal('EINVAL', /2 GiB/),
  );
  const r = await reactor({ backend: 'sim', trace: recorder });
  r.wait(0);
  expect(recorder.reactors.map((x) => x.r)).toEqual([0, 1]);
  expect((await replay(recorder.toJSON())).map((x) => [x.r, x.events.length])).toEqual([
    [0, 0],
    [1, 0],
  ]);
});

test('replay refuses what is not a whole trace', async () => {
  await expect(replay({} as never)).rejects.toThrow(refusal('EINVAL', /TraceRecorder/));
  const partial = new TraceRecorder({ capacity: 1 });
  partial.record({ k: 'fault', t: 0, r: -1, fault: 'reset' });
  partial.record({ k: 'fault', t: 1, r: -1, fault: 'reset' });
  await expect(replay(partial.toJSON())).rejects.toThrow(refusal('EINVAL', /capacity/));
  await expect(replay(new TraceRecorder().toJSON(), 3)).rejects.toThrow(refusal('EINVAL', /no reactor 3/));
});
