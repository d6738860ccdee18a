// What every scenario needs: programs (async app loops, one per host) run to completion under the
// Simulation within a virtual-time budget, a verdict from the first that failed, and one way to
// receive and send on a connection in either model.
import { EventType, ReactorError, type IoEvent, type Reactor } from '../../index.js';
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
 * Virtual time between the checks when a host may crash: each is an occasion of the crash fault,
 * often enough to strike a run that lasts a few tens of ms.
 */
const CRASH_CHECK_EVERY_MS = 20;
/** How long a crashed host stays down before it boots again, in virtual ms. */
export const CRASH_DOWN_MS = 500;

/** How a program starts on its host, again after each crash: a fresh reactor, the program afresh. */
export interface Boot {
  host: string;
  boot(): Promise<{ program: Program; reactor: Reactor<any> }>;
}

/**
 * Runs the programs until all have finished or the simulation is idle or out of time. The
 * verdict names the first program (in the given order, so it is the same every run) that threw
 * or never finished. Every reactor is destroyed before it returns.
 *
 * `boots[i]`, when given, lets program i's host crash (the crash fault, struck once per check
 * while the program runs): the host goes down, its program with it, and CRASH_DOWN_MS later the
 * host restarts and program i boots again, afresh.
 */
export async function runPrograms(
  sim: Simulation,
  programs: Program[],
  reactors: Reactor<any>[],
  boots: readonly (Boot | null)[] = [],
): Promise<ScenarioOutcome> {
  const results: (string | null | undefined)[] = programs.map(() => undefined);
  /** Program index → when its crashed host boots again. */
  const down = new Map<number, number>();
  /** When each program's host last crashed (a program's own state may be read-only). */
  const crashedAt: (number | undefined)[] = programs.map(() => undefined);
  const running: Promise<void>[] = [];
  /** When each program threw: a failing seed's trace is marked there. */
  const failedAt: number[] = programs.map(() => sim.now);
  const start = (i: number): void => {
    const p = programs[i];
    // A program its host's crash ended has no verdict: the one booted after it will.
    const current = (): boolean => programs[i] === p && !down.has(i);
    running.push(
      p.run().then(
        () => {
          if (current()) results[i] = null;
        },
        (e: unknown) => {
          if (!current()) return;
          results[i] = `${p.name}: ${e instanceof Error ? e.message : String(e)}`;
          failedAt[i] = sim.now;
        },
      ),
    );
  };
  programs.forEach((_, i) => start(i));
  const restart = async (i: number): Promise<void> => {
    down.delete(i);
    sim.restart(boots[i]!.host);
    const { program, reactor } = await boots[i]!.boot();
    programs[i] = program;
    reactors.push(reactor);
    start(i);
  };
  const crashMaybe = (): void => {
    const candidates = programs.map((_, i) => i).filter((i) => boots[i] && results[i] === undefined && !down.has(i));
    if (candidates.length === 0 || !sim.network.faults.strike('crash')) return;
    const i = candidates[Math.floor(sim.network.faults.draw('crash') * candidates.length)];
    crashedAt[i] = sim.now;
    down.set(i, sim.now + CRASH_DOWN_MS);
    sim.crash(boots[i]!.host);
  };
  const step = boots.some((b) => b) && sim.network.faults.mayStrike('crash') ? CRASH_CHECK_EVERY_MS : CHECK_EVERY_MS;
  while (sim.now < SCENARIO_TIME_LIMIT_MS && results.includes(undefined) && !results.some((r) => typeof r === 'string')) {
    const before = sim.now;
    const idle = (await sim.runUntilIdle(Math.min(before + step, SCENARIO_TIME_LIMIT_MS))) === before;
    // Idle with a host down: nothing else can happen until it is back, so it is back now.
    const due = [...down].filter(([, at]) => idle || sim.now >= at).map(([i]) => i);
    for (const i of due) await restart(i);
    if (idle && due.length === 0) break;
    crashMaybe();
  }
  // The first program that failed, else every one that never finished (the first is usually waiting on the others).
  const unfinished = programs
    .filter((_, i) => results[i] === undefined)
    .map((p, i) => `${p.name}: ${down.has(i) ? `its host crashed at ${crashedAt[i]!.toFixed(3)} ms` : p.state}`);
  const threw = results.findIndex((r) => typeof r === 'string');
  const failure =
    results[threw] ?? (unfinished.length > 0 ? `not finished by ${sim.now.toFixed(3)} ms: ${unfinished.join('; ')}` : undefined);
  const failedAtMs = threw >= 0 ? failedAt[threw] : sim.now;
  for (const r of reactors) r.destroy();
  await sim.runUntilIdle(SCENARIO_TIME_LIMIT_MS);
  await Promise.all(running);
  return failure ? { ok: false, failure, failedAtMs } : { ok: true };
}

/** The network or the peer ended a connection early (reset, refused, shut): a client connects again. */
export class ConnectionLost extends Error {}

/** The OS errors that end a connection, not the program. */
const LOSS_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ENOTCONN', 'ECONNABORTED', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH']);

/** Connects in a row that may fail before a client gives up: the server is not there. */
export const CONNECT_ATTEMPTS_MAX = 10;

/**
 * A client's connection, made again after each loss until `session` finishes on one: connect
 * failures (refused, out of buffers) wait a slice and retry, up to CONNECT_ATTEMPTS_MAX in a row.
 */
export async function withReconnects(
  r: Reactor<Connection>,
  port: number,
  program: Program,
  session: (conn: Connection) => Promise<void>,
): Promise<void> {
  for (let failedConnects = 0; ; ) {
    let conn: Connection;
    try {
      conn = new Connection(r, r.os.connect(port, 'server'));
      failedConnects = 0;
    } catch (e) {
      if (!(e instanceof ReactorError && (LOSS_CODES.has(e.code) || e.code === 'ENOBUFS'))) throw e;
      if (++failedConnects === CONNECT_ATTEMPTS_MAX)
        throw new Error(`gave up after ${failedConnects} connects in a row failed, the last with ${e.message}`);
      program.state = `connect failed with ${e.code}; retrying`;
      await r.waitAsync(WAIT_SLICE_MS);
      continue;
    }
    r.add(conn.fd, conn, EventType.READ);
    try {
      await session(conn);
      return;
    } catch (e) {
      if (!(e instanceof ConnectionLost)) throw e;
      program.state = `${e.message}; connecting again`;
    } finally {
      conn.close();
    }
  }
}

/** A connection's outbox and the model-independent way to feed it and drain what arrives. */
export class Connection implements Outbox {
  queued: Uint8Array[] = [];
  queuedBytes = 0;
  inFlightBytes = 0;
  watchingWrite = false;
  readonly #transport: Transport;
  #closed = false;

  constructor(
    readonly reactor: Reactor<any>,
    readonly fd: number,
  ) {
    this.#transport = Transport.of(reactor as Reactor<unknown>);
  }

  /**
   * Sends all of `data`, however the kernel takes it; false when the peer cannot keep up.
   * Throws ConnectionLost when the connection can no longer send.
   */
  send(data: Uint8Array): boolean {
    try {
      return this.#transport.send(this, data);
    } catch (e) {
      throw lossOf(e);
    }
  }

  /**
   * Handles one event of the connection: the bytes it brought (empty: the peer closed), or null
   * (also for an event of this batch that comes after close). Throws ConnectionLost when the
   * connection failed, with the portable error code.
   */
  receive(ev: IoEvent<unknown>): Uint8Array | null {
    if (this.#closed) return null;
    try {
      return this.#receive(ev);
    } catch (e) {
      throw lossOf(e);
    }
  }

  /** Closes the fd once, however many of this batch's events end the connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.reactor.os.close(this.fd);
  }

  #receive(ev: IoEvent<unknown>): Uint8Array | null {
    if (ev.type & EventType.WRITE && this.reactor.model === 'readiness') this.#transport.flush(this);
    if (ev.type & EventType.ERROR) throw new ConnectionLost(`connection error ${ev.error?.code ?? ''}`);
    if (this.reactor.model === 'completion') {
      if (ev.type & EventType.CLOSE) {
        if (ev.error) throw new ConnectionLost(`connection closed by ${ev.error.code}`);
        return new Uint8Array(0);
      }
      if (ev.type & EventType.WRITE) this.#transport.written(this);
      if (!(ev.type & EventType.READ)) return null;
      const bytes = ev.buffer!.slice();
      this.reactor.postRead(this.fd);
      return bytes;
    }
    if (ev.type & EventType.CLOSE && ev.error) throw new ConnectionLost(`connection closed by ${ev.error.code}`);
    if (!(ev.type & (EventType.READ | EventType.CLOSE))) return null;
    return this.reactor.os.recv(this.fd);
  }
}

/** What a call's error is to the program: ConnectionLost for the OS errors that end a connection. */
function lossOf(e: unknown): unknown {
  return e instanceof ReactorError && LOSS_CODES.has(e.code) ? new ConnectionLost(`${e.code}: ${e.message}`) : e;
}

/**
 * Takes the connections a listener's event brings: the accepted one in completion, every pending
 * one in readiness. Running out of fds (EMFILE, ENFILE) is not the server's end: the connection
 * stays pending and the listener reports it again on a later wait, when fds may be free (in
 * completion, once the failed accept is posted again).
 */
export function acceptFrom(r: Reactor<any>, listener: number, ev: IoEvent<unknown>, welcome: (fd: number) => void): void {
  if (ev.type & EventType.ACCEPT) {
    welcome(ev.acceptedFd!);
    return;
  }
  // A failed accept (EMFILE; ENOBUFS for the socket an AcceptEx is posted with) took one of the
  // listener's posted accepts with it: post another, or once all have failed none is left.
  if (r.model === 'completion' && ev.type & (EventType.ERROR | EventType.CLOSE)) {
    r.postRead(listener);
    return;
  }
  for (;;) {
    let fd: number | null;
    try {
      fd = r.os.accept(listener);
    } catch (e) {
      if (e instanceof ReactorError && (e.code === 'EMFILE' || e.code === 'ENFILE')) return;
      throw e;
    }
    if (fd === null) return;
    welcome(fd);
  }
}

const encoder = new TextEncoder();

/**
 * A program's text as UTF-8. ASCII (nearly all of it) is copied in a loop: a short array V8 keeps
 * on its heap costs less than the encoder's call and the buffer it allocates outside.
 */
export function encode(s: string): Uint8Array {
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return encoder.encode(s);
    bytes[i] = c;
  }
  return bytes;
}
