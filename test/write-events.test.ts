// Reactor.create's writeEvents: 'failures': a completion-model app that does not need to know when
// each write finished gets no WRITE event for one that succeeds, and still one for one that fails.
import { EventType, TraceRecorder, type IoEvent, type Reactor } from '../src/index.js';
import { replay } from '../src/trace/replay.js';
import { COMPLETION_EVERYWHERE, reactor, destroyAll, receivedOver, text, str, type Mechanism } from './helpers.js';
import { refusedAsync, socketPair, closeTracked, untrack } from './contract.js';

afterEach(() => {
  destroyAll();
  closeTracked();
});

/** Every event of `rounds` waits of 10 ms (virtual in simulation). */
function events<C>(r: Reactor<C>, rounds: number): IoEvent<C>[] {
  const all: IoEvent<C>[] = [];
  for (let i = 0; i < rounds; i++) all.push(...r.wait(10));
  return all;
}

describe.each(COMPLETION_EVERYWHERE)("writeEvents: 'failures' (completion over %s, %s)", (mechanism, backend) => {
  test('a write that succeeds arrives with no event, and its contexts come back', async () => {
    const r = await reactor<string>({ model: 'completion', mechanism, backend, writeEvents: 'failures', bufferSize: 16 });
    const [a, peer] = socketPair(r);
    r.add(a, 'a', 0);
    r.postWrite(a, text('one context'));
    r.postWrite(a, text('and one split over three'));
    expect(receivedOver(r, peer, 20)).toBe('one contextand one split over three');
    expect(events(r, 5)).toEqual([]);
    expect(r.stats()).toMatchObject({ poolInUse: 0, poolQueued: 0, readyQueued: 0 });
  });

  test('reads still report, each with its bytes', async () => {
    const r = await reactor<string>({ model: 'completion', mechanism, backend, writeEvents: 'failures' });
    const [a, peer] = socketPair(r);
    r.add(a, 'a', EventType.READ);
    r.wait(0);
    r.os.send(peer, text('ping'));
    const got = events(r, 20).map((e) => [e.context, e.type, str(e.buffer)]);
    expect(got).toEqual([['a', EventType.READ, 'ping']]);
  });

  test('a write that fails still reports, with its error', async () => {
    const r = await reactor<string>({ model: 'completion', mechanism, backend, writeEvents: 'failures' });
    const [a, peer] = socketPair(r);
    r.add(a, 'a', 0);
    r.os.close(peer);
    untrack(peer);
    r.postWrite(a, text('to nobody'));
    const got = events(r, 20);
    expect(got.map((e) => [e.context, (e.type & (EventType.ERROR | EventType.CLOSE)) !== 0, e.error !== undefined])).toEqual([
      ['a', true, true],
    ]);
    expect(r.stats().poolInUse).toBe(0);
  });
});

/**
 * A seeded simulated relay under faults: four socket pairs, each peer sending numbered messages that
 * the reactor's end echoes back (postWrite of the delivered buffer, then postRead), with sends taken
 * in part and connections reset. Returns every event as the app saw it.
 */
async function relayUnderFaults(mechanism: Mechanism, writeEvents: 'all' | 'failures'): Promise<unknown[]> {
  const r = await reactor<string>({
    backend: 'sim',
    seed: 11,
    model: 'completion',
    mechanism,
    writeEvents,
    faults: { partialWriteRate: 0.3, resetRate: 0.01 },
  });
  const ends = [r.os.socketPair(), r.os.socketPair(), r.os.socketPair(), r.os.socketPair()];
  ends.forEach(([end], i) => r.add(end, `end${i}`, EventType.READ));
  const seen: unknown[] = [];
  for (let round = 0; round < 60; round++) {
    for (const [, peer] of ends) {
      try {
        r.os.send(peer, text(`message ${round}`));
        r.os.recv(peer);
      } catch {
        // reset: the peer is done
      }
    }
    for (const e of r.wait(10)) {
      seen.push([e.context, e.type, e.bytesTransferred, e.error?.code ?? '', str(e.buffer)]);
      if (e.type === EventType.READ && e.buffer) {
        r.postWrite(e.fd, e.buffer);
        r.postRead(e.fd);
      }
    }
  }
  return seen;
}

describe.each(['epoll', 'io_uring', 'iocp'] as Mechanism[])("writeEvents 'failures' against 'all' (simulated %s)", (mechanism) => {
  test('a seeded run under faults delivers the same events, less the WRITEs of writes that succeeded', async () => {
    const all = await relayUnderFaults(mechanism, 'all');
    const failures = await relayUnderFaults(mechanism, 'failures');
    const succeeded = (e: unknown): boolean => (e as unknown[])[1] === EventType.WRITE && (e as unknown[])[3] === '';
    expect(all.filter(succeeded).length).toBeGreaterThan(10);
    expect(all.some((e) => (e as unknown[])[3] !== '')).toBe(true);
    expect(failures).toEqual(all.filter((e) => !succeeded(e)));
  });
});

describe('writeEvents', () => {
  test("'all' (the default) reports a write that succeeds with one WRITE", async () => {
    const r = await reactor<string>({ model: 'completion', mechanism: 'epoll' });
    const [a, peer] = socketPair(r);
    r.add(a, 'a', 0);
    r.postWrite(a, text('seen'));
    expect(events(r, 10).map((e) => [e.context, e.type, e.bytesTransferred])).toEqual([['a', EventType.WRITE, 4]]);
    expect(str(r.os.recv(peer))).toBe('seen');
  });

  test("a run with 'failures' replays from its trace to the same events, without the WRITE events", async () => {
    const recorder = new TraceRecorder({ seed: 3 });
    const r = await reactor<string>({ backend: 'sim', seed: 3, model: 'completion', writeEvents: 'failures', trace: recorder });
    const [a, peer] = r.os.socketPair();
    r.add(a, 'a', EventType.READ);
    r.add(peer, 'peer', EventType.READ);
    r.postWrite(peer, text('ping'));
    const live: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      for (const e of r.wait(10)) {
        live.push([e.context, e.type, e.bytesTransferred]);
        if (e.fd === a && e.buffer) r.postWrite(a, e.buffer);
      }
    }
    expect(live).toEqual([
      ['a', EventType.READ, 4],
      ['peer', EventType.READ, 4],
    ]);
    const trace = recorder.toJSON();
    expect(trace.reactors[0].writeEvents).toBe('failures');
    const [replayed] = await replay(JSON.parse(JSON.stringify(trace)));
    expect(replayed.events.map((e) => [e.context, e.type, e.bytesTransferred])).toEqual(live);
  });

  test("'failures' is refused in the readiness model, which has no posted writes", async () => {
    const error = await refusedAsync(() => reactor({ model: 'readiness', writeEvents: 'failures' }), 'EINVAL');
    expect(error.message).toMatch(/writeEvents 'failures' only applies to model 'completion'/);
  });
});
