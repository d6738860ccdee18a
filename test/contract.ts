// Helpers for the contract suites (fixed.test.ts, bad-input.test.ts): refusals, fds a test
// opened, and a blocking sleep that lets the kernel move bytes while the reactor is not waiting.
import { closeSync } from 'node:fs';
import { type Reactor, ReactorError } from '../src/index.js';

/** Runs `call`, which must throw a ReactorError with `code`; returns it for further checks. */
export function refused(call: () => unknown, code: string): ReactorError {
  let thrown: unknown;
  try {
    call();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error(`expected a ReactorError ${code}, but the call returned normally`);
  expect(thrown).toBeInstanceOf(ReactorError);
  const error = thrown as ReactorError;
  expect({ code: error.code, message: error.message }).toEqual({ code, message: expect.any(String) });
  return error;
}

/** The same, for a call that returns a promise. */
export async function refusedAsync(call: () => Promise<unknown>, code: string): Promise<ReactorError> {
  let thrown: unknown;
  try {
    await call();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error(`expected a ReactorError ${code}, but the call resolved`);
  expect(thrown).toBeInstanceOf(ReactorError);
  const error = thrown as ReactorError;
  expect(error.code).toBe(code);
  return error;
}

/** Fds opened by a test; `closeTracked` (after the reactors are destroyed) closes them. */
const tracked = new Set<number>();
export function track<T extends number[]>(...fds: T): T {
  for (const fd of fds) tracked.add(fd);
  return fds;
}
export function socketPair(r: Reactor<any>): [number, number] {
  // Simulated fds live and die with their reactor's kernel.
  return r.backend === 'native' ? track(...r.os.socketPair()) : r.os.socketPair();
}
export function untrack(fd: number): void {
  tracked.delete(fd);
}
export function closeTracked(): void {
  for (const fd of tracked) {
    try {
      closeSync(fd);
    } catch {
      /* already closed by the test */
    }
  }
  tracked.clear();
}

/** Blocks this thread for `ms` (the kernel keeps delivering bytes meanwhile). */
export function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
