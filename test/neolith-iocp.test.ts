// Neolith's 4 IOCP tests (test_io_reactor_iocp.cpp), in the completion model on every mechanism:
// Windows IOCP semantics, checked on Linux through the emulated completion model and against the
// simulated completion port.
import { EventType } from '../src/index.js';
import { COMPLETION_MECHANISMS, SIM_IOCP, reactor, destroyAll, text, str, pair, closeNow, closeOwned } from './helpers.js';

afterEach(destroyAll);
afterEach(closeOwned);

const { READ, ERROR, CLOSE } = EventType;

const CASES = [
  ...COMPLETION_MECHANISMS.flatMap((m) => (['native', 'sim'] as const).map((b) => [m, b] as const)),
  [SIM_IOCP[1], SIM_IOCP[2]] as const,
];

describe.each(CASES)('Neolith IOCP tests, completion over %s (%s)', (mechanism, backend) => {
  const model = 'completion';

  test('a completed read carries its bytes in the event buffer', async () => {
    const r = await reactor<number>({ model, mechanism, backend });
    const [server, client] = pair(r);
    r.add(server, 0xbeef, READ);
    const data = 'IOCP test data';
    expect(r.os.send(client, text(data))).toBe(data.length);
    const events = r.wait(2000);
    expect(events.map((e) => [e.fd, e.type, e.context, e.bytesTransferred])).toEqual([[server, READ, 0xbeef, data.length]]);
    expect(str(events[0].buffer)).toBe(data);
  });

  test('a graceful close by the peer completes the pending read as CLOSE with 0 bytes', async () => {
    const r = await reactor<string>({ model, mechanism, backend });
    const [server, client] = pair(r);
    r.add(server, 'ctx', READ);
    closeNow(r, client);
    const events = r.wait(2000);
    expect(events.map((e) => [e.fd, e.type, e.context, e.bytesTransferred])).toEqual([[server, CLOSE, 'ctx', 0]]);
  });

  test.each([
    ['before the read reaches the OS', false],
    ['while the read is in flight', true],
  ])('remove right after add (%s): no event for the fd afterwards, and the pool comes back', async (_when, inFlight) => {
    const r = await reactor<string>({ model, mechanism, backend });
    const baseline = r.stats().poolInUse;
    const [server, client] = pair(r);
    r.add(server, 'ctx', READ);
    if (inFlight) expect(r.wait(0)).toEqual([]);
    expect(r.remove(server)).toBe(true);
    r.os.send(client, text('too late'));
    const events = [...r.wait(500), ...r.wait(100)];
    // Neolith allowed a cancelled read to surface as CLOSE or ERROR; the contract allows nothing.
    expect(events.every((e) => (e.type & (CLOSE | ERROR)) !== 0)).toBe(true);
    expect(events.filter((e) => e.fd === server)).toEqual([]);
    expect(r.stats().poolInUse).toBe(baseline);
  });

  test('two reads in a row on one socket: the second message waits for postRead, then arrives intact', async () => {
    const r = await reactor<string>({ model, mechanism, backend });
    const [server, client] = pair(r);
    r.add(server, 'ctx', READ);
    r.os.send(client, text('first'));
    const first = r.wait(1000);
    expect(first.map((e) => [e.type, e.bytesTransferred, str(e.buffer)])).toEqual([[READ, 5, 'first']]);
    r.os.send(client, text('second'));
    expect(r.wait(100)).toEqual([]);
    r.postRead(server);
    const second = r.wait(1000);
    expect(second.map((e) => [e.fd, e.type, e.context, e.bytesTransferred, str(e.buffer)])).toEqual([[server, READ, 'ctx', 6, 'second']]);
  });
});
