// Delta debugging (Zeller's ddmin) over a failing run's fault injections: the smallest schedule
// found that still fails, and 1-minimal, so removing any one of its injections makes the run pass.
import type { Injection } from '../faults.js';

/** Whether the run with exactly these injections still fails. */
export type StillFails = (schedule: Injection[]) => Promise<boolean>;

export async function shrinkSchedule(schedule: Injection[], stillFails: StillFails): Promise<Injection[]> {
  if (await stillFails([])) return []; // it fails without any fault
  let current = schedule;
  let parts = 2;
  while (current.length >= 2) {
    const chunks = split(current, Math.min(parts, current.length));
    let reduced = false;
    for (let i = 0; i < chunks.length && !reduced; i++) {
      if (await stillFails(chunks[i])) {
        current = chunks[i];
        parts = 2;
        reduced = true;
      }
    }
    for (let i = 0; i < chunks.length && !reduced && chunks.length > 2; i++) {
      const complement = chunks.filter((_, j) => j !== i).flat();
      if (await stillFails(complement)) {
        current = complement;
        parts = Math.max(parts - 1, 2);
        reduced = true;
      }
    }
    if (!reduced) {
      if (parts >= current.length) break;
      parts = Math.min(parts * 2, current.length);
    }
  }
  return current;
}

function split<T>(items: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < n; i++) out.push(items.slice(Math.floor((i * items.length) / n), Math.floor(((i + 1) * items.length) / n)));
  return out;
}
