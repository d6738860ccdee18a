// The core's exports: plain i32 calls only, so the host never pays for managed-type lowering.
// Invariants are stated as `if (!ASC_NO_ASSERT) assert(...)`: checked in build/core-debug.wasm,
// gone with their conditions from the release build (asc --noAssert alone still evaluates them).
import * as L from './layout';
import {
  RES_READY,
  RES_COMPLETE,
  RES_ADD_FAILED,
  RES_RECV,
  RES_NO_BUFFER,
  OK,
  ERR_NOENT,
  ERR_INVAL,
  ERR_REQUESTS_FULL,
  ENTRY_BYTES,
  MAX_EVENTS_PER_WAIT,
  RESULT_KIND,
  RESULT_TARGET,
  RESULT_VALUE,
  RESULT_OS_CODE,
  RESULT_ACCEPTED,
  RESULT_GEN,
  RESULT_BUFFER,
} from './seam';
import { configure, isCompletion } from './config';
import { resetPool, bufferAt, releaseHeld, contextsInUse, contextsHighWater, heldContexts, freeContexts } from './pool';
import { resetTable, findSlot, registeredCount } from './table';
import { resetQueue, queueLength, queuedContexts } from './queue';
import { clearRequests, consumeRequests, handRequests, requestCount, requestSpace } from './requests';
import { onReady, onAddFailed, resetReadiness } from './readiness';
import {
  resetCompletion,
  serveWaiting,
  waitingReads,
  postWrite as splitWrite,
  onComplete,
  onRecv,
  onNoBuffer,
  mergedReadEnds,
} from './completion';
import { resetProvided, provide, reclaimProvided } from './provided';
import { add as addFd, modify as modifyFd, remove as removeFd, startReading } from './registry';
import { collect as collectEvents } from './delivery';
import {
  tableRows as rows,
  tableCell as cell,
  portableCode,
  failureEvent,
  successEvent,
  flagsFromRevents,
  readinessTable,
} from './translate';

export { MAX_POOL_SIZE, MIN_BUFFER_SIZE, MAX_BUFFER_SIZE, MAX_SOCKETS_LIMIT, MAX_EVENTS_PER_WAIT } from './seam';

/** Bytes of memory the given sizes need (0: out of range). Call before `init`; grow memory to it. */
export function plan(poolSize: i32, bufferSize: i32, maxSockets: i32): f64 {
  return <f64>L.plan(poolSize, bufferSize, maxSockets);
}

/** `quietWrites` 1: successful writes end without an event (completion). */
export function init(model: i32, mechanism: i32, codeSpace: i32, quietWrites: i32): i32 {
  if (L.endAt == 0 || !L.memoryFits()) return ERR_INVAL;
  configure(model, mechanism, codeSpace, quietWrites != 0);
  resetPool();
  resetTable();
  resetQueue();
  clearRequests();
  resetCompletion();
  resetProvided();
  resetReadiness();
  return OK;
}

export function add(fd: i32, events: i32, kind: i32): i32 {
  return addFd(fd, events, kind);
}
export function modify(fd: i32, events: i32): i32 {
  return modifyFd(fd, events);
}
export function remove(fd: i32): i32 {
  return removeFd(fd);
}
export function slotOf(fd: i32): i32 {
  return findSlot(fd);
}

export function postRead(fd: i32): i32 {
  const slot = findSlot(fd);
  if (slot < 0) return ERR_NOENT;
  if (!isCompletion()) return ERR_INVAL;
  if (requestSpace() < 1) return ERR_REQUESTS_FULL;
  startReading(slot, false);
  return OK;
}

/** Contexts for a write of `len` bytes; their buffers' offsets are at `writeScratchAt()`. With
 * `from` >= 0 the bytes are in this memory already, at `from`, and are copied in here. */
export function postWrite(fd: i32, len: i32, from: i32): i32 {
  const slot = findSlot(fd);
  if (slot < 0) return ERR_NOENT;
  if (!isCompletion() || len <= 0) return ERR_INVAL;
  return splitWrite(slot, len, from);
}

/** Start of a wait: the last wait's delivered buffers come back (the host may now start its
 * queued writes, then calls `lendBuffers`). */
export function beginWait(): void {
  releaseHeld();
}

/** Then waiting reads and accepts are served in order, and every free context is provided for
 * the reads the OS has data for. Returns the requests for the shim. */
export function lendBuffers(): i32 {
  if (isCompletion()) {
    serveWaiting();
    provide();
  }
  return handRequests();
}

/** After the shim performed the first `performed` requests and wrote `results` raw results. */
export function endWait(results: i32, performed: i32): i32 {
  consumeRequests(performed);
  if (results < 0 || results > L.resultCapacity) return ERR_INVAL;
  for (let i = 0; i < results; i++) {
    const r = L.resultsAt + <usize>i * ENTRY_BYTES;
    const kind = load<i32>(r + RESULT_KIND);
    const target = load<i32>(r + RESULT_TARGET);
    const osCode = load<i32>(r + RESULT_OS_CODE);
    if (kind == RES_READY) onReady(target, load<i32>(r + RESULT_GEN), load<i32>(r + RESULT_VALUE), osCode);
    else if (kind == RES_COMPLETE) onComplete(target, load<i32>(r + RESULT_VALUE), osCode, load<i32>(r + RESULT_ACCEPTED));
    else if (kind == RES_ADD_FAILED) onAddFailed(target, load<i32>(r + RESULT_GEN), osCode);
    else if (kind == RES_RECV) onRecv(target, load<i32>(r + RESULT_GEN), load<i32>(r + RESULT_VALUE), osCode, load<i32>(r + RESULT_BUFFER));
    else if (kind == RES_NO_BUFFER) onNoBuffer(target, load<i32>(r + RESULT_GEN));
  }
  reclaimProvided();
  return queueLength() + mergedReadEnds();
}

export function collect(maxEvents: i32): i32 {
  if (maxEvents < 1 || maxEvents > MAX_EVENTS_PER_WAIT) return ERR_INVAL;
  return collectEvents(min(maxEvents, L.deliveredCapacity));
}

// Where the host and the shim find things.
export function requestsAt(): i32 {
  return <i32>L.requestsAt;
}
export function requestCapacity(): i32 {
  return L.requestCapacity;
}
export function pendingRequests(): i32 {
  return requestCount();
}
export function freeRequestEntries(): i32 {
  return requestSpace();
}
export function resultsAt(): i32 {
  return <i32>L.resultsAt;
}
export function resultCapacity(): i32 {
  return L.resultCapacity;
}
export function deliveredAt(): i32 {
  return <i32>L.deliveredAt;
}
export function writeScratchAt(): i32 {
  return <i32>L.writeScratchAt;
}
export function providedAt(): i32 {
  return <i32>L.providedAt;
}
export function contextBufferAt(ctx: i32): i32 {
  return <i32>bufferAt(ctx);
}

// stats()
export function poolInUse(): i32 {
  return contextsInUse();
}
export function poolHighWater(): i32 {
  return contextsHighWater();
}
export function poolHeld(): i32 {
  return heldContexts();
}
export function poolFree(): i32 {
  return freeContexts();
}
export function readsWaiting(): i32 {
  return waitingReads();
}
export function registered(): i32 {
  return registeredCount();
}
export function readyQueued(): i32 {
  return queueLength() + mergedReadEnds();
}
export function poolQueued(): i32 {
  return queuedContexts();
}

// Translation tables, exported as data.
export function tableRows(table: i32): i32 {
  return rows(table);
}
export function tableCell(table: i32, row: i32, column: i32): i32 {
  return cell(table, row, column);
}
export function translateError(codeSpace: i32, osCode: i32): i32 {
  return portableCode(codeSpace, osCode);
}
export function translateFailure(codeSpace: i32, osCode: i32): i32 {
  return failureEvent(codeSpace, osCode);
}
export function translateSuccess(op: i32, bytes: i32): i32 {
  return successEvent(op, bytes);
}
export function translateRevents(usePoll: i32, revents: i32): i32 {
  return flagsFromRevents(readinessTable(usePoll != 0), revents);
}
