// The ready queue: an intrusive doubly linked FIFO over contexts and slots, so an fd's pending
// event can be merged, and unlinked on remove, in O(1). Node ids: contexts first, then slots.
import * as L from './layout';
import { contextAt } from './pool';
import { slotAt } from './table';

let head: i32 = -1;
let tail: i32 = -1;
let length: i32 = 0;
let contextNodes: i32 = 0;

export function nodeAt(node: i32): usize {
  return node < L.poolSize ? contextAt(node) : slotAt(node - L.poolSize);
}

export function slotNode(slot: i32): i32 {
  return L.poolSize + slot;
}
export function queueLength(): i32 {
  return length;
}
/** Queued completions that hold a context (a read that ended without data holds none). */
export function queuedContexts(): i32 {
  return contextNodes;
}
export function queueHead(): i32 {
  return head;
}
export function nextNode(node: i32): i32 {
  return load<i32>(nodeAt(node) + L.N_NEXT);
}

export function resetQueue(): void {
  head = -1;
  tail = -1;
  length = 0;
  contextNodes = 0;
}

export function enqueue(node: i32): void {
  if (!ASC_NO_ASSERT) assert(node >= 0 && node < L.poolSize + L.maxSockets, 'enqueue of a node out of range');
  const n = nodeAt(node);
  if (!ASC_NO_ASSERT) assert(load<i32>(n + L.N_QUEUED) == 0, 'a node enqueued twice');
  if (!ASC_NO_ASSERT) assert(length < L.poolSize + L.maxSockets, 'the ready queue holds more nodes than exist');
  store<i32>(n + L.N_PREV, tail);
  store<i32>(n + L.N_NEXT, -1);
  store<i32>(n + L.N_QUEUED, 1);
  if (tail >= 0) store<i32>(nodeAt(tail) + L.N_NEXT, node);
  else head = node;
  tail = node;
  length++;
  if (node < L.poolSize) contextNodes++;
}

/** Puts a node back at the head: events it still carries were queued before the rest. */
export function enqueueFirst(node: i32): void {
  if (!ASC_NO_ASSERT) assert(node >= 0 && node < L.poolSize + L.maxSockets, 'enqueueFirst of a node out of range');
  const n = nodeAt(node);
  if (!ASC_NO_ASSERT) assert(load<i32>(n + L.N_QUEUED) == 0, 'a node enqueued twice');
  store<i32>(n + L.N_PREV, -1);
  store<i32>(n + L.N_NEXT, head);
  store<i32>(n + L.N_QUEUED, 1);
  if (head >= 0) store<i32>(nodeAt(head) + L.N_PREV, node);
  else tail = node;
  head = node;
  length++;
  if (node < L.poolSize) contextNodes++;
}

export function unlink(node: i32): void {
  const n = nodeAt(node);
  if (!ASC_NO_ASSERT) assert(load<i32>(n + L.N_QUEUED) == 1 && length > 0, 'unlink of a node not in the ready queue');
  const prev = load<i32>(n + L.N_PREV);
  const next = load<i32>(n + L.N_NEXT);
  if (prev >= 0) store<i32>(nodeAt(prev) + L.N_NEXT, next);
  else head = next;
  if (next >= 0) store<i32>(nodeAt(next) + L.N_PREV, prev);
  else tail = prev;
  store<i32>(n + L.N_QUEUED, 0);
  length--;
  if (node < L.poolSize) contextNodes--;
}

/** The head's unlink, with what is known of a head (no previous node) taken as known. */
export function dequeue(): i32 {
  const node = head;
  if (node < 0) return node;
  const n = nodeAt(node);
  if (!ASC_NO_ASSERT) assert(load<i32>(n + L.N_QUEUED) == 1 && load<i32>(n + L.N_PREV) < 0, 'the ready queue head is not linked as one');
  const next = load<i32>(n + L.N_NEXT);
  head = next;
  if (next >= 0) store<i32>(nodeAt(next) + L.N_PREV, -1);
  else tail = -1;
  store<i32>(n + L.N_QUEUED, 0);
  length--;
  if (node < L.poolSize) contextNodes--;
  return node;
}
