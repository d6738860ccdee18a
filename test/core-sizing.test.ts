// A core's memory is sized by what its reactor is configured for: the request queue's room for
// add/modify/remove grows with maxSockets (up to the production default's), so a small reactor,
// such as each host of a 1000-host simulation, takes a small core, and its full queue is still
// flushed between waits, or refused with EBUSY while a waitAsync is pending.
import { EventType, ReactorError } from '../src/index.js';
import { takeCore, releaseCore } from '../src/sim/core-pool.js';
import { MATRIX, reactor, destroyAll, text, str } from './helpers.js';
import { socketPair, closeTracked } from './contract.js';

afterEach(() => {
  destroyAll();
  closeTracked();
});

const WASM_PAGE_BYTES = 65536;
/** What a chat client of the simulation asks for (src/sim/scenarios/chat.ts). */
const SMALL = { poolSize: 16, bufferSize: 2048, maxSockets: 8 };

test('a reactor of 16 contexts and 8 sockets takes a core of one 64 KiB page, not the 9 a fixed request slack took', async () => {
  const core = await takeCore(SMALL);
  expect(core).not.toBeNull();
  expect(core!.memory.buffer.byteLength).toBe(WASM_PAGE_BYTES);
  releaseCore(core!);
});

describe.each(MATRIX)('%s over %s, maxSockets 8', (model, mechanism) => {
  test('add/remove piling up between waits past the small request queue is flushed, and the fd still delivers', async () => {
    const r = await reactor<string>({ model, mechanism, ...SMALL });
    const [a, peer] = socketPair(r);
    for (let i = 0; i < 500; i++) {
      r.add(a, 'churn', EventType.READ);
      r.remove(a);
    }
    r.add(a, 'a', EventType.READ);
    r.os.send(peer, text('still here'));
    const events = r.wait(1000);
    expect(events.map((e) => e.context)).toEqual(['a']);
    expect(model === 'completion' ? str(events[0].buffer) : str(r.os.recv(a))).toBe('still here');
    expect(r.stats().registered).toBe(1);
  });

  test('during a waitAsync the small queue fills after about 8 requests per socket and refuses with EBUSY; after awaiting, the same call works', async () => {
    const r = await reactor<string>({ model, mechanism, ...SMALL });
    const [a, peer] = socketPair(r);
    const pending = r.waitAsync(5000);
    let calls = 0;
    let busy: unknown;
    let before = r.stats();
    for (; calls < 4096; calls++) {
      before = r.stats();
      try {
        if (calls % 2 === 0) r.add(a, 'pile', EventType.READ);
        else r.remove(a);
      } catch (e) {
        busy = e;
        break;
      }
    }
    expect(busy).toBeInstanceOf(ReactorError);
    expect((busy as ReactorError).code).toBe('EBUSY');
    expect((busy as ReactorError).message).toMatch(/await it, then retry/);
    expect(r.stats()).toEqual(before);
    // Room for 8 per socket beyond the pool's 2 per context, not the 4096 of a large reactor.
    expect(calls).toBeGreaterThanOrEqual(8 * SMALL.maxSockets);
    expect(calls).toBeLessThanOrEqual(8 * SMALL.maxSockets + 2 * SMALL.poolSize);
    await pending;
    if (calls % 2 === 0) r.add(a, 'pile', EventType.READ);
    else r.remove(a);
    if (r.stats().registered === 0) r.add(a, 'a', EventType.READ);
    r.os.send(peer, text('after'));
    const events = r.wait(1000);
    expect(events.map((e) => e.fd)).toEqual([a]);
  });
});
