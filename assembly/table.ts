// The registration table: fd → slot in O(1) by open addressing (linear probing, backward-shift
// deletion, so no tombstones), over a fixed array of `maxSockets` slots.
import * as L from './layout';

let freeSlotCount: i32 = 0;
// Free slots are chained through their S_FD (a free slot has no fd): no array beside the table.
let freeSlotHead: i32 = -1;

export function slotAt(slot: i32): usize {
  return L.slotsAt + <usize>slot * L.RECORD_BYTES;
}

// fds are small integers handed out lowest first: each below half the capacity has its own even
// entry, so a server's fds sit side by side in a few cache lines and pages (a multiplicative hash
// spread them over the whole table, a cache and TLB miss per lookup), while the odd entries between
// them stay free: a lookup that misses, or an fd that collides (high bits fold in), ends within a
// probe or two instead of scanning a run of consecutive fds.
function home(fd: i32): i32 {
  const bits = 32 - L.hashShift;
  return ((fd ^ (fd >>> (bits - 1))) << 1) & (L.hashCapacity - 1);
}

function entryAt(i: i32): usize {
  return L.hashAt + <usize>i * 4;
}

export function resetTable(): void {
  for (let i = 0; i < L.hashCapacity; i++) store<i32>(entryAt(i), 0);
  for (let s = 0; s < L.maxSockets; s++) {
    store<i32>(slotAt(s) + L.S_FD, s + 1 < L.maxSockets ? s + 1 : -1);
    store<i32>(slotAt(s) + L.S_KIND, -1);
    store<i32>(slotAt(s) + L.S_GEN, 0);
    store<i32>(slotAt(s) + L.S_WAIT_NEXT, L.NOT_WAITING);
  }
  freeSlotCount = L.maxSockets;
  freeSlotHead = 0;
}

/** Slot of a registered fd, or -1. */
export function findSlot(fd: i32): i32 {
  const mask = L.hashCapacity - 1;
  for (let i = home(fd); ; i = (i + 1) & mask) {
    const e = load<i32>(entryAt(i));
    if (e == 0) return -1;
    if (load<i32>(slotAt(e - 1) + L.S_FD) == fd) return e - 1;
  }
  // biome-ignore lint/correctness/noUnreachable: asc asks for a return after an endless loop (TS2355)
  return -1;
}

export function registeredCount(): i32 {
  return L.maxSockets - freeSlotCount;
}
export function tableFull(): bool {
  return freeSlotCount == 0;
}

/** Registers an fd that is not yet present; the caller has checked `tableFull()`. */
export function insertSlot(fd: i32, kind: i32, mask: i32): i32 {
  if (!ASC_NO_ASSERT) assert(freeSlotCount > 0, 'insertSlot into a full table');
  // Linear probing stays short, and always ends at an empty entry, while the load is at most half.
  if (!ASC_NO_ASSERT) assert((registeredCount() + 1) * 2 <= L.hashCapacity, 'the hash table is over half full');
  if (!ASC_NO_ASSERT) assert(findSlot(fd) < 0, 'insertSlot of an fd already registered');
  freeSlotCount--;
  const slot = freeSlotHead;
  const s = slotAt(slot);
  freeSlotHead = load<i32>(s + L.S_FD);
  if (!ASC_NO_ASSERT) assert(load<i32>(s + L.S_KIND) < 0, 'the free slot list holds a slot in use');
  store<i32>(s + L.S_FD, fd);
  store<i32>(s + L.S_KIND, kind);
  store<i32>(s + L.S_MASK, mask);
  store<i32>(s + L.S_READS, 0);
  store<i32>(s + L.S_WAITING, 0);
  // S_WAIT_NEXT is left alone: a reused slot may still be linked in the buffer-waiting list.
  store<i32>(s + L.S_QUEUED_CTX, 0);
  store<i32>(s + L.N_QUEUED, 0);
  store<i32>(s + L.N_TYPE, 0);
  store<i32>(s + L.N_BYTES, 0);
  const mask2 = L.hashCapacity - 1;
  let i = home(fd);
  while (load<i32>(entryAt(i)) != 0) i = (i + 1) & mask2;
  store<i32>(entryAt(i), slot + 1);
  return slot;
}

/** Unregisters a slot found by `findSlot`; its generation moves on so stale results are dropped. */
export function eraseSlot(slot: i32): void {
  if (!ASC_NO_ASSERT) assert(slot >= 0 && slot < L.maxSockets && load<i32>(slotAt(slot) + L.S_KIND) >= 0, 'eraseSlot of a slot not in use');
  const mask = L.hashCapacity - 1;
  const fd = load<i32>(slotAt(slot) + L.S_FD);
  let i = home(fd);
  while (load<i32>(entryAt(i)) != slot + 1) i = (i + 1) & mask;
  // Backward shift: pull later entries of the probe run into the hole.
  for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
    const e = load<i32>(entryAt(j));
    if (e == 0) break;
    const k = home(load<i32>(slotAt(e - 1) + L.S_FD));
    const stays = i <= j ? i < k && k <= j : i < k || k <= j;
    if (stays) continue;
    store<i32>(entryAt(i), e);
    i = j;
  }
  store<i32>(entryAt(i), 0);
  const s = slotAt(slot);
  store<i32>(s + L.S_KIND, -1);
  store<i32>(s + L.S_GEN, load<i32>(s + L.S_GEN) + 1);
  store<i32>(s + L.S_FD, freeSlotHead);
  freeSlotHead = slot;
  freeSlotCount++;
}

export function slotLive(slot: i32, gen: i32): bool {
  const s = slotAt(slot);
  return load<i32>(s + L.S_KIND) >= 0 && load<i32>(s + L.S_GEN) == gen;
}
