// Shared test helpers: the model × mechanism matrix and small waiting utilities.
import { Reactor, type IoEvent, type ReactorOptions } from '../src/index.js';
import { nativeBinding } from '../src/native.js';

export type Model = 'readiness' | 'completion';
export type Mechanism = 'epoll' | 'poll' | 'iocp' | 'io_uring';
export type Backend = 'native' | 'sim';

export const MODELS: Model[] = ['readiness', 'completion'];
/** The mechanisms Linux runs natively in both models (IOCP runs in simulation only, see SIM_IOCP). */
export const MECHANISMS: Mechanism[] = ['epoll', 'poll'];
/** The mechanisms Linux runs natively in the completion model: io_uring has only that one. */
export const COMPLETION_MECHANISMS: Mechanism[] = [...MECHANISMS, 'io_uring'];
/** Every [model, mechanism] pair Linux runs natively, for `describe.each`. */
export const MATRIX: [Model, Mechanism][] = [
  ...MODELS.flatMap((m) => MECHANISMS.map((k) => [m, k] as [Model, Mechanism])),
  ['completion', 'io_uring'],
];
/** IOCP has only the completion model, and runs here in simulation. */
export const SIM_IOCP: [Model, Mechanism, Backend] = ['completion', 'iocp', 'sim'];
/** Every [model, mechanism, backend]: for suites that hold on the real OS and in simulation alike. */
export const FULL_MATRIX: [Model, Mechanism, Backend][] = [
  ...(['native', 'sim'] as Backend[]).flatMap((b) => MATRIX.map(([m, k]) => [m, k, b] as [Model, Mechanism, Backend])),
  SIM_IOCP,
];
/** The completion model on each native mechanism, in simulation over epoll, and over the simulated IOCP. */
export const COMPLETION_EVERYWHERE: [Mechanism, Backend][] = [
  ...COMPLETION_MECHANISMS.map((m) => [m, 'native'] as [Mechanism, Backend]),
  ['epoll', 'sim'],
  [SIM_IOCP[1], SIM_IOCP[2]],
];

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const str = (b: Uint8Array | null): string => (b ? new TextDecoder().decode(b) : '');

/** What `peer` received over `rounds` waits of 10 ms of `r` (virtual in simulation). */
export function receivedOver(r: Reactor<unknown>, peer: number, rounds: number): string {
  let got = '';
  for (let i = 0; i < rounds; i++) {
    r.wait(10);
    for (let chunk = r.os.recv(peer); chunk && chunk.length > 0; chunk = r.os.recv(peer)) got += str(chunk);
  }
  return got;
}

/** Reactors created through this are destroyed after each test (call `destroyAll` in afterEach). */
const live: Reactor<any>[] = [];
export async function reactor<C = unknown>(options: ReactorOptions): Promise<Reactor<C>> {
  return adopt(await Reactor.create<C>(options));
}
/** A reactor made elsewhere (a simulated host's) that `destroyAll` destroys too. */
export function adopt<C>(r: Reactor<C>): Reactor<C> {
  live.push(r);
  return r;
}
export function destroyAll(): void {
  while (live.length) live.pop()!.destroy();
}

/** Waits (up to `totalMs`) until `done(events so far)` holds; returns every event seen. */
export function waitUntil<C>(r: Reactor<C>, done: (all: IoEvent<C>[]) => boolean, totalMs = 2000): IoEvent<C>[] {
  const all: IoEvent<C>[] = [];
  const end = Date.now() + totalMs;
  while (!done(all) && Date.now() < end) {
    for (const e of r.wait(20)) all.push({ ...e, buffer: e.buffer ? e.buffer.slice() : null });
  }
  return all;
}

/** Events as tests compare them: context, type, bytes and the OS's own error code. */
export const summary = <C>(events: IoEvent<C>[]) => events.map((e) => [e.context, e.type, e.bytesTransferred, e.error?.osCode]);

/** Waits up to `rounds` times 10 ms (virtual time in simulation) until `done(events so far)` holds; returns every event seen. */
export function waitRounds<C>(r: Reactor<C>, done: (all: IoEvent<C>[]) => boolean, rounds = 200): IoEvent<C>[] {
  const all: IoEvent<C>[] = [];
  for (let i = 0; i < rounds && !done(all); i++) {
    for (const e of r.wait(10)) all.push({ ...e, buffer: e.buffer ? e.buffer.slice() : null });
  }
  return all;
}

/** Reads everything available on fd until `bytes` arrived or `totalMs` passed. */
export function recvAll(r: Reactor<any>, fd: number, bytes: number, totalMs = 2000): Uint8Array {
  const parts: Uint8Array[] = [];
  let got = 0;
  const end = Date.now() + totalMs;
  while (got < bytes && Date.now() < end) {
    const chunk = r.os.recv(fd);
    if (chunk === null) {
      r.wait(5);
      continue;
    }
    if (chunk.length === 0) break;
    parts.push(chunk);
    got += chunk.length;
  }
  const out = new Uint8Array(got);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Native fds a test opened; `closeOwned` (in afterEach) closes them, so suites do not leak sockets. */
const owned = new Set<number>();
export function own<T extends number[]>(r: Reactor<any>, ...fds: T): T {
  // Simulated fds live and die with their reactor's kernel.
  if (r.backend === 'native') for (const fd of fds) owned.add(fd);
  return fds;
}
/** A socket pair owned by the test: [server side, client side]. */
export function pair(r: Reactor<any>): [number, number] {
  return own(r, ...r.os.socketPair());
}
/** Closes an owned fd now (unregistering it from `r` first), so `closeOwned` will not close it again. */
export function closeNow(r: Reactor<any>, fd: number): void {
  owned.delete(fd);
  r.os.close(fd);
}
export function closeOwned(): void {
  const fds = [...owned];
  owned.clear();
  for (const fd of fds) nativeBinding().close(fd);
}

/** Matches a thrown ReactorError with `code` (and a message matching `message`): `toThrow(refusal('EEXIST'))`. */
export function refusal(code: string, message?: RegExp): ReturnType<typeof expect.objectContaining> {
  return expect.objectContaining({ name: 'ReactorError', code, ...(message ? { message: expect.stringMatching(message) } : {}) });
}
