// The simulation's speed: events the simulated reactors deliver per second of wall time (one
// thread), and seeds per minute of a 1000-client chat sweep on every core, as `io-reactor sim`
// runs it (each seed twice, for the determinism check).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { EventType } from '../src/index.js';
import { Simulation } from '../src/sim/index.js';
import { DEFAULT_FAULTS, SWEEP_LATENCY_MS } from '../src/sim/cli/config.js';
import type { TraceRecord, TraceSink } from '../src/trace/format.js';
import { median } from './stats.js';

const PING = new Uint8Array(16);
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

export interface SimRateOptions {
  repeats: number;
  /** Connections of the ping-pong whose events are counted, and round trips on each. */
  eventConnections: number;
  roundTrips: number;
  /** Clients of the swept chat (the issue asks for 1000). */
  sweepClients: number;
  /** Seeds per timed sweep; a multiple of the workers keeps every core busy. */
  sweepSeeds: number;
}

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

function sweepSeconds(options: SimRateOptions, from: number): Promise<number> {
  const args = [CLI, 'sim', 'chat', '--size', String(options.sweepClients), '--seeds', String(options.sweepSeeds), '--from', String(from), '--json'];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 1 << 24 }, (error, stdout) => {
      if (error) reject(new Error(`io-reactor sim failed: ${error.message}\n${stdout}`));
      else resolve((performance.now() - started) / 1000);
    });
  });
}

export async function simRate(options: SimRateOptions): Promise<void> {
  console.log(`== Simulation: events delivered by simulated reactors per second of wall time (two hosts, ${options.eventConnections} connections`);
  console.log(`   ping-ponging 16 bytes ${options.roundTrips} times each, readiness, a sweep's default faults and latency; set-up excluded),`);
  console.log(`   and seeds per minute of \`io-reactor sim chat --size ${options.sweepClients}\``);
  console.log(`   (${options.sweepSeeds} seeds per sweep on ${availableParallelism()} worker threads, each seed run twice); median of ${options.repeats} runs`);
  const rates: number[] = [];
  for (let i = 0; i < options.repeats; i++) {
    const { events, seconds } = await eventRate(options.eventConnections, options.roundTrips, i + 1);
    rates.push(events / seconds);
    process.stderr.write(`[bench] sim events run ${i + 1}/${options.repeats}: ${events} events in ${seconds.toFixed(2)} s\n`);
  }
  const perMinute: number[] = [];
  for (let i = 0; i < options.repeats; i++) {
    const seconds = await sweepSeconds(options, 1 + i * options.sweepSeeds);
    perMinute.push((options.sweepSeeds / seconds) * 60);
    process.stderr.write(`[bench] sim sweep run ${i + 1}/${options.repeats}: ${options.sweepSeeds} seeds in ${seconds.toFixed(1)} s\n`);
  }
  const fmt = (n: number, digits: number): string => n.toLocaleString('en-US', { maximumFractionDigits: digits });
  console.log('');
  console.log(`simulated events/s: ${fmt(median(rates), 0)} (runs: ${rates.map((r) => fmt(r, 0)).join(', ')})`);
  console.log(`seeds/min, ${options.sweepClients}-client chat, all cores: ${fmt(median(perMinute), 1)} (runs: ${perMinute.map((r) => fmt(r, 1)).join(', ')})`);
  console.log('');
}
