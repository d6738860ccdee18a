// What the node:test suites under Wine share with the jest suites (test/helpers.ts), plus the
// assertions jest's matchers gave them.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';

export { reactor, destroyAll, waitUntil, recvAll, text, str, pair, own, closeNow, closeOwned } from '../helpers.js';

/** Windows natively: IOCP, which has the completion model only. */
export const IOCP = { model: 'completion', mechanism: 'iocp' } as const;

/** For assert.throws: a ReactorError with `code` (and a message matching `message`). */
export function refusal(code: string, message?: RegExp): (e: unknown) => boolean {
  return (e) => {
    const err = e as { name?: string; code?: string; message?: string };
    assert.equal(err.name, 'ReactorError', String(e));
    assert.equal(err.code, code, String(e));
    if (message) assert.match(err.message ?? '', message);
    return true;
  };
}

export function timed<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
}

/** Sleeps without yielding, so loopback delivery (slow under Wine) finishes before a wait. */
export function settle(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
