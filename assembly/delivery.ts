// Delivery: moves up to maxEvents queued events into the delivered array the host reads.
// Ready events beyond maxEvents stay queued and go first next time.
import * as L from './layout';
import {
  EV_READ,
  EV_ERROR,
  EV_CLOSE,
  EV_ACCEPT,
  REQ_ACCEPT,
  ENTRY_BYTES,
  EVENT_FD,
  EVENT_SLOT,
  EVENT_TYPE,
  EVENT_BYTES,
  EVENT_CTX,
  EVENT_CODE,
  EVENT_OS_CODE,
  EVENT_ACCEPTED,
} from './seam';
import { contextAt, bufferAt, freeContext, holdContext, CTX_POSTED } from './pool';
import { slotAt } from './table';
import { dequeue, enqueueFirst, slotNode } from './queue';
import { dropReadEnds } from './completion';
import { pushRequest, requestSpace } from './requests';

function deliver(i: i32, fd: i32, slot: i32, type: i32, bytes: i32, ctx: i32, node: usize): void {
  if (!ASC_NO_ASSERT) assert(i >= 0 && i < L.deliveredCapacity, 'an event delivered beyond the delivered array');
  const e = L.deliveredAt + <usize>i * ENTRY_BYTES;
  store<i32>(e + EVENT_FD, fd);
  store<i32>(e + EVENT_SLOT, slot);
  store<i32>(e + EVENT_TYPE, type);
  store<i32>(e + EVENT_BYTES, bytes);
  store<i32>(e + EVENT_CTX, ctx);
  store<i32>(e + EVENT_CODE, load<i32>(node + L.N_CODE));
  store<i32>(e + EVENT_OS_CODE, load<i32>(node + L.N_OS_CODE));
  store<i32>(e + EVENT_ACCEPTED, load<i32>(node + L.N_ACCEPTED));
}

/** A slot's merged readiness, filtered by what the app asks for now. */
function deliverSlot(i: i32, slot: i32): bool {
  const s = slotAt(slot);
  const type = load<i32>(s + L.N_TYPE) & (load<i32>(s + L.S_MASK) | EV_ERROR | EV_CLOSE);
  const more = load<i32>(s + L.N_BYTES) - 1; // completion: reads that ended without a buffer
  if (more > 0) {
    // The other endings were queued with this one, before anything behind it: they go next.
    dropReadEnds(slot, more - 1);
    store<i32>(s + L.N_BYTES, more);
    enqueueFirst(slotNode(slot));
  } else {
    store<i32>(s + L.N_BYTES, 0);
    store<i32>(s + L.N_TYPE, 0);
  }
  if (type == 0) return false;
  store<i32>(s + L.N_ACCEPTED, -1);
  deliver(i, load<i32>(s + L.S_FD), slot, type, 0, -1, s);
  return true;
}

function deliverCompletion(i: i32, ctx: i32): void {
  const c = contextAt(ctx);
  const slot = load<i32>(c + L.C_SLOT);
  const s = slotAt(slot);
  store<i32>(s + L.S_QUEUED_CTX, load<i32>(s + L.S_QUEUED_CTX) - 1);
  const type = load<i32>(c + L.N_TYPE);
  const bytes = load<i32>(c + L.N_BYTES);
  const withData = type == EV_READ && bytes > 0;
  deliver(i, load<i32>(s + L.S_FD), slot, type, bytes, withData ? ctx : -1, c);
  if (withData) holdContext(ctx);
  else if (type == EV_ACCEPT && load<i32>(s + L.S_MASK) & EV_READ && requestSpace() > 0) repostAccept(ctx, s);
  else freeContext(ctx);
}

/** A listener keeps its accepts posted while the app asks for READ: the same context goes
 * straight back to the shim, so a busy pool can never starve a listener of them. */
function repostAccept(ctx: i32, s: usize): void {
  store<i32>(contextAt(ctx) + L.C_STATE, CTX_POSTED);
  pushRequest(REQ_ACCEPT, load<i32>(s + L.S_FD), ctx, <i32>bufferAt(ctx), L.bufferSize, 0, load<i32>(s + L.S_GEN));
  store<i32>(s + L.S_READS, load<i32>(s + L.S_READS) + 1);
}

export function collect(maxEvents: i32): i32 {
  let count = 0;
  while (count < maxEvents) {
    const node = dequeue();
    if (node < 0) break;
    if (node >= L.poolSize) {
      if (deliverSlot(count, node - L.poolSize)) count++;
    } else {
      deliverCompletion(count, node);
      count++;
    }
  }
  return count;
}
