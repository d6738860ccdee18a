// A small traced simulation for the trace tests and their fresh-process fixture: a readiness echo
// server and three completion clients over a lossy network, recorded by the Simulation.
import { EventType, type Reactor, type Trace } from '../src/index.js';
import { Simulation } from '../src/sim/index.js';

const PORT = 7000;
export const FAULTS = { partialWriteRate: 0.3, resetRate: 0.02, interruptRate: 0.1 };

async function echoServer(r: Reactor<string>, stop: () => boolean): Promise<void> {
  const { fd: listener } = r.os.listen(PORT);
  r.add(listener, 'listener', EventType.READ);
  while (!stop()) {
    for (const e of await r.waitAsync(1000)) {
      if (e.context === 'listener') {
        for (let fd = r.os.accept(listener); fd !== null; fd = r.os.accept(listener)) r.add(fd, `conn ${fd}`, EventType.READ);
        continue;
      }
      const data = e.type & EventType.ERROR ? new Uint8Array(0) : r.os.recv(e.fd);
      if (data === null) continue;
      if (data.length === 0) {
        r.os.close(e.fd);
        continue;
      }
      // An echo may go out in part under partial-write faults; the client only counts bytes.
      try {
        r.os.send(e.fd, data);
      } catch {
        r.os.close(e.fd);
      }
    }
  }
}

async function client(r: Reactor<string>, name: string, messages: number): Promise<void> {
  const fd = r.os.connect(PORT, 'server');
  r.add(fd, name, EventType.READ);
  for (let i = 0; i < messages; i++) {
    r.postWrite(fd, new TextEncoder().encode(`${name} says ${i}`));
    let got = 0;
    while (got === 0) {
      for (const e of await r.waitAsync(2000)) {
        if (e.type & (EventType.CLOSE | EventType.ERROR)) {
          r.os.close(fd);
          return;
        }
        if (e.type & EventType.READ) {
          got += e.bytesTransferred;
          r.postRead(fd);
        }
      }
      if (r.now() > 60_000) {
        r.os.close(fd);
        return;
      }
    }
  }
  r.os.close(fd);
}

/** Runs the echo simulation of `seed` and returns its trace. */
export async function tracedEchoRun(seed: number): Promise<Trace> {
  const sim = new Simulation({ seed, latencyMs: [1, 20], faults: FAULTS, trace: true });
  await runEcho(sim);
  return sim.trace();
}

/** Runs the echo programs on `sim` (hosts server, a, b, c) until they end. */
export async function runEcho(sim: Simulation, messages = 4): Promise<void> {
  const server = await sim.host('server').createReactor<string>({ model: 'readiness' });
  const clients = await Promise.all(['a', 'b', 'c'].map((h) => sim.host(h).createReactor<string>({ model: 'completion' })));
  let done = false;
  const serving = echoServer(server, () => done);
  const talking = Promise.all(clients.map((c, i) => client(c, `client ${i}`, messages))).finally(() => {
    done = true;
  });
  try {
    // All at once: whichever fails first (an app, or the oracle's check) is the run's failure.
    await Promise.all([sim.runUntilIdle(), talking, serving]);
  } finally {
    for (const r of [server, ...clients]) r.destroy();
  }
}
