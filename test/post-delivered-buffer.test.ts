// postWrite of a delivered event's buffer (an echo, a relay): the bytes are copied at the call, as
// from any other Uint8Array, though the core copies them within its own memory.
import { EventType, type IoEvent, type Reactor } from '../src/index.js';
import { COMPLETION_EVERYWHERE, reactor, destroyAll, receivedOver, text } from './helpers.js';
import { socketPair, closeTracked } from './contract.js';

afterEach(() => {
  destroyAll();
  closeTracked();
});

/** The first READ of `fd`'s, waiting up to 100 rounds of 10 ms. */
function readOf<C>(r: Reactor<C>, fd: number): IoEvent<C> {
  for (let i = 0; i < 100; i++) {
    const read = r.wait(10).find((e) => e.fd === fd && e.type === EventType.READ);
    if (read) return read;
  }
  throw new Error(`no READ for fd ${fd}`);
}

describe.each(COMPLETION_EVERYWHERE)('postWrite of a delivered buffer (completion over %s, %s)', (mechanism, backend) => {
  test('sends the bytes the buffer held at the call, whatever the app writes into it after', async () => {
    const r = await reactor<string>({ model: 'completion', mechanism, backend });
    const [a, peer] = socketPair(r);
    const [b, bPeer] = socketPair(r);
    r.add(a, 'a', EventType.READ);
    r.add(b, 'b', 0);
    r.wait(0);
    r.os.send(peer, text('relayed'));
    const read = readOf(r, a);
    read.buffer![0] = 'R'.charCodeAt(0);
    r.postWrite(b, read.buffer!);
    read.buffer!.fill('x'.charCodeAt(0));
    r.postWrite(a, read.buffer!);
    expect(receivedOver(r, bPeer, 10)).toBe('Relayed');
    expect(receivedOver(r, peer, 10)).toBe('xxxxxxx');
  });

  test('a part of a delivered buffer is sent as any other view', async () => {
    const r = await reactor<string>({ model: 'completion', mechanism, backend });
    const [a, peer] = socketPair(r);
    r.add(a, 'a', EventType.READ);
    r.wait(0);
    r.os.send(peer, text('head:tail'));
    const read = readOf(r, a);
    r.postWrite(a, read.buffer!.subarray(5));
    expect(receivedOver(r, peer, 10)).toBe('tail');
  });
});
