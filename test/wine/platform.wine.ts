// What Windows offers natively: completion over IOCP by default; readiness, epoll and poll are
// refused with a message that says what to use instead.
import assert from 'node:assert/strict';
import { describe, test, afterEach } from 'node:test';
import { Reactor } from '../../src/index.js';
import { reactor, destroyAll, refusal } from './support.js';

describe('Windows defaults and refusals', () => {
  afterEach(destroyAll);

  test('Reactor.create() with no options is completion over iocp', async () => {
    const r = await reactor({});
    assert.deepEqual([r.model, r.mechanism, r.backend], ['completion', 'iocp', 'native']);
  });

  test('the readiness model is refused with EINVAL, pointing to completion or the simulation', async () => {
    await assert.rejects(Reactor.create({ model: 'readiness' }), refusal('EINVAL', /model: 'completion'.*backend: 'sim'/));
  });

  test('epoll and poll are refused natively with EINVAL, pointing to iocp', async () => {
    for (const mechanism of ['epoll', 'poll'] as const) {
      await assert.rejects(Reactor.create({ model: 'completion', mechanism }), refusal('EINVAL', /use 'iocp'/));
    }
  });

  test('the simulation still runs readiness over epoll on Windows', async () => {
    const r = await reactor({ backend: 'sim', model: 'readiness', mechanism: 'epoll' });
    assert.deepEqual([r.model, r.mechanism, r.backend], ['readiness', 'epoll', 'sim']);
  });
});
