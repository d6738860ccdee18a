// The two-host ping-pong the simulator's events/s figure runs (bench/sim-probe.ts) and the
// delivery window's test checks (test/sim-delivery-window.test.ts): one program, so the test
// checks what the bench measures. It takes the simulation and EventType from the caller, because
// the bench loads them from the tree it measures.
import type * as Api from '../src/index.js';
import type { Simulation } from '../src/sim/index.js';

const PING = new Uint8Array(16);

export interface PingPong {
  connections: number;
  /** Round trips each connection makes. */
  roundTrips: number;
  /** Called at every wake of either program with the number of events its wait returned. */
  onWake(events: number): void;
}

/**
 * A client on host 'client' ping-pongs 16-byte messages with an echo server on host 'server', both
 * in the readiness model, while `run` runs the simulation. Returns the round trips left undone:
 * 0 when both programs finished (their reactors then destroyed), else the programs still wait.
 */
export async function pingPong(
  sim: Simulation,
  eventType: typeof Api.EventType,
  o: PingPong,
  run: () => Promise<unknown>,
): Promise<number> {
  const server = await sim.host('server').createReactor<string>({ model: 'readiness' });
  const client = await sim.host('client').createReactor<number>({ model: 'readiness' });
  const { fd: listener } = server.os.listen(7);
  server.add(listener, 'listener', eventType.READ);
  const left = new Map<number, number>();
  for (let i = 0; i < o.connections; i++) {
    const fd = client.os.connect(7, 'server');
    client.add(fd, i, eventType.READ);
    left.set(fd, o.roundTrips);
    client.os.send(fd, PING);
  }
  const serve = async (): Promise<void> => {
    while (left.size > 0) {
      const events = await server.waitAsync(1000);
      o.onWake(events.length);
      for (const ev of events) {
        if (ev.context === 'listener') {
          for (let fd = server.os.accept(listener); fd !== null; fd = server.os.accept(listener)) server.add(fd, 'conn', eventType.READ);
        } else {
          const data = server.os.recv(ev.fd);
          if (data?.length) server.os.send(ev.fd, data);
        }
      }
    }
  };
  const ping = async (): Promise<void> => {
    while (left.size > 0) {
      const events = await client.waitAsync(1000);
      o.onWake(events.length);
      for (const ev of events) {
        if (!client.os.recv(ev.fd)) continue;
        const n = left.get(ev.fd)! - 1;
        if (n === 0) left.delete(ev.fd);
        else {
          left.set(ev.fd, n);
          client.os.send(ev.fd, PING);
        }
      }
    }
  };
  const done = Promise.all([serve(), ping()]);
  await run();
  if (left.size > 0) return [...left.values()].reduce((a, b) => a + b, 0);
  await done;
  server.destroy();
  client.destroy();
  return 0;
}
