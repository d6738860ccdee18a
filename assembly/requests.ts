// The request buffer: what the core asks the shim to do at the next wait, in order.
import * as L from './layout';
import {
  ENTRY_BYTES,
  REQUEST_KIND,
  REQUEST_FD,
  REQUEST_TARGET,
  REQUEST_PTR,
  REQUEST_LEN,
  REQUEST_MASK,
  REQUEST_GEN,
  REQUEST_RESERVED,
} from './seam';

let count: i32 = 0;
// The first `handed` requests went to the shim at the start of the wait in progress: it performed
// them already, so they can no longer be withdrawn.
let handed: i32 = 0;

export function requestCount(): i32 {
  return count;
}
export function requestSpace(): i32 {
  return L.requestCapacity - count;
}
export function handedRequests(): i32 {
  return handed;
}
export function clearRequests(): void {
  count = 0;
  handed = 0;
}

/** A wait starts: every queued request goes to the shim; returns how many. */
export function handRequests(): i32 {
  handed = count;
  return count;
}

/** Drops the first `n` requests, which the shim performed; later ones (made during an async
 * wait) move to the front for the next wait. */
export function consumeRequests(n: i32): void {
  handed = 0;
  if (n >= count) {
    count = 0;
    return;
  }
  if (n <= 0) return;
  memory.copy(L.requestsAt, L.requestsAt + <usize>n * ENTRY_BYTES, <usize>(count - n) * ENTRY_BYTES);
  count -= n;
}

export function requestAt(i: i32): usize {
  if (!ASC_NO_ASSERT) assert(i >= 0 && i < count, 'requestAt beyond the queued requests');
  return L.requestsAt + <usize>i * ENTRY_BYTES;
}

export function pushRequest(kind: i32, fd: i32, target: i32, ptr: i32, len: i32, mask: i32, gen: i32): void {
  if (!ASC_NO_ASSERT) assert(count < L.requestCapacity, 'pushRequest into a full request buffer');
  const e = L.requestsAt + <usize>count * ENTRY_BYTES;
  store<i32>(e + REQUEST_KIND, kind);
  store<i32>(e + REQUEST_FD, fd);
  store<i32>(e + REQUEST_TARGET, target);
  store<i32>(e + REQUEST_PTR, ptr);
  store<i32>(e + REQUEST_LEN, len);
  store<i32>(e + REQUEST_MASK, mask);
  store<i32>(e + REQUEST_GEN, gen);
  store<i32>(e + REQUEST_RESERVED, 0);
  count++;
}
