// The context pool: a fixed number of contexts, each with an inline buffer, for bytes in flight
// only: a write's parts, a listener's accepts, and reads once the OS has data for them (lent to
// the shim before each wait, see provided.ts). Running out is back-pressure, never an allocation.
// Assertions (debug builds) keep every context on exactly one list: free, lent, posted to the
// shim, queued, or held.
import * as L from './layout';
import { OP_RECV } from './seam';

export const CTX_FREE: i32 = 0;
export const CTX_POSTED: i32 = 1; // handed to the shim
export const CTX_QUEUED: i32 = 2; // completed, its event waits in the ready queue
export const CTX_HELD: i32 = 3; // delivered with a buffer the app may read until the next wait
export const CTX_LENT: i32 = 4; // in the provided ring, for the shim to take during this wait

let freeCount: i32 = 0;
let heldCount: i32 = 0;
let highWater: i32 = 0;
let lentCount: i32 = 0;

export function contextAt(id: i32): usize {
  return L.contextsAt + <usize>id * L.RECORD_BYTES;
}

export function bufferAt(id: i32): usize {
  return L.buffersAt + <usize>id * L.bufferStride();
}

export function resetPool(): void {
  // Stacked so that context 0 is taken first: runs are reproducible.
  for (let i = 0; i < L.poolSize; i++) {
    store<i32>(L.freeContextsAt + <usize>i * 4, L.poolSize - 1 - i);
    store<i32>(contextAt(i) + L.C_STATE, CTX_FREE);
  }
  freeCount = L.poolSize;
  heldCount = 0;
  highWater = 0;
  lentCount = 0;
}

/** Takes a free context for `op` on a slot; the caller has checked `freeContexts()`. */
export function allocContext(op: i32, slot: i32, gen: i32): i32 {
  if (!ASC_NO_ASSERT) assert(freeCount > 0, 'allocContext with no free context');
  freeCount--;
  const id = load<i32>(L.freeContextsAt + <usize>freeCount * 4);
  const c = contextAt(id);
  if (!ASC_NO_ASSERT)
    assert(id >= 0 && id < L.poolSize && load<i32>(c + L.C_STATE) == CTX_FREE, 'the free list holds a context that is not free');
  store<i32>(c + L.C_STATE, CTX_POSTED);
  store<i32>(c + L.C_OP, op);
  store<i32>(c + L.C_SLOT, slot);
  store<i32>(c + L.C_GEN, gen);
  store<i32>(c + L.N_QUEUED, 0);
  store<i32>(c + L.N_BYTES, 0);
  noteUse();
  return id;
}

function noteUse(): void {
  const used = contextsInUse();
  if (used > highWater) highWater = used;
}

/** Takes a free context to lend to the shim; the caller has checked `freeContexts()`. */
export function lendContext(): i32 {
  if (!ASC_NO_ASSERT) assert(freeCount > 0, 'lendContext with no free context');
  freeCount--;
  lentCount++;
  const id = load<i32>(L.freeContextsAt + <usize>freeCount * 4);
  store<i32>(contextAt(id) + L.C_STATE, CTX_LENT);
  return id;
}

/** The shim filled a lent context for a read of `slot`: it is in use from now on. */
export function claimLent(id: i32, slot: i32, gen: i32): void {
  if (!ASC_NO_ASSERT)
    assert(load<i32>(contextAt(id) + L.C_STATE) == CTX_LENT && lentCount > 0, 'a recv result names a buffer that was not lent');
  lentCount--;
  const c = contextAt(id);
  store<i32>(c + L.C_STATE, CTX_POSTED);
  store<i32>(c + L.C_OP, OP_RECV);
  store<i32>(c + L.C_SLOT, slot);
  store<i32>(c + L.C_GEN, gen);
  store<i32>(c + L.N_QUEUED, 0);
  noteUse();
}

/** A lent context the shim did not take comes back. */
export function returnLent(id: i32): void {
  if (!ASC_NO_ASSERT)
    assert(load<i32>(contextAt(id) + L.C_STATE) == CTX_LENT && lentCount > 0, 'a buffer returned from the ring that was not lent');
  lentCount--;
  freeContext(id);
}

export function freeContext(id: i32): void {
  if (!ASC_NO_ASSERT) assert(id >= 0 && id < L.poolSize, 'freeContext of a context out of range');
  if (!ASC_NO_ASSERT) assert(load<i32>(contextAt(id) + L.C_STATE) != CTX_FREE, 'a context freed twice');
  if (!ASC_NO_ASSERT) assert(load<i32>(contextAt(id) + L.N_QUEUED) == 0, 'a context freed while in the ready queue');
  if (!ASC_NO_ASSERT) assert(freeCount < L.poolSize, 'more free contexts than the pool holds');
  store<i32>(contextAt(id) + L.C_STATE, CTX_FREE);
  store<i32>(L.freeContextsAt + <usize>freeCount * 4, id);
  freeCount++;
}

export function holdContext(id: i32): void {
  if (!ASC_NO_ASSERT) assert(load<i32>(contextAt(id) + L.C_STATE) == CTX_QUEUED, 'only a delivered completion holds its buffer');
  if (!ASC_NO_ASSERT) assert(freeCount + heldCount < L.poolSize, 'held + free contexts exceed the pool');
  store<i32>(contextAt(id) + L.C_STATE, CTX_HELD);
  store<i32>(L.heldAt + <usize>heldCount * 4, id);
  heldCount++;
}

/** Delivered buffers stay valid until the next wait; this is that wait. */
export function releaseHeld(): void {
  for (let i = 0; i < heldCount; i++) {
    const id = load<i32>(L.heldAt + <usize>i * 4);
    if (!ASC_NO_ASSERT) assert(load<i32>(contextAt(id) + L.C_STATE) == CTX_HELD, 'the held list holds a context that is not held');
    freeContext(id);
  }
  heldCount = 0;
}

export function freeContexts(): i32 {
  return freeCount;
}
export function heldContexts(): i32 {
  return heldCount;
}
export function contextsInUse(): i32 {
  return L.poolSize - freeCount - lentCount;
}
export function isLent(id: i32): bool {
  return load<i32>(contextAt(id) + L.C_STATE) == CTX_LENT;
}
export function contextsHighWater(): i32 {
  return highWater;
}
