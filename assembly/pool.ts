// The context pool: a fixed number of contexts, each with an inline buffer. Exhaustion is an
// error at post time, never a silent allocation. Assertions (debug builds) keep every context on
// exactly one list: free, posted to the shim, queued, or held.
import * as L from './layout';

export const CTX_FREE: i32 = 0;
export const CTX_POSTED: i32 = 1; // handed to the shim
export const CTX_QUEUED: i32 = 2; // completed, its event waits in the ready queue
export const CTX_HELD: i32 = 3;   // delivered with a buffer the app may read until the next wait

let freeCount: i32 = 0;
let heldCount: i32 = 0;
let highWater: i32 = 0;

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
}

/** Takes a free context for `op` on a slot; the caller has checked `freeContexts()`. */
export function allocContext(op: i32, slot: i32, gen: i32): i32 {
  if (!ASC_NO_ASSERT) assert(freeCount > 0, 'allocContext with no free context');
  freeCount--;
  const id = load<i32>(L.freeContextsAt + <usize>freeCount * 4);
  const c = contextAt(id);
  if (!ASC_NO_ASSERT) assert(id >= 0 && id < L.poolSize && load<i32>(c + L.C_STATE) == CTX_FREE, 'the free list holds a context that is not free');
  store<i32>(c + L.C_STATE, CTX_POSTED);
  store<i32>(c + L.C_OP, op);
  store<i32>(c + L.C_SLOT, slot);
  store<i32>(c + L.C_GEN, gen);
  store<i32>(c + L.N_QUEUED, 0);
  store<i32>(c + L.N_BYTES, 0);
  const used = L.poolSize - freeCount;
  if (used > highWater) highWater = used;
  return id;
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

export function freeContexts(): i32 { return freeCount; }
export function heldContexts(): i32 { return heldCount; }
export function contextsInUse(): i32 { return L.poolSize - freeCount; }
export function contextsHighWater(): i32 { return highWater; }
