// A connection its peer resets, seen the same on the real OS and in simulation, as Linux shows
// it: the bytes queued before the RST are still read, then the error comes once (to whichever of
// recv, send or the event's SO_ERROR asks first), then end of stream; sends then fail with EPIPE.
import { EventType, type IoEvent, type Reactor } from '../src/index.js';
import { FULL_MATRIX, reactor, destroyAll, own, closeNow, closeOwned, waitUntil, text, str } from './helpers.js';

afterEach(() => {
  destroyAll();
  closeOwned();
});

/** Lets the kernel (real or simulated, nothing registered yet) deliver what is on its way. */
const SETTLE_MS = 50;

/**
 * A loopback connection whose far end was closed with bytes it never read, which makes Linux
 * reset it (as a close with SO_LINGER 0 does); 'hello' was sent to the returned end before, and
 * with `finFirst` the far end's FIN too.
 */
function resetWithHelloQueued(r: Reactor<string>, finFirst = false): number {
  const { fd: listener, port } = r.os.listen(0);
  const [reader] = own(r, r.os.connect(port));
  r.wait(SETTLE_MS);
  const [closer] = own(r, r.os.accept(listener)!);
  closeNow(r, listener);
  r.os.send(reader, text('never read'));
  r.os.send(closer, text('hello'));
  if (finFirst) r.os.shutdown(closer);
  r.wait(SETTLE_MS);
  closeNow(r, closer);
  r.wait(SETTLE_MS);
  return reader;
}

/** What each call gives, as a word: the text read, 'EOF', or the error code thrown. */
function outcome(call: () => Uint8Array | number | null): string {
  try {
    const r = call();
    if (typeof r === 'number') return `sent ${r}`;
    if (r === null) return 'EAGAIN';
    return r.length === 0 ? 'EOF' : str(r);
  } catch (e) {
    return (e as { code: string }).code;
  }
}

const shown = (events: IoEvent<string>[]) => events.map((e) => [e.context, str(e.buffer), e.error?.code]);

describe.each(FULL_MATRIX)('a reset connection (%s over %s, %s)', (model, mechanism, backend) => {
  test('recv gives the bytes queued before the reset, then ECONNRESET once, then end of stream; a send then fails with EPIPE', async () => {
    const r = await reactor<string>({ model, mechanism, backend });
    const fd = resetWithHelloQueued(r);
    const recv = () => outcome(() => r.os.recv(fd));
    const send = () => outcome(() => r.os.send(fd, text('y')));
    expect([recv(), recv(), recv(), recv(), send(), send()]).toEqual(['hello', 'ECONNRESET', 'EOF', 'EOF', 'EPIPE', 'EPIPE']);
  });

  test('a send that meets the reset first takes its error (ECONNRESET once, then EPIPE); recv then gives the bytes and end of stream', async () => {
    const r = await reactor<string>({ model, mechanism, backend });
    const fd = resetWithHelloQueued(r);
    const recv = () => outcome(() => r.os.recv(fd));
    const send = () => outcome(() => r.os.send(fd, text('y')));
    expect([send(), send(), recv(), recv()]).toEqual(['ECONNRESET', 'EPIPE', 'hello', 'EOF']);
  });

  test('watched, the reset reaches the app once, with its code, after the bytes queued before it', async () => {
    const r = await reactor<string>({ model, mechanism, backend });
    const fd = resetWithHelloQueued(r);
    r.add(fd, 'reader', EventType.READ);
    if (model === 'readiness') {
      // The event reads the socket's error (SO_ERROR), which clears it: recv then meets no error.
      const [event] = waitUntil(r, (all) => all.length > 0);
      expect([event.context, event.type & EventType.ERROR, event.error?.code]).toEqual(['reader', EventType.ERROR, 'ECONNRESET']);
      expect([outcome(() => r.os.recv(fd)), outcome(() => r.os.recv(fd))]).toEqual(['hello', 'EOF']);
    } else {
      const read = waitUntil(r, (all) => all.length > 0);
      expect(shown(read)).toEqual([['reader', 'hello', undefined]]);
      r.postRead(fd);
      const closed = waitUntil(r, (all) => all.length > 0);
      expect(shown(closed)).toEqual([['reader', '', 'ECONNRESET']]);
      expect(closed[0].type).toBe(EventType.CLOSE);
    }
  });

  test("after the peer's FIN, a reset ends reads at once (end of stream) and its error is EPIPE", async () => {
    const r = await reactor<string>({ model, mechanism, backend });
    const fd = resetWithHelloQueued(r, true);
    r.add(fd, 'reader', EventType.READ);
    if (model === 'readiness') {
      const [event] = waitUntil(r, (all) => all.length > 0);
      expect([event.context, event.error?.code]).toEqual(['reader', 'EPIPE']);
      expect([outcome(() => r.os.recv(fd)), outcome(() => r.os.recv(fd))]).toEqual(['hello', 'EOF']);
    } else {
      expect(shown(waitUntil(r, (all) => all.length > 0))).toEqual([['reader', 'hello', undefined]]);
      r.postRead(fd);
      const closed = waitUntil(r, (all) => all.length > 0);
      expect([closed.map((e) => e.type), shown(closed)]).toEqual([[EventType.CLOSE], [['reader', '', undefined]]]);
    }
  });
});
