// A simulated kernel's fd table: whatever mix of opens and closes, an open takes the lowest free
// number (as POSIX gives), and a crash walks the open files in the order they were opened.
import fc from 'fast-check';
import { FdTable } from '../src/sim/fd-table.js';

const FIRST = 3;

/** An open, or a close of the n-th open fd (modulo how many are open). */
const step = fc.oneof(fc.constant(null), fc.nat(50));
/** Opened before the steps: closes then leave many numbers free at once. */
const OPENED_FIRST = 20;

test('an open takes the lowest free number, and values() lists open files in the order opened', () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 300 }), (drawn) => {
      const steps = [...new Array<null>(OPENED_FIRST).fill(null), ...drawn];
      const table = new FdTable<string>(FIRST);
      /** The reference: fd → file, and the files in the order opened. */
      const open = new Map<number, string>();
      const order: string[] = [];
      let made = 0;
      for (const s of steps) {
        if (s === null || open.size === 0) {
          const file = `f${made++}`;
          let lowest = FIRST;
          while (open.has(lowest)) lowest++;
          expect(table.open(file)).toBe(lowest);
          open.set(lowest, file);
          order.push(file);
        } else {
          const fd = [...open.keys()][s % open.size];
          order.splice(order.indexOf(open.get(fd)!), 1);
          open.delete(fd);
          table.close(fd);
        }
        expect(table.size).toBe(open.size);
      }
      expect(table.values()).toEqual(order);
      for (const [fd, file] of open) expect(table.get(fd)).toBe(file);
    }),
  );
});
