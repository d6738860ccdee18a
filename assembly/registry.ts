// add / modify / remove: every check happens before anything changes, so a refused call leaves
// the core exactly as it was.
import * as L from './layout';
import {
  EV_READ,
  EV_WRITE,
  EV_ACCEPT,
  KIND_LISTENER,
  REQ_ADD,
  REQ_MODIFY,
  REQ_REMOVE,
  REQ_NONE,
  REQ_RECV,
  REQ_SEND,
  REQ_ACCEPT,
  REQ_RESUME,
  OK,
  ERR_EXIST,
  ERR_NOENT,
  ERR_INVAL,
  ERR_NOSPC,
  ERR_REQUESTS_FULL,
  REQUEST_KIND,
  REQUEST_TARGET,
  REQUEST_GEN,
} from './seam';
import { isCompletion } from './config';
import { findSlot, insertSlot, eraseSlot, slotAt, tableFull } from './table';
import { contextAt, freeContext } from './pool';
import { unlink, slotNode, queueHead, nextNode } from './queue';
import { pushRequest, requestSpace, requestCount, requestAt, handedRequests } from './requests';
import { armRead, queueAccepts, forgetWaiting, closeUnclaimed, dropReadEnds } from './completion';

const INTEREST: i32 = EV_READ | EV_WRITE;
// A completion listener keeps several accepts posted (as IOCP servers pre-post AcceptEx), so a
// burst of connections is taken in one wait; small pools keep one, to leave room for reads.
const LISTENER_ACCEPTS_MAX: i32 = 8;
const POOL_SHARE_PER_ACCEPT: i32 = 16;

/** Posts one read, or a listener's accepts; the caller checked there is one request of room. */
export function startReading(slot: i32, first: bool): void {
  if (!isListener(slot)) {
    armRead(slot);
    return;
  }
  queueAccepts(slot, first ? max(1, min(LISTENER_ACCEPTS_MAX, L.poolSize / POOL_SHARE_PER_ACCEPT)) : 1);
}

export function add(fd: i32, events: i32, kind: i32): i32 {
  if (fd < 0 || kind < 0 || kind > 2) return ERR_INVAL;
  if (findSlot(fd) >= 0) return ERR_EXIST;
  if (tableFull()) return ERR_NOSPC;
  const postsRead = isCompletion() && (events & EV_READ) != 0;
  if (requestSpace() < (postsRead ? 2 : 1)) return ERR_REQUESTS_FULL;
  const slot = insertSlot(fd, kind, events);
  const gen = load<i32>(slotAt(slot) + L.S_GEN);
  pushRequest(REQ_ADD, fd, slot, 0, kind, isCompletion() ? 0 : events & INTEREST, gen);
  if (postsRead) startReading(slot, true);
  return slot;
}

export function modify(fd: i32, events: i32): i32 {
  const slot = findSlot(fd);
  if (slot < 0) return ERR_NOENT;
  const s = slotAt(slot);
  if (isCompletion()) {
    const wasReading = (load<i32>(s + L.S_MASK) & EV_READ) != 0 || load<i32>(s + L.S_READS) + load<i32>(s + L.S_WAITING) > 0;
    const startsRead = (events & EV_READ) != 0 && !wasReading;
    if (startsRead && requestSpace() < 1) return ERR_REQUESTS_FULL;
    store<i32>(s + L.S_MASK, events);
    if (startsRead) startReading(slot, true);
    return OK;
  }
  if (requestSpace() < 1) return ERR_REQUESTS_FULL;
  store<i32>(s + L.S_MASK, events);
  pushRequest(REQ_MODIFY, fd, slot, 0, 0, events & INTEREST, load<i32>(s + L.S_GEN));
  return OK;
}

/** Drops this slot's undelivered completions; their contexts go back to the pool. */
function purgeQueuedCompletions(slot: i32): void {
  let node = queueHead();
  while (node >= 0 && load<i32>(slotAt(slot) + L.S_QUEUED_CTX) > 0) {
    const next = nextNode(node);
    if (node < L.poolSize && load<i32>(contextAt(node) + L.C_SLOT) == slot) {
      unlink(node);
      if (load<i32>(contextAt(node) + L.N_TYPE) == EV_ACCEPT) closeUnclaimed(load<i32>(contextAt(node) + L.N_ACCEPTED));
      freeContext(node);
      store<i32>(slotAt(slot) + L.S_QUEUED_CTX, load<i32>(slotAt(slot) + L.S_QUEUED_CTX) - 1);
    }
    node = next;
  }
}

/** Withdraws this slot's I/O the shim has not seen yet: a write posted before remove never goes out.
 * What a pending wait already handed over stays with the shim, which cancels it on the remove. */
function withdrawRequests(slot: i32, gen: i32): void {
  for (let i = handedRequests(), n = requestCount(); i < n; i++) {
    const r = requestAt(i);
    const kind = load<i32>(r + REQUEST_KIND);
    if (kind == REQ_RECV || kind == REQ_RESUME) {
      if (load<i32>(r + REQUEST_TARGET) == slot && load<i32>(r + REQUEST_GEN) == gen) store<i32>(r + REQUEST_KIND, REQ_NONE);
      continue;
    }
    if (kind != REQ_SEND && kind != REQ_ACCEPT) continue;
    const ctx = load<i32>(r + REQUEST_TARGET);
    const c = contextAt(ctx);
    if (load<i32>(c + L.C_SLOT) != slot || load<i32>(c + L.C_GEN) != gen) continue;
    store<i32>(r + REQUEST_KIND, REQ_NONE);
    freeContext(ctx);
  }
}

/** 1 when the fd was registered, 0 when not. In-flight operations are cancelled by the shim. */
export function remove(fd: i32): i32 {
  const slot = findSlot(fd);
  if (slot < 0) return 0;
  if (requestSpace() < 1) return ERR_REQUESTS_FULL;
  const s = slotAt(slot);
  if (load<i32>(s + L.N_QUEUED)) {
    dropReadEnds(slot, 0);
    unlink(slotNode(slot));
  }
  purgeQueuedCompletions(slot);
  withdrawRequests(slot, load<i32>(s + L.S_GEN));
  forgetWaiting(slot);
  pushRequest(REQ_REMOVE, fd, slot, 0, 0, 0, load<i32>(s + L.S_GEN));
  eraseSlot(slot);
  return 1;
}

function isListener(slot: i32): bool {
  return load<i32>(slotAt(slot) + L.S_KIND) == KIND_LISTENER;
}
