// What every scenario needs: programs (async app loops, one per host) run to completion under the
// Simulation within a virtual-time budget, a verdict from the first that failed, and one way to
// receive and send on a connection in either model.
import { EventType, type IoEvent, type Reactor } from '../../index.js';
import type { Simulation } from '../simulation.js';
import type { ScenarioOutcome } from '../scenario.js';
import { Transport, type Outbox } from '../../chat/transport.js';

/** Virtual time a scenario may take before the programs still running count as stuck. */
export const SCENARIO_TIME_LIMIT_MS = 600_000;
/** Virtual time between the runner's checks for a failed program (after one, the run ends). */
const CHECK_EVERY_MS = 1_000;
/** How long a program's wait lasts before it looks at the clock again, in virtual ms. */
export const WAIT_SLICE_MS = 1_000;

/** A program's own account of where it is, for the failure report when it never finishes. */
export interface Program {
  name: string;
  state: string;
  run(): Promise<void>;
}

/**
 * Runs the programs until all have finished or the simulation is idle or out of time. The
 * verdict names the first program (in the given order, so it is the same every run) that threw
 * or never finished. Every reactor is destroyed before it returns.
 */
export async function runPrograms(sim: Simulation, programs: Program[], reactors: Reactor<any>[]): Promise<ScenarioOutcome> {
  const results: (string | null | undefined)[] = programs.map(() => undefined);
  const failedAt: number[] = programs.map(() => sim.now);
  const running = programs.map((p, i) => p.run().then(
    () => { results[i] = null; },
    (e: unknown) => {
      results[i] = `${p.name}: ${e instanceof Error ? e.message : String(e)}`;
      failedAt[i] = sim.now;
    },
  ));
  while (sim.now < SCENARIO_TIME_LIMIT_MS && results.includes(undefined) && !results.some((r) => typeof r === 'string')) {
    const before = sim.now;
    if (await sim.runUntilIdle(Math.min(before + CHECK_EVERY_MS, SCENARIO_TIME_LIMIT_MS)) === before) break;
  }
  const threw = results.findIndex((r) => typeof r === 'string');
  const failure = results[threw]
    ?? programs.map((p, i) => (results[i] === undefined ? `${p.name} did not finish by ${sim.now.toFixed(3)} ms: ${p.state}` : null)).find((r) => r !== null);
  const failedAtMs = threw >= 0 ? failedAt[threw] : sim.now;
  for (const r of reactors) r.destroy();
  await sim.runUntilIdle(SCENARIO_TIME_LIMIT_MS);
  await Promise.all(running);
  return failure ? { ok: false, failure, failedAtMs } : { ok: true };
}

/** A connection's outbox and the model-independent way to feed it and drain what arrives. */
export class Connection implements Outbox {
  queued: Uint8Array[] = [];
  queuedBytes = 0;
  inFlightBytes = 0;
  readonly #transport: Transport;

  constructor(readonly reactor: Reactor<any>, readonly fd: number) {
    this.#transport = Transport.of(reactor as Reactor<unknown>);
  }

  /** Sends all of `data`, however the kernel takes it; false when the peer cannot keep up. */
  send(data: Uint8Array): boolean {
    return this.#transport.send(this, data);
  }

  /**
   * Handles one event of the connection: the bytes it brought (empty: the peer closed), or null.
   * Throws when the connection failed, with the portable error code.
   */
  receive(ev: IoEvent<unknown>): Uint8Array | null {
    if ((ev.type & EventType.WRITE) && this.reactor.model === 'readiness') this.#transport.flush(this);
    if (ev.type & EventType.ERROR) throw new Error(`connection error ${ev.error?.code ?? ''}`);
    if (this.reactor.model === 'completion') {
      if (ev.type & EventType.CLOSE) {
        if (ev.error) throw new Error(`connection closed by ${ev.error.code}`);
        return new Uint8Array(0);
      }
      if (ev.type & EventType.WRITE) this.#transport.written(this);
      if (!(ev.type & EventType.READ)) return null;
      const bytes = ev.buffer!.slice();
      this.reactor.postRead(this.fd);
      return bytes;
    }
    if (ev.type & EventType.CLOSE && ev.error) throw new Error(`connection closed by ${ev.error.code}`);
    if (!(ev.type & (EventType.READ | EventType.CLOSE))) return null;
    return this.reactor.os.recv(this.fd);
  }
}

export const encode = (s: string): Uint8Array => new TextEncoder().encode(s);
