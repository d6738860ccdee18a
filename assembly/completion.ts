// The completion model: the app posts reads and writes; each finished operation is one event,
// with received bytes already in the context's buffer. A posted read holds no buffer: it is armed
// at the shim, which takes a provided buffer (provided.ts) only when the OS has data for it. Ready
// reads that find no buffer, and a listener's accepts (which hold a context while posted), wait
// in one FIFO list and are served in order as contexts come back, so no fd starves another.
import * as L from './layout';
import {
  OP_RECV,
  OP_SEND,
  OP_ACCEPT,
  KIND_LISTENER,
  REQ_RECV,
  REQ_SEND,
  REQ_ACCEPT,
  REQ_CLOSE,
  REQ_RESUME,
  EV_WRITE,
  EV_CLOSE,
  OK,
  ERR_NOBUFS,
  ERR_REQUESTS_FULL,
  ERR_INVAL,
} from './seam';
import { codeSpace, quietWrites } from './config';
import { portableCode, failureEvent, successEvent } from './translate';
import { contextAt, bufferAt, allocContext, freeContext, freeContexts, CTX_POSTED, CTX_QUEUED } from './pool';
import { slotAt, slotLive } from './table';
import { enqueue, slotNode } from './queue';
import { pushRequest, requestSpace } from './requests';
import { claimProvided } from './provided';

let waitingTotal: i32 = 0;
let armedTotal: i32 = 0; // reads armed at the shim on live slots: no wait can fill more buffers
let laterReadEnds: i32 = 0; // read endings merged into a slot node beyond its first event
let waitHead: i32 = -1;
let waitTail: i32 = -1;

/** Accepts waiting for a context plus fds whose ready reads wait for a buffer. */
export function waitingReads(): i32 {
  return waitingTotal;
}

/** Events waiting in slot nodes beyond one each: readyQueued counts events, not nodes. */
export function mergedReadEnds(): i32 {
  return laterReadEnds;
}

/** The most buffers one wait's reads can take: what is worth lending. */
export function armedReads(): i32 {
  return armedTotal;
}

export function resetCompletion(): void {
  armedTotal = 0;
  laterReadEnds = 0;
  waitingTotal = 0;
  waitHead = -1;
  waitTail = -1;
}

/** Arms one read on a socket or stream slot; the caller checked there is one request of room. */
export function armRead(slot: i32): void {
  const s = slotAt(slot);
  pushRequest(REQ_RECV, load<i32>(s + L.S_FD), slot, 0, 0, 0, load<i32>(s + L.S_GEN));
  store<i32>(s + L.S_READS, load<i32>(s + L.S_READS) + 1);
  armedTotal++;
}

function joinWaiting(slot: i32, count: i32): void {
  const s = slotAt(slot);
  store<i32>(s + L.S_WAITING, load<i32>(s + L.S_WAITING) + count);
  waitingTotal += count;
  if (load<i32>(s + L.S_WAIT_NEXT) != L.NOT_WAITING) return; // still linked, maybe from a former registration
  store<i32>(s + L.S_WAIT_NEXT, -1);
  if (waitTail >= 0) store<i32>(slotAt(waitTail) + L.S_WAIT_NEXT, slot);
  else waitHead = slot;
  waitTail = slot;
}

/** Asks for `count` accepts on a listener; they are posted as contexts allow, in FIFO order. */
export function queueAccepts(slot: i32, count: i32): void {
  joinWaiting(slot, count);
}

/** The shim found data for an armed read and the ring empty: the slot waits for REQ_RESUME. */
export function onNoBuffer(slot: i32, gen: i32): void {
  if (!slotLive(slot, gen) || load<i32>(slotAt(slot) + L.S_WAITING) > 0) return;
  joinWaiting(slot, 1);
}

/** Drops a removed slot's waiting; its list entry is skipped when the list is walked. */
export function forgetWaiting(slot: i32): void {
  const s = slotAt(slot);
  if (load<i32>(s + L.S_KIND) != KIND_LISTENER) armedTotal -= load<i32>(s + L.S_READS);
  waitingTotal -= load<i32>(s + L.S_WAITING);
  store<i32>(s + L.S_WAITING, 0);
}

function popWaiting(): void {
  if (!ASC_NO_ASSERT) assert(waitingTotal >= 0, 'fewer waiting reads than none');
  const s = slotAt(waitHead);
  const next = load<i32>(s + L.S_WAIT_NEXT);
  store<i32>(s + L.S_WAIT_NEXT, L.NOT_WAITING);
  waitHead = next;
  if (next < 0) waitTail = -1;
}

/** Posts what of a listener's waiting accepts the pool allows; true when none is left waiting. */
function bindAccepts(slot: i32): bool {
  const s = slotAt(slot);
  const fd = load<i32>(s + L.S_FD);
  const gen = load<i32>(s + L.S_GEN);
  let n = load<i32>(s + L.S_WAITING);
  while (n > 0 && freeContexts() > 0 && requestSpace() > 0) {
    const ctx = allocContext(OP_ACCEPT, slot, gen);
    pushRequest(REQ_ACCEPT, fd, ctx, <i32>bufferAt(ctx), L.bufferSize, 0, gen);
    store<i32>(s + L.S_READS, load<i32>(s + L.S_READS) + 1);
    n--;
    waitingTotal--;
  }
  store<i32>(s + L.S_WAITING, n);
  return n == 0;
}

/**
 * At the start of a wait, before buffers are provided: serves the waiting list in order. Each
 * resumed fd is counted against the free contexts it will take from the ring; the first entry
 * that cannot be served stops the walk, so later ones never overtake it.
 */
export function serveWaiting(): void {
  let resumed = 0;
  while (waitHead >= 0) {
    const slot = waitHead;
    const s = slotAt(slot);
    if (load<i32>(s + L.S_WAITING) > 0 && load<i32>(s + L.S_KIND) >= 0) {
      if (load<i32>(s + L.S_KIND) == KIND_LISTENER) {
        if (!bindAccepts(slot)) return;
      } else {
        if (freeContexts() - resumed <= 0 || requestSpace() < 1) return;
        pushRequest(REQ_RESUME, load<i32>(s + L.S_FD), slot, 0, 0, 0, load<i32>(s + L.S_GEN));
        store<i32>(s + L.S_WAITING, 0);
        waitingTotal--;
        resumed++;
      }
    }
    popWaiting();
  }
}

/**
 * Splits a write of `len` bytes over as many contexts as it needs, all or nothing. Their buffers'
 * offsets go to the write scratch for the host to copy the bytes in, unless they are in this memory
 * at `from` (>= 0: a delivered buffer), copied here; returns how many, or an error (ERR_NOBUFS:
 * not enough free contexts now; the host queues the write or refuses it).
 */
export function postWrite(slot: i32, len: i32, from: i32): i32 {
  const parts = (len + L.bufferSize - 1) / L.bufferSize;
  if (parts > freeContexts()) return ERR_NOBUFS;
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
    store<i32>(L.writeScratchAt + <usize>i * 4, <i32>bufferAt(ctx));
    if (from >= 0) memory.copy(bufferAt(ctx), <usize>from + <usize>i * L.bufferSize, partLen);
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

/**
 * A read that ended without data (end of stream, failure) has no buffer: its event rides on the
 * slot's queue node, which counts such endings in N_BYTES so each still is one event.
 */
function queueReadEnd(slot: i32, type: i32, osCode: i32): void {
  const s = slotAt(slot);
  if (load<i32>(s + L.N_QUEUED)) {
    // Queued already, for a failed add (which counts as one event) or earlier endings.
    store<i32>(s + L.N_TYPE, load<i32>(s + L.N_TYPE) | type);
    store<i32>(s + L.N_BYTES, max(load<i32>(s + L.N_BYTES), 1) + 1);
    laterReadEnds++;
    return;
  }
  store<i32>(s + L.N_TYPE, type);
  store<i32>(s + L.N_BYTES, 1);
  store<i32>(s + L.N_CODE, portableCode(codeSpace, osCode));
  store<i32>(s + L.N_OS_CODE, osCode);
  enqueue(slotNode(slot));
}

/** A slot node leaves the queue (delivered, or its fd removed): its merged endings go with it,
 * except `kept`, which the node carries when it is queued again. */
export function dropReadEnds(slot: i32, kept: i32): void {
  const n = load<i32>(slotAt(slot) + L.N_BYTES);
  if (n > 1) laterReadEnds -= n - 1 - kept;
}

/** An armed read ended: `bytes` in provided buffer `buffer`, or (buffer -1) end of stream or failure. */
export function onRecv(slot: i32, gen: i32, bytes: i32, osCode: i32, buffer: i32): i32 {
  if (!ASC_NO_ASSERT) assert(slot >= 0 && slot < L.maxSockets, 'a recv result names a slot out of range');
  if (!ASC_NO_ASSERT) assert(buffer < 0 || bytes > 0, 'a recv result names a buffer it put no bytes in');
  if (slot < 0 || slot >= L.maxSockets) return ERR_INVAL;
  if (buffer >= 0 && !claimProvided(buffer, slot, gen)) return ERR_INVAL;
  if (!slotLive(slot, gen)) {
    if (buffer >= 0) freeContext(buffer);
    return OK;
  }
  const s = slotAt(slot);
  store<i32>(s + L.S_READS, load<i32>(s + L.S_READS) - 1);
  armedTotal--;
  if (buffer >= 0) {
    queueEvent(buffer, slot, successEvent(OP_RECV, bytes), bytes, 0, -1);
    return OK;
  }
  queueReadEnd(slot, osCode != 0 ? failureEvent(codeSpace, osCode) : EV_CLOSE, osCode);
  return OK;
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
  if (failure == 0 && quietWrites) {
    freeContext(head);
    return;
  }
  const type = failure != 0 ? failureEvent(codeSpace, failure) : EV_WRITE;
  queueEvent(head, slot, type, load<i32>(h + L.N_BYTES), failure, -1);
}

/** A connection accepted for a listener that is gone: nobody will see it, so it is closed. */
export function closeUnclaimed(accepted: i32): void {
  if (accepted >= 0 && requestSpace() > 0) pushRequest(REQ_CLOSE, accepted, -1, 0, 0, 0, 0);
}

/** A send part or an accept finished (reads end in `onRecv`). */
export function onComplete(ctx: i32, bytes: i32, osCode: i32, accepted: i32): i32 {
  if (ctx < 0 || ctx >= L.poolSize) return ERR_INVAL;
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
