// A simulated stream's bytes (in flight, then waiting to be read): whatever is pushed, taken,
// moved on or dropped, in whatever sizes, the bytes come out in the order they went in, none lost,
// none made up, across the ring's wrap and its growth.
import fc from 'fast-check';
import { ByteQueue } from '../src/sim/byte-queue.js';

/** A push of some bytes, or a take, move or skip of a share of what is queued. */
const step = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ push: bytes })),
  fc.record({ op: fc.constantFrom('take', 'move', 'skip'), share: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

test('bytes come out in the order they went in, across any mix of pushes, takes, moves and skips', () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
      const queue = new ByteQueue();
      const next = new ByteQueue();
      /** The references: every byte queued, in order. */
      const model: number[] = [];
      const nextModel: number[] = [];
      let taken = 0;
      for (const s of steps) {
        if ('push' in s) {
          // From the middle of a larger array: a write's bytes sit at an offset in the core's memory.
          const from = new Uint8Array(s.push.length + 7);
          from.set(s.push, 3);
          queue.push(from, 3, s.push.length);
          model.push(...s.push);
        } else {
          const n = Math.floor(s.share * model.length);
          const want = model.splice(0, n);
          taken += n;
          if (s.op === 'take') {
            const into = new Uint8Array(n + 2);
            queue.take(into, 1, n);
            expect([...into.subarray(1, n + 1)]).toEqual(want);
          } else if (s.op === 'move') {
            queue.moveTo(next, n);
            nextModel.push(...want);
          } else queue.skip(n);
        }
        expect(queue.size).toBe(model.length);
        expect(queue.taken).toBe(taken);
        expect(queue.pushed).toBe(taken + model.length);
      }
      const rest = new Uint8Array(next.size);
      next.take(rest, 0, next.size);
      expect([...rest]).toEqual(nextModel);
    }),
  );
});
