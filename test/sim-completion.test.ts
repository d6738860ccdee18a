// What the simulated completion mechanisms share: IOCP (native/win/iocp.c) and io_uring
// (native/unix/io_uring.c), each under its shim built by emscripten, meet the same faults alike.
import { EventType, type ReactorOptions } from '../src/index.js';
import { reactor, destroyAll, summary, waitRounds, text, str } from './helpers.js';

const { READ, WRITE, CLOSE } = EventType;

afterEach(destroyAll);

describe.each([
  { mechanism: 'iocp', reset: 'ERROR_NETNAME_DELETED (64)', resetCode: 64, raced: 'its zero-byte receive takes none' },
  {
    mechanism: 'io_uring',
    reset: '-ECONNRESET (104)',
    resetCode: 104,
    raced: 'its poll may still report the data, yet nothing reads it',
  },
] as const)('$mechanism in simulation', ({ mechanism, resetCode, raced }) => {
  const open = (options: Omit<ReactorOptions, 'model' | 'mechanism' | 'backend'>) =>
    reactor<string>({ model: 'completion', mechanism, backend: 'sim', ...options });

  test('a send the kernel takes only in part is continued by the shim: the bytes arrive whole, with one WRITE', async () => {
    // A shim that reported a short completion as the whole send would lose the rest here.
    const r = await open({ faults: { partialWriteRate: 1 } });
    const [a, b] = r.os.socketPair();
    r.add(a, 'writer', 0);
    const data = new Uint8Array(10_000).map((_, i) => i % 251);
    r.postWrite(a, data);
    const received: Uint8Array[] = [];
    const drain = (): void => {
      for (let chunk = r.os.recv(b); chunk?.length; chunk = r.os.recv(b)) received.push(chunk);
    };
    const writes = waitRounds(r, (all) => {
      drain();
      return all.length > 0;
    });
    drain();
    expect(summary(writes)).toEqual([['writer', WRITE, 10_000, undefined]]);
    expect(Buffer.concat(received).equals(Buffer.from(data))).toBe(true);
    expect(r.faultReport()!.partialWrite.injected).toBeGreaterThan(1);
  });

  test('a reset completes the pending read with $reset: CLOSE, ECONNRESET', async () => {
    const r = await open({ faults: { resetRate: 1 } });
    const [a, b] = r.os.socketPair();
    r.add(a, 'reader', READ);
    expect(r.wait(0)).toEqual([]);
    r.os.send(b, text('never arrives'));
    const events = r.wait(100);
    expect(summary(events)).toEqual([['reader', CLOSE, 0, resetCode]]);
    expect(events[0].error?.code).toBe('ECONNRESET');
  });

  test.each([
    ['lands at once', 0],
    ['loses the race (cancelRace)', 1],
  ] as const)(
    `a cancel that %s: a read removed in the same batch as a write to its socket leaves its bytes (${raced}); no event for it, and the pool returns`,
    async (_what, cancelRaceRate) => {
      const r = await open({ faults: { cancelRaceRate } });
      const [a, b] = r.os.socketPair();
      r.add(a, 'reader', READ);
      r.add(b, 'writer', 0);
      expect(r.wait(0)).toEqual([]);
      r.remove(a);
      r.postWrite(b, text('raced')); // both reach the shim in the next wait's batch
      expect(summary(r.wait(0))).toEqual([['writer', WRITE, 5, undefined]]);
      expect(str(r.os.recv(a))).toBe('raced');
      expect(r.stats().poolInUse).toBe(0);
      expect(r.faultReport()!.cancelRace.injected).toBe(cancelRaceRate);
    },
  );
});
