// Says what a record means: for an event, the raw OS result it came from and how the core's
// translation tables (assembly/translate.ts, read from core.wasm) turn that into the event.
import type { TraceRecord, TraceReactor, ResultRecord, EventRecord } from '../../trace/format.js';
import { portableCodeName } from '../../codes.js';
import { RESULT, REQUEST, EVENT, EPOLL, POLL, WIN32, ERRNO } from '../../seam.js';
import type { TraceModel } from './model.js';

/** The core's translation tables, row by row (src/core.ts tableRows). */
export interface Tables {
  epoll: number[][];
  poll: number[][];
  errno: number[][];
  win32: number[][];
}

/** Number → name of each OS vocabulary (src/seam.ts). */
const namesOf = (numbers: Record<string, number>): Record<number, string> =>
  Object.fromEntries(Object.entries(numbers).map(([name, n]) => [n, name]));
const EPOLL_NAMES = namesOf(EPOLL);
const POLL_NAMES = namesOf(POLL);
const WIN32_NAMES = namesOf(WIN32);
const ERRNO_NAMES = namesOf(ERRNO);
const EVENT_NAMES: [number, string][] = Object.entries(EVENT).map(([name, bit]) => [bit, name]);
const REQUEST_NAMES = namesOf(REQUEST);

export function eventNames(flags: number): string {
  return EVENT_NAMES.filter(([bit]) => flags & bit).map(([, name]) => name).join('|') || 'none';
}

function bitNames(value: number, names: Record<number, string>): string {
  const parts = Object.entries(names).filter(([bit]) => value & Number(bit)).map(([, name]) => name);
  return parts.join('|') || '0';
}

/** The raw result behind an event, as the OS reported it, and the translation the tables give. */
export function translation(result: ResultRecord, reactor: TraceReactor, op: string, tables: Tables): string {
  if (result.kind === RESULT.ready) {
    const poll = reactor.mechanism === 'poll';
    const rows = poll ? tables.poll : tables.epoll;
    const flags = rows.reduce((acc, [bit, ev]) => (result.value & bit ? acc | ev : acc), 0);
    const hex = `0x${result.value.toString(16)}`;
    return `${poll ? 'poll' : 'epoll_wait'} revents ${hex} ${bitNames(result.value, poll ? POLL_NAMES : EPOLL_NAMES)} → ${eventNames(flags)}`;
  }
  const iocp = reactor.mechanism === 'iocp';
  if (result.osCode === 0) {
    const what = iocp ? `GQCS TRUE, ${result.value} bytes` : `${op} done, ${result.value} bytes`;
    const event = op === 'accept' ? 'ACCEPT' : op === 'send' ? 'WRITE' : result.value === 0 ? 'CLOSE (end of stream)' : 'READ';
    return `${what} → ${event}`;
  }
  const row = (iocp ? tables.win32 : tables.errno).find(([code]) => code === result.osCode);
  const name = (iocp ? WIN32_NAMES : ERRNO_NAMES)[result.osCode] ?? (iocp ? 'unknown Win32 code' : 'unknown errno');
  const outcome = row ? `${eventNames(row[2])} (${portableCodeName(row[1])})` : 'ERROR (EUNKNOWN)';
  return `${iocp ? 'GQCS FALSE' : `${op} failed, errno`} ${result.osCode} ${name} → ${outcome}`;
}

/** One line per fact about record `at`, for the details panel and the hover tip. */
export function describe(model: TraceModel, at: number, tables: Tables | null): string[] {
  const rec = model.records[at];
  const lane = model.laneOf[at] >= 0 ? model.lanes[model.laneOf[at]].name : '';
  const head = `#${at} t=${rec.t.toFixed(3)} ms ${lane}`;
  const lines = [head, summary(rec)];
  if (rec.k === 'event' && model.causeOf[at] >= 0 && tables) {
    const result = model.records[model.causeOf[at]] as ResultRecord;
    const span = model.spanOf[model.causeOf[at]];
    const op = span >= 0 ? model.spans[span].what : 'op';
    lines.push(`raw: ${translation(result, model.reactors[rec.r], op, tables)}`);
  }
  return lines;
}

function summary(rec: TraceRecord): string {
  switch (rec.k) {
    case 'call': return `call ${rec.op}${rec.fd !== undefined ? ` fd ${rec.fd}` : ''}${rec.events !== undefined ? ` ${eventNames(rec.events)}` : ''}${rec.label ? ` "${rec.label}"` : ''}${rec.timeoutMs !== undefined ? ` timeout ${rec.timeoutMs ?? '∞'}` : ''}${rec.error ? ` refused ${rec.error}` : ''}`;
    case 'request': return `request ${REQUEST_NAMES[rec.kind] ?? rec.kind} fd ${rec.fd} target ${rec.target} len ${rec.len}`;
    case 'result': return `result ${rec.kind === RESULT.ready ? 'ready' : rec.kind === RESULT.complete ? 'complete' : 'add failed'} fd ${rec.fd} target ${rec.target} value ${rec.value} os ${rec.osCode}`;
    case 'event': return eventSummary(rec);
    case 'fault': return `fault ${rec.fault}${rec.fd !== undefined ? ` fd ${rec.fd}` : ''}${rec.detail ? `: ${rec.detail}` : ''}`;
    case 'counters': return `counters pool ${rec.poolInUse}/${rec.poolSize} ready ${rec.readyQueued} in flight ${rec.bytesInFlight} B`;
  }
}

function eventSummary(rec: EventRecord): string {
  const accepted = rec.acceptedFd !== undefined ? ` accepted fd ${rec.acceptedFd}` : '';
  return `event ${eventNames(rec.type)} fd ${rec.fd} ${rec.bytes} bytes${rec.code ? ` ${rec.code}` : ''}${accepted}`;
}
