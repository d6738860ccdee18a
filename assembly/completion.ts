// The completion model: the app posts reads and writes; each finished operation is one event,
// with received bytes already in the context's buffer. Reads are handed to the shim at the next
// wait, after the held buffers of the previous wait come back, so a full pool of delivered
// buffers never starves the reposts.
import * as L from './layout';
import { OP_RECV, OP_SEND, OP_ACCEPT, KIND_LISTENER, REQ_RECV, REQ_SEND, REQ_ACCEPT, REQ_CLOSE, EV_WRITE,
  OK, ERR_NOBUFS, ERR_REQUESTS_FULL } from './seam';
import { codeSpace } from './config';
import { portableCode, failureEvent, successEvent } from './translate';
import { contextAt, bufferAt, allocContext, freeContext, freeContexts, heldContexts, CTX_POSTED, CTX_QUEUED } from './pool';
import { slotAt, slotLive } from './table';
import { enqueue } from './queue';
import { pushRequest, requestSpace } from './requests';

let deferredTotal: i32 = 0;
let deferredHead: i32 = -1;

export function deferredReads(): i32 { return deferredTotal; }

export function resetCompletion(): void {
  deferredTotal = 0;
  deferredHead = -1;
}

/** Contexts that may still be promised: free ones plus held ones, less what reads already reserved. */
function promisable(): i32 {
  return freeContexts() + heldContexts() - deferredTotal;
}

export function canDeferRead(): bool { return promisable() > 0; }

/** Reserves one read (or accept, for a listener) on a slot; the caller checked `canDeferRead()`. */
export function deferRead(slot: i32): void {
  const s = slotAt(slot);
  store<i32>(s + L.S_DEFERRED, load<i32>(s + L.S_DEFERRED) + 1);
  deferredTotal++;
  if (load<i32>(s + L.S_DEFER_NEXT) == L.NOT_DEFERRED) {
    store<i32>(s + L.S_DEFER_NEXT, deferredHead);
    deferredHead = slot;
  }
}

/** Drops a removed slot's reserved reads; its list entry is skipped when the list is walked. */
export function forgetDeferred(slot: i32): void {
  const s = slotAt(slot);
  deferredTotal -= load<i32>(s + L.S_DEFERRED);
  store<i32>(s + L.S_DEFERRED, 0);
}

/** At the start of a wait: turns reserved reads into requests. Needs `deferredTotal` request space. */
export function bindDeferred(): void {
  let slot = deferredHead;
  while (slot >= 0) {
    const s = slotAt(slot);
    const next = load<i32>(s + L.S_DEFER_NEXT);
    store<i32>(s + L.S_DEFER_NEXT, L.NOT_DEFERRED);
    const n = load<i32>(s + L.S_DEFERRED);
    if (n > 0 && load<i32>(s + L.S_KIND) >= 0) {
      const fd = load<i32>(s + L.S_FD);
      const gen = load<i32>(s + L.S_GEN);
      const listener = load<i32>(s + L.S_KIND) == KIND_LISTENER;
      for (let i = 0; i < n; i++) {
        const ctx = allocContext(listener ? OP_ACCEPT : OP_RECV, slot, gen);
        pushRequest(listener ? REQ_ACCEPT : REQ_RECV, fd, ctx, <i32>bufferAt(ctx), L.bufferSize, 0, gen);
      }
      store<i32>(s + L.S_READS, load<i32>(s + L.S_READS) + n);
      store<i32>(s + L.S_DEFERRED, 0);
      deferredTotal -= n;
    }
    slot = next;
  }
  deferredHead = -1;
}

/**
 * Splits a write of `len` bytes over as many contexts as it needs, all or nothing. Their ids go
 * to the write scratch for the host to copy the bytes in; returns how many, or an error.
 */
export function postWrite(slot: i32, len: i32): i32 {
  const parts = (len + L.bufferSize - 1) / L.bufferSize;
  if (parts > freeContexts() || parts > promisable()) return ERR_NOBUFS;
  if (parts > requestSpace()) return ERR_REQUESTS_FULL;
  const s = slotAt(slot);
  const fd = load<i32>(s + L.S_FD);
  const gen = load<i32>(s + L.S_GEN);
  let head = -1;
  for (let i = 0; i < parts; i++) {
    const ctx = allocContext(OP_SEND, slot, gen);
    if (head < 0) head = ctx;
    const c = contextAt(ctx);
    const partLen = i == parts - 1 ? len - i * L.bufferSize : L.bufferSize;
    store<i32>(c + L.C_LEN, partLen);
    store<i32>(c + L.C_WRITE_HEAD, head);
    store<i32>(L.writeScratchAt + <usize>i * 4, ctx);
    pushRequest(REQ_SEND, fd, ctx, <i32>bufferAt(ctx), partLen, 0, gen);
  }
  const h = contextAt(head);
  store<i32>(h + L.C_WRITE_PARTS, parts);
  store<i32>(h + L.C_WRITE_OS_CODE, 0);
  store<i32>(h + L.N_BYTES, 0);
  return parts;
}

function queueEvent(ctx: i32, slot: i32, type: i32, bytes: i32, osCode: i32, accepted: i32): void {
  const c = contextAt(ctx);
  store<i32>(c + L.N_TYPE, type);
  store<i32>(c + L.N_BYTES, bytes);
  store<i32>(c + L.N_CODE, portableCode(codeSpace, osCode));
  store<i32>(c + L.N_OS_CODE, osCode);
  store<i32>(c + L.N_ACCEPTED, accepted);
  store<i32>(c + L.C_STATE, CTX_QUEUED);
  const s = slotAt(slot);
  store<i32>(s + L.S_QUEUED_CTX, load<i32>(s + L.S_QUEUED_CTX) + 1);
  enqueue(ctx);
}

/** One write part finished; the write's single event is queued when its last part is in. */
function onSendPart(ctx: i32, bytes: i32, osCode: i32): void {
  const c = contextAt(ctx);
  const head = load<i32>(c + L.C_WRITE_HEAD);
  const h = contextAt(head);
  // A failed part may still have sent some bytes: the event counts every byte that left.
  store<i32>(h + L.N_BYTES, load<i32>(h + L.N_BYTES) + bytes);
  if (osCode != 0 && load<i32>(h + L.C_WRITE_OS_CODE) == 0) store<i32>(h + L.C_WRITE_OS_CODE, osCode);
  const left = load<i32>(h + L.C_WRITE_PARTS) - 1;
  store<i32>(h + L.C_WRITE_PARTS, left);
  if (ctx != head) freeContext(ctx);
  if (left > 0) return;
  const slot = load<i32>(h + L.C_SLOT);
  if (!slotLive(slot, load<i32>(h + L.C_GEN))) {
    freeContext(head);
    return;
  }
  const failure = load<i32>(h + L.C_WRITE_OS_CODE);
  const type = failure != 0 ? failureEvent(codeSpace, failure) : EV_WRITE;
  queueEvent(head, slot, type, load<i32>(h + L.N_BYTES), failure, -1);
}

/** A connection accepted for a listener that is gone: nobody will see it, so it is closed. */
export function closeUnclaimed(accepted: i32): void {
  if (accepted >= 0 && requestSpace() > 0) pushRequest(REQ_CLOSE, accepted, -1, 0, 0, 0, 0);
}

export function onComplete(ctx: i32, bytes: i32, osCode: i32, accepted: i32): i32 {
  if (ctx < 0 || ctx >= L.poolSize) return ERR_NOBUFS;
  const c = contextAt(ctx);
  if (!ASC_NO_ASSERT) assert(load<i32>(c + L.C_STATE) == CTX_POSTED, 'a completion for a context the shim does not hold');
  const op = load<i32>(c + L.C_OP);
  if (op == OP_SEND) {
    onSendPart(ctx, bytes, osCode);
    return OK;
  }
  const slot = load<i32>(c + L.C_SLOT);
  if (!slotLive(slot, load<i32>(c + L.C_GEN))) {
    if (op == OP_ACCEPT && osCode == 0) closeUnclaimed(accepted);
    freeContext(ctx);
    return OK;
  }
  const s = slotAt(slot);
  store<i32>(s + L.S_READS, load<i32>(s + L.S_READS) - 1);
  const type = osCode != 0 ? failureEvent(codeSpace, osCode) : successEvent(op, bytes);
  queueEvent(ctx, slot, type, osCode != 0 ? 0 : bytes, osCode, accepted);
  return OK;
}
