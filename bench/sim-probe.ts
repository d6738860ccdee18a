// One measurement of the simulation's speed, in a process of its own, over the build of the tree
// at `root` (this one, or a baseline checkout): so `npm run bench` prints before and after
// figures from the same run. Prints one JSON line.
//   node build/js/bench/sim-probe.js <root> events <connections> <roundTrips> <seed>
//   node build/js/bench/sim-probe.js <root> seed <clients> <seed>
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { TraceRecord, TraceSink } from '../src/trace/format.js';
import type * as Api from '../src/index.js';
import type * as Sim from '../src/sim/index.js';
import type * as Scenarios from '../src/sim/scenarios/index.js';
import type * as Config from '../src/sim/cli/config.js';

const [root, what, ...args] = process.argv.slice(2);
const load = <T>(path: string): Promise<T> => import(pathToFileURL(join(root, 'build/js', path)).href) as Promise<T>;
const { EventType } = await load<typeof Api>('src/index.js');
const { Simulation } = await load<typeof Sim>('src/sim/index.js');
const { scenarios } = await load<typeof Scenarios>('src/sim/scenarios/index.js');
const { DEFAULT_FAULTS, SWEEP_LATENCY_MS } = await load<typeof Config>('src/sim/cli/config.js');

const PING = new Uint8Array(16);

/** A trace sink that only counts delivered events: the measure, at almost no cost. */
class EventCounter implements TraceSink {
  events = 0;
  #reactors = 0;
  reactor(): number {
    return this.#reactors++;
  }
  record(record: TraceRecord): void {
    if (record.k === 'event') this.events++;
  }
}

/**
 * Steady state, set-up excluded: `connections` clients on one host ping-pong 16-byte messages
 * with an echo server on another for `roundTrips` round trips each, both in the readiness model.
 */
async function eventRate(connections: number, roundTrips: number, seed: number): Promise<{ events: number; seconds: number }> {
  const counter = new EventCounter();
  const sim = new Simulation({ seed, latencyMs: SWEEP_LATENCY_MS, faults: DEFAULT_FAULTS, trace: counter });
  const server = await sim.host('server').createReactor<string>({ model: 'readiness' });
  const client = await sim.host('client').createReactor<number>({ model: 'readiness' });
  const { fd: listener } = server.os.listen(7);
  server.add(listener, 'listener', EventType.READ);
  const left = new Map<number, number>();
  for (let i = 0; i < connections; i++) {
    const fd = client.os.connect(7, 'server');
    client.add(fd, i, EventType.READ);
    left.set(fd, roundTrips);
    client.os.send(fd, PING);
  }
  const serve = async (): Promise<void> => {
    while (left.size > 0) {
      for (const ev of await server.waitAsync(1000)) {
        if (ev.context === 'listener') {
          for (let fd = server.os.accept(listener); fd !== null; fd = server.os.accept(listener)) server.add(fd, 'conn', EventType.READ);
        } else {
          const data = server.os.recv(ev.fd);
          if (data && data.length) server.os.send(ev.fd, data);
        }
      }
    }
  };
  const ping = async (): Promise<void> => {
    while (left.size > 0) {
      for (const ev of await client.waitAsync(1000)) {
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
  const started = performance.now();
  const done = Promise.all([serve(), ping()]);
  await sim.runUntilIdle();
  await done;
  const seconds = (performance.now() - started) / 1000;
  server.destroy();
  client.destroy();
  return { events: counter.events, seconds };
}

/** One seed of the chat as a sweep runs it (digest included), and the process's peak memory. */
async function chatSeed(clients: number, seed: number): Promise<{ ok: boolean; seconds: number; peakRssMiB: number }> {
  const started = performance.now();
  const sim = new Simulation({ seed, latencyMs: SWEEP_LATENCY_MS, faults: DEFAULT_FAULTS, trace: true });
  const outcome = await scenarios.chat.run(sim, { size: clients });
  const { traceHash } = await load<typeof import('../src/trace/hash.js')>('src/trace/hash.js');
  traceHash(sim.trace());
  const seconds = (performance.now() - started) / 1000;
  return { ok: outcome.ok, seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
}

const n = args.map(Number);
const result = what === 'events' ? await eventRate(n[0], n[1], n[2]) : await chatSeed(n[0], n[1]);
process.stdout.write(`${JSON.stringify(result)}\n`);
