// The simulation's speed: events the simulated reactors deliver per second of wall time (one
// thread), and seeds per minute of a 1000-client chat sweep on every core, as `io-reactor sim`
// runs it (each seed twice, for the determinism check).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { Simulation } from '../src/sim/index.js';
import { scenarios } from '../src/sim/scenarios/index.js';
import { DEFAULT_FAULTS, SWEEP_LATENCY_MS } from '../src/cli/config.js';
import type { TraceRecord, TraceSink } from '../src/trace/format.js';
import { median } from './stats.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

export interface SimRateOptions {
  repeats: number;
  /** Clients of the chat run whose events are counted. */
  eventClients: number;
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

async function eventRate(clients: number, seed: number): Promise<{ events: number; seconds: number }> {
  const counter = new EventCounter();
  const sim = new Simulation({ seed, latencyMs: SWEEP_LATENCY_MS, faults: DEFAULT_FAULTS, trace: counter });
  const started = performance.now();
  const outcome = await scenarios.chat.run(sim, { size: clients });
  const seconds = (performance.now() - started) / 1000;
  if (!outcome.ok) throw new Error(`the chat scenario failed at seed ${seed}: ${outcome.failure}`);
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
  console.log(`== Simulation: events delivered by simulated reactors per second of wall time (chat scenario, ${options.eventClients}`);
  console.log(`   clients, readiness, faults as a sweep's default), and seeds per minute of \`io-reactor sim chat --size ${options.sweepClients}\``);
  console.log(`   (${options.sweepSeeds} seeds per sweep on ${availableParallelism()} worker threads, each seed run twice); median of ${options.repeats} runs`);
  const rates: number[] = [];
  for (let i = 0; i < options.repeats; i++) {
    const { events, seconds } = await eventRate(options.eventClients, i + 1);
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
