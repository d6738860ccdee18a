// wakeup() on a destroyed reactor, the same natively and in simulation (README, Reactor): the
// method throws EDESTROYED like every other method, and wakeup(token) of the destroyed reactor
// returns false and wakes nothing, not even a reactor created after it.
import { EventType, type Reactor, wakeup } from '../src/index.js';
import { Simulation } from '../src/sim/index.js';
import { FULL_MATRIX, adopt, destroyAll, reactor, type Backend, type Mechanism, type Model } from './helpers.js';

afterEach(destroyAll);

async function create(model: Model, mechanism: Mechanism, backend: Backend): Promise<Reactor<string>> {
  if (backend === 'native') return reactor<string>({ model, mechanism });
  return adopt(await new Simulation({ seed: 1 }).host('h').createReactor<string>({ model, mechanism }));
}

describe.each(FULL_MATRIX)('%s over %s (%s)', (model, mechanism, backend) => {
  test('wakeup() after destroy throws EDESTROYED; wakeup(token) says false and wakes no later reactor', async () => {
    const r = await create(model, mechanism, backend);
    const token = r.wakeupToken;
    r.destroy();
    expect(() => r.wakeup()).toThrow(expect.objectContaining({ code: 'EDESTROYED', message: expect.stringMatching(/create a new one/) }));
    expect(wakeup(token)).toBe(false);

    const next = await create(model, mechanism, backend);
    const [a, b] = next.os.socketPair();
    next.add(a, 'a', EventType.READ);
    expect(wakeup(token)).toBe(false);
    expect(next.wait(0)).toEqual([]); // no wakeup landed on it, and nothing else happened
    next.os.close(a);
    next.os.close(b);
  });
});
