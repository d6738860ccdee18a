// The readiness model: one event per fd per wait, level-triggered. A ready fd's event is merged
// into its slot's queued event, so events left over by a small maxEvents are delivered first
// next time and never duplicated.
import * as L from './layout';
import { EV_ERROR, C_EBADF, POLLNVAL } from './seam';
import { codeSpace, usesPollBits } from './config';
import { flagsFromRevents, readinessTable, portableCode } from './translate';
import { slotAt, slotLive } from './table';
import { enqueue, slotNode } from './queue';

// The last revents translated, and its flags: a wait's results mostly carry the same bits (a
// server's sockets readable), so most skip the walk over the table.
let lastRevents: i32 = 0;
let lastFlags: i32 = 0;

/** At init: the table may be another mechanism's now. */
export function resetReadiness(): void {
  lastRevents = 0;
  lastFlags = 0;
}

function flagsOf(revents: i32): i32 {
  if (revents != lastRevents) {
    lastFlags = flagsFromRevents(readinessTable(usesPollBits()), revents);
    lastRevents = revents;
  }
  return lastFlags;
}

export function onReady(slot: i32, gen: i32, revents: i32, osCode: i32): void {
  if (!ASC_NO_ASSERT) assert(slot >= 0 && slot < L.maxSockets, 'a readiness result names a slot out of range');
  if (!slotLive(slot, gen)) return;
  const flags = flagsOf(revents);
  if (flags == 0) return;
  const s = slotAt(slot);
  if (flags & EV_ERROR) {
    const code = osCode != 0 ? portableCode(codeSpace, osCode) : revents & POLLNVAL ? C_EBADF : 0;
    store<i32>(s + L.N_CODE, code);
    store<i32>(s + L.N_OS_CODE, osCode);
  }
  if (load<i32>(s + L.N_QUEUED)) {
    store<i32>(s + L.N_TYPE, load<i32>(s + L.N_TYPE) | flags);
  } else {
    store<i32>(s + L.N_TYPE, flags);
    if (!(flags & EV_ERROR)) {
      store<i32>(s + L.N_CODE, 0);
      store<i32>(s + L.N_OS_CODE, 0);
    }
    enqueue(slotNode(slot));
  }
}

/** The shim could not register the fd (for example EBADF, ENOMEM): an ERROR event in either model. */
export function onAddFailed(slot: i32, gen: i32, osCode: i32): void {
  if (!ASC_NO_ASSERT) assert(slot >= 0 && slot < L.maxSockets, 'a failed add names a slot out of range');
  if (!slotLive(slot, gen)) return;
  const s = slotAt(slot);
  store<i32>(s + L.N_CODE, portableCode(codeSpace, osCode));
  store<i32>(s + L.N_OS_CODE, osCode);
  if (load<i32>(s + L.N_QUEUED)) {
    store<i32>(s + L.N_TYPE, load<i32>(s + L.N_TYPE) | EV_ERROR);
  } else {
    store<i32>(s + L.N_TYPE, EV_ERROR);
    enqueue(slotNode(slot));
  }
}
