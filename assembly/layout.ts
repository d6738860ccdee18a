// Where everything lives in linear memory. `plan` places every region once, from the configured
// sizes; the memory is then grown once by the host and never again (a grown memory detaches views).
import {
  ENTRY_BYTES,
  PROVIDED_HEADER_BYTES,
  PROVIDED_ENTRY_BYTES,
  MAX_POOL_SIZE,
  MIN_BUFFER_SIZE,
  MAX_BUFFER_SIZE,
  MAX_SOCKETS_LIMIT,
  MAX_EVENTS_PER_WAIT,
} from './seam';

export const RECORD_BYTES: usize = 64; // a context or a registration slot
export const BUFFER_ALIGN: usize = 16;

export const MAX_MEMORY_BYTES: u64 = 1 << 31;
// Requests queue between waits: beyond the pool-bound ones, add/modify/remove, this many per fd
// maxSockets allows and at most REQUEST_SLACK, fit before the host flushes them (a full queue is
// a flush, or EBUSY during an async wait). Per fd, not fixed: a simulation opens a reactor per
// host, and 4096 entries of slack for a host of 8 fds made its core 9 times the size it needed.
export const REQUEST_SLACK: i32 = 4096;
export const REQUEST_SLACK_PER_SOCKET: i32 = 8;

// Fields shared by every queue node (context or slot): links and the event payload.
export const N_PREV: usize = 0;
export const N_NEXT: usize = 4;
export const N_TYPE: usize = 8;
export const N_BYTES: usize = 12;
export const N_CODE: usize = 16;
export const N_OS_CODE: usize = 20;
export const N_ACCEPTED: usize = 24;
export const N_QUEUED: usize = 28;

// Context fields.
export const C_STATE: usize = 32;
export const C_OP: usize = 36;
export const C_SLOT: usize = 40;
export const C_GEN: usize = 44;
export const C_LEN: usize = 48;
export const C_WRITE_HEAD: usize = 52; // first context of the write this part belongs to
export const C_WRITE_PARTS: usize = 56; // on the head: parts not yet completed
export const C_WRITE_OS_CODE: usize = 60; // on the head: first failure among the parts

// Slot fields.
export const S_FD: usize = 32;
export const S_GEN: usize = 36;
export const S_KIND: usize = 40; // KIND_*, or -1 when the slot is free
export const S_MASK: usize = 44; // the events the app asked for
export const S_READS: usize = 48; // reads armed at the shim, or accepts handed to it, not yet completed
export const S_WAITING: usize = 52; // accepts waiting for a context, or 1: ready reads waiting for a buffer
export const S_WAIT_NEXT: usize = 56; // next slot in the buffer-waiting list, or NOT_WAITING
export const NOT_WAITING: i32 = -2;
export const S_QUEUED_CTX: usize = 60; // this slot's completion events in the ready queue

export let poolSize: i32 = 0;
export let bufferSize: i32 = 0;
export let maxSockets: i32 = 0;
export let hashCapacity: i32 = 0;
export let hashShift: i32 = 0;
export let requestCapacity: i32 = 0;
export let resultCapacity: i32 = 0;
export let deliveredCapacity: i32 = 0;

export let contextsAt: usize = 0;
export let buffersAt: usize = 0;
export let slotsAt: usize = 0;
export let hashAt: usize = 0;
export let freeContextsAt: usize = 0;
export let heldAt: usize = 0;
export let providedAt: usize = 0;
export let requestsAt: usize = 0;
export let resultsAt: usize = 0;
export let deliveredAt: usize = 0;
export let writeScratchAt: usize = 0;
export let endAt: usize = 0;

function align(n: usize, to: usize): usize {
  return (n + to - 1) & ~(to - 1);
}

function region(at: usize, bytes: usize): usize {
  return align(at + bytes, BUFFER_ALIGN);
}

/** Places every region; returns the bytes of memory needed, or 0 when the sizes are out of range. */
export function plan(pool: i32, buffer: i32, sockets: i32): u64 {
  if (pool < 1 || pool > MAX_POOL_SIZE) return 0;
  if (buffer < MIN_BUFFER_SIZE || buffer > MAX_BUFFER_SIZE) return 0;
  if (sockets < 1 || sockets > MAX_SOCKETS_LIMIT) return 0;
  const bufferBytes = <u64>pool * <u64>align(<usize>buffer, BUFFER_ALIGN);
  if (bufferBytes > MAX_MEMORY_BYTES / 2) return 0;

  poolSize = pool;
  bufferSize = buffer;
  maxSockets = sockets;
  hashShift = 32 - (31 - clz<i32>(sockets * 2 - 1) + 1);
  hashCapacity = 1 << (32 - hashShift);
  requestCapacity = pool * 2 + min(REQUEST_SLACK, sockets * REQUEST_SLACK_PER_SOCKET);
  // Per cycle: a completion per context, a failed add per add request, and readiness (or a read
  // that found no buffer) per fd, at most as many as one wait delivers: the shim leaves the rest
  // ready for the next wait, so this part need not grow with maxSockets.
  resultCapacity = pool + requestCapacity + min(sockets, MAX_EVENTS_PER_WAIT);
  // The ready queue holds a node per context and per slot: no wait delivers more than those (a
  // slot's merged read endings beyond them stay queued for the next, as beyond maxEvents).
  deliveredCapacity = min(pool + sockets, MAX_EVENTS_PER_WAIT);

  let at = align(__heap_base, BUFFER_ALIGN);
  contextsAt = at;
  at = region(at, <usize>pool * RECORD_BYTES);
  slotsAt = at;
  at = region(at, <usize>sockets * RECORD_BYTES);
  hashAt = at;
  at = region(at, <usize>hashCapacity * 4);
  freeContextsAt = at;
  at = region(at, <usize>pool * 4);
  heldAt = at;
  at = region(at, <usize>pool * 4);
  writeScratchAt = at;
  at = region(at, <usize>pool * 4);
  providedAt = at;
  at = region(at, PROVIDED_HEADER_BYTES + <usize>pool * PROVIDED_ENTRY_BYTES);
  requestsAt = at;
  at = region(at, <usize>requestCapacity * ENTRY_BYTES);
  resultsAt = at;
  at = region(at, <usize>resultCapacity * ENTRY_BYTES);
  deliveredAt = at;
  at = region(at, <usize>deliveredCapacity * ENTRY_BYTES);
  buffersAt = at;
  at = region(at, <usize>bufferBytes);
  endAt = at;
  if (!ASC_NO_ASSERT) assert(buffersAt + <usize>bufferBytes <= endAt, 'the regions overlap');
  const total = <u64>at;
  return total > MAX_MEMORY_BYTES ? 0 : total;
}

export function bufferStride(): usize {
  return align(<usize>bufferSize, BUFFER_ALIGN);
}

export function memoryFits(): bool {
  return (<u64>memory.size()) << 16 >= <u64>endAt;
}
