// The simulator's time queues: whatever is pushed and popped, in whatever mix, items come out by
// key, and items of equal key in the order they went in (deliveries of one instant, waits of one
// deadline: the order every run of a seed must repeat).
import fc from 'fast-check';
import { KeyedHeap } from '../src/sim/heap.js';

/** A push of `key` (a few distinct values, so ties are common) or a pop. */
const step = fc.oneof(
  fc.constantFrom(0, 1, 1.5, 2, 7, Infinity).map((key) => ({ key })),
  fc.constant(null),
);

test('items come out by key, equal keys in push order, across any mix of pushes and pops', () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 400 }), (steps) => {
      const heap = new KeyedHeap<number>();
      /** The reference: kept sorted by (key, push number). */
      const model: { key: number; n: number }[] = [];
      let pushed = 0;
      for (const s of steps) {
        if (s === null) {
          const want = model.shift();
          expect(heap.pop()).toBe(want?.n);
        } else {
          const n = pushed++;
          heap.push(s.key, n);
          let at = model.length;
          while (at > 0 && model[at - 1].key > s.key) at--;
          model.splice(at, 0, { key: s.key, n });
        }
        expect(heap.size).toBe(model.length);
        expect(heap.peek()).toBe(model[0]?.n);
        expect(heap.peekKey()).toBe(model[0]?.key ?? Infinity);
      }
    }),
  );
});
