// A completion listener whose posted accepts failed gets another posted: the sweep found the echo
// server over IOCP deaf for good after its AcceptEx sockets failed with ENOBUFS and EMFILE (seed
// 814 of echo, completion/iocp, every fault kind but crash): a client that reconnected later
// waited 600 virtual seconds. The scenarios' acceptFrom now posts the accept again.
import { test, expect } from '@jest/globals';
import { EventType } from '../src/index.js';
import { Simulation } from '../src/sim/index.js';
import { acceptFrom } from '../src/sim/scenarios/programs.js';

// ENOBUFS strikes an AcceptEx's socket under IOCP only (elsewhere the first connect's).
test.each([
  ['iocp', 'enobufs'],
  ['iocp', 'emfile'],
  ['io_uring', 'emfile'],
  ['epoll', 'emfile'],
] as const)(
  'after its only posted accept failed, the listener still accepts (completion over %s, seed 1, %s@0)',
  async (mechanism, kind) => {
    const sim = new Simulation({ seed: 1, latencyMs: [1, 5], faultSchedule: [{ kind, occasion: 0 }] });
    // A pool of 16 keeps one accept posted.
    const server = await sim.host('server').createReactor<null>({ model: 'completion', mechanism, poolSize: 16 });
    const client = await sim.host('client').createReactor({ model: 'readiness' });
    const { fd: listener } = server.os.listen(80);
    server.add(listener, null, EventType.READ);
    const accepted: number[] = [];
    const serve = async (): Promise<void> => {
      while (accepted.length < 2) for (const ev of await server.waitAsync(100)) acceptFrom(server, listener, ev, (fd) => accepted.push(fd));
    };
    const serving = serve();
    client.os.connect(80, 'server');
    await sim.runUntilIdle(sim.now + 500);
    client.os.connect(80, 'server');
    await sim.runUntilIdle(sim.now + 500);
    expect({ kind, accepted: accepted.length }).toEqual({ kind, accepted: 2 });
    await serving;
    expect(sim.faultInjections()).toEqual([{ kind, occasion: 0 }]);
    server.destroy();
    client.destroy();
    await sim.runUntilIdle();
  },
);
