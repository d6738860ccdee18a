// A simulated stream's bytes (src/sim/byte-queue.ts): whatever is written, read and dropped, in
// whatever sizes, across the ring's wrap and its growth, the bytes read are the bytes written, in
// order, less those dropped.
import fc from 'fast-check';
import { ByteQueue } from '../src/sim/byte-queue.js';

/** A write of `push` bytes, a read of up to `take`, or a cut of `n` bytes `at` past the oldest (both scaled to what is queued). */
const step = fc.oneof(
  fc.integer({ min: 0, max: 200 }).map((push) => ({ push })),
  fc.integer({ min: 0, max: 200 }).map((take) => ({ take })),
  fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), n: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

test('bytes come out as they went in, less those cut, across any mix of writes, reads and cuts', () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
      const queue = new ByteQueue();
      const model: number[] = [];
      let next = 0;
      for (const s of steps) {
        if ('push' in s) {
          const from = new Uint8Array(s.push + 3).map(() => next++ & 0xff);
          queue.push(from, 3, s.push);
          model.push(...from.subarray(3));
        } else if ('take' in s) {
          const n = Math.min(s.take, model.length);
          const into = new Uint8Array(n + 5);
          queue.take(into, 5, n);
          expect([...into.subarray(5)]).toEqual(model.splice(0, n));
        } else {
          const at = Math.floor(s.at * model.length);
          const n = Math.floor(s.n * (model.length - at));
          queue.cut(at, n);
          model.splice(at, n);
        }
        expect(queue.length).toBe(model.length);
      }
      const rest = new Uint8Array(model.length);
      queue.take(rest, 0, rest.length);
      expect([...rest]).toEqual(model);
    }),
  );
});
