// The provided-buffer ring (io_uring's "provided buffers", one model for every mechanism): before
// each wait the core lends the shim its free contexts; the shim takes them in ring order, only when
// the OS has data for an armed read, and names each one it took in a RES_RECV result. So an idle
// connection holds no buffer. What the shim did not take comes back when the wait ends.
import * as L from './layout';
import {
  PROVIDED_HEADER_BYTES,
  PROVIDED_ENTRY_BYTES,
  PROVIDED_COUNT,
  PROVIDED_LENGTH,
  PROVIDED_ENTRY_ID,
  PROVIDED_ENTRY_OFFSET,
} from './seam';
import { lendContext, returnLent, claimLent, freeContexts, bufferAt } from './pool';
import { armedReads } from './completion';

let lent: i32 = 0;
let taken: i32 = 0;

function entryAt(i: i32): usize {
  return L.providedAt + PROVIDED_HEADER_BYTES + <usize>i * PROVIDED_ENTRY_BYTES;
}

function publish(count: i32): void {
  store<i32>(L.providedAt + PROVIDED_COUNT, count);
  store<i32>(L.providedAt + PROVIDED_LENGTH, L.bufferSize);
}

export function resetProvided(): void {
  lent = 0;
  taken = 0;
  publish(0);
}

/** Start of a wait: free contexts go into the ring, as many as the armed reads could take. */
export function provide(): void {
  if (!ASC_NO_ASSERT) assert(lent == 0, 'buffers lent again before the last wait gave them back');
  if (!ASC_NO_ASSERT) assert(armedReads() >= 0, 'fewer armed reads than none');
  lent = min(freeContexts(), armedReads());
  taken = 0;
  for (let i = 0; i < lent; i++) {
    const id = lendContext();
    store<i32>(entryAt(i) + PROVIDED_ENTRY_ID, id);
    store<i32>(entryAt(i) + PROVIDED_ENTRY_OFFSET, <i32>bufferAt(id));
  }
  publish(lent);
}

/** A RES_RECV names `id`: it must be the next entry of the ring, as the shim takes them in order. */
export function claimProvided(id: i32, slot: i32, gen: i32): bool {
  if (!ASC_NO_ASSERT)
    assert(taken < lent && load<i32>(entryAt(taken) + PROVIDED_ENTRY_ID) == id, 'recv results name the lent buffers out of ring order');
  if (taken >= lent || load<i32>(entryAt(taken) + PROVIDED_ENTRY_ID) != id) return false;
  taken++;
  claimLent(id, slot, gen);
  return true;
}

/** End of a wait: the entries the shim did not take come back to the pool. */
export function reclaimProvided(): void {
  for (let i = taken; i < lent; i++) returnLent(load<i32>(entryAt(i) + PROVIDED_ENTRY_ID));
  lent = 0;
  taken = 0;
  publish(0);
}

export function providedCount(): i32 {
  return lent;
}
