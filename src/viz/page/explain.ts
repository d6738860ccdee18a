// Says what a record means: for an event, the raw OS result it came from and how the core's
// translation tables (assembly/translate.ts, read from core.wasm) turn that into the event, the
// causal chain from the app's call, the bytes it carried, and the faults that struck it; for what
// the wire carried, where a segment went and which segments a take got.
import type { TraceRecord, TraceReactor, ResultRecord, EventRecord, SegmentRecord } from '../../trace/format.js';
import { decodeBase64 } from '../../trace/base64.js';
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
  return (
    EVENT_NAMES.filter(([bit]) => flags & bit)
      .map(([, name]) => name)
      .join('|') || 'none'
  );
}

function bitNames(value: number, names: Record<number, string>): string {
  const parts = Object.entries(names)
    .filter(([bit]) => value & Number(bit))
    .map(([, name]) => name);
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

/** Payload bytes shown: the rest is counted. */
export const PAYLOAD_SHOWN_BYTES = 256;
/** How far back the details look for the wait an event belongs to. */
const CHAIN_LOOKBACK = 5000;

/** One line per fact about record `at`, for the details panel and the hover tip (`brief`: its first lines only). */
export function describe(model: TraceModel, at: number, tables: Tables | null, brief = false): string[] {
  const rec = model.records[at];
  const lane = model.laneOf[at] >= 0 ? model.lanes[model.laneOf[at]] : null;
  const head = `#${at} t=${rec.t.toFixed(3)} ms${lane ? ` ${lane.name}` : ''}`;
  const lines = [head, summary(rec)];
  if (rec.k === 'event' && tables) lines.push(raw(model, at, rec, tables));
  if (brief) return lines;
  if (rec.k === 'event') lines.push(...chain(model, at, rec), ...faultsOfWait(model, at, rec.r));
  if (rec.k === 'segment' || rec.k === 'take') lines.push(...wire(model, at));
  if (model.failure && model.failure.at === at) lines.push('', `✖ the run failed here: ${model.failure.message}`);
  const data = payloadOf(model, at);
  if (data) lines.push('', ...payload(data.bytes, data.total));
  return lines;
}

/** An event's raw OS result and its translation, or why it has none. */
function raw(model: TraceModel, at: number, rec: EventRecord, tables: Tables): string {
  const cause = model.causeOf[at];
  if (cause < 0)
    return 'raw: none: the core made this event itself, with no OS result behind it (a cancel on remove, a refused post, a write split across contexts)';
  const result = model.records[cause] as ResultRecord;
  const span = model.spanOf[cause];
  const op = span >= 0 ? model.spans[span].what : 'op';
  return `raw: ${translation(result, model.reactors[rec.r], op, tables)}`;
}

/** call → request → OS result → event: the records that led to an event. */
function chain(model: TraceModel, at: number, rec: EventRecord): string[] {
  const steps: number[] = [];
  for (let i = at - 1; i >= Math.max(0, at - CHAIN_LOOKBACK); i--) {
    const x = model.records[i];
    if (x.k === 'call' && x.r === rec.r && x.op === 'wait') {
      steps.push(i);
      break;
    }
  }
  const cause = model.causeOf[at];
  const span = cause >= 0 ? model.spanOf[cause] : -1;
  if (span >= 0 && model.spans[span].start !== cause) steps.push(model.spans[span].start);
  if (cause >= 0) steps.push(cause);
  steps.push(at);
  return ['', 'chain:', ...steps.map((i) => `  #${i} ${summary(model.records[i])}`)];
}

/** The faults injected into reactor r's wait that delivered event `at`. */
function faultsOfWait(model: TraceModel, at: number, r: number): string[] {
  const struck: string[] = [];
  for (let i = at - 1; i >= Math.max(0, at - CHAIN_LOOKBACK); i--) {
    const x = model.records[i];
    if (x.k === 'call' && x.r === r && x.op === 'wait') break;
    if (x.k === 'fault' && x.r === r) struck.push(`  #${i} ${x.fault}${x.detail ? ` (${x.detail})` : ''}`);
  }
  return struck.length ? ['', 'faults struck during this wait:', ...struck.reverse()] : [];
}

/** Record i's host and lane, as its details name it. */
function laneName(model: TraceModel, i: number): string {
  const lane = model.laneOf[i];
  return lane >= 0 ? `${model.lanes[lane].host} · ${model.lanes[lane].name}` : '?';
}

/** How long after segment `seg` take `take` came (before it, natively, when a completion reported the send late). */
function after(model: TraceModel, seg: number, take: number): string {
  const ms = model.records[take].t - model.records[seg].t;
  return ms >= 0 ? `${ms.toFixed(3)} ms after it was sent` : `${(-ms).toFixed(3)} ms before its send was reported`;
}

/** Where a segment went, or what a take got. */
function wire(model: TraceModel, at: number): string[] {
  const rec = model.records[at];
  if (rec.k === 'segment') {
    const [to, ...rest] = model.takesOf(at);
    // A native segment's arrival is not seen (at = t): only the receive that took it.
    const lines = [
      '',
      rec.at > rec.t
        ? `latency ${(rec.at - rec.t).toFixed(3)} ms: reaches the peer at t=${rec.at.toFixed(3)} ms`
        : 'sent on loopback: its arrival is not seen, only the receive that took it',
    ];
    lines.push(
      to !== undefined
        ? `taken by #${to} on ${laneName(model, to)} at t=${model.records[to].t.toFixed(3)} ms (${after(model, at, to)})`
        : 'never taken: the peer closed first, or the run ended before it read it',
    );
    if (rest.length > 0) lines.push(`the rest of its bytes taken by ${rest.map((i) => `#${i}`).join(', ')}`);
    if (rec.faults)
      lines.push(
        `faults that struck it: ${rec.faults.join(', ')}${rec.faults.includes('reset') ? ' (it resets the connection instead of delivering)' : ''}`,
      );
    return lines;
  }
  const got = model.segmentsTakenBy(at);
  if (got.length === 0) return ['', 'no segment of the trace is behind it (a crash of the peer, or a repeated end of stream)'];
  return [
    '',
    'segments it got:',
    ...got.map((i) => {
      const seg = model.records[i] as SegmentRecord;
      return `  #${i} from ${laneName(model, i)}, sent t=${seg.t.toFixed(3)} ms, ${seg.bytes} bytes${seg.faults ? `, struck by ${seg.faults.join(', ')}` : ''}`;
    }),
  ];
}

/** An arrow under the pointer: its send, where it went, and where its far end (a click's target) is. */
export function describeArrow(model: TraceModel, arrow: number, far: number, where: string): string[] {
  const { from, to } = model.arrows[arrow];
  const seg = model.records[from] as SegmentRecord;
  const lines = [`#${from} ${summary(seg)}`, `  t=${seg.t.toFixed(3)} ms on ${laneName(model, from)}`];
  if (to >= 0)
    lines.push(
      `→ #${to} ${summary(model.records[to])}`,
      `  t=${model.records[to].t.toFixed(3)} ms (${after(model, from, to)}) on ${laneName(model, to)}`,
    );
  else lines.push('→ never taken');
  lines.push(`#${far}, its ${far === from ? 'send' : 'take'}, is ${where}: click the arrow to go to it`);
  return lines;
}

/** The bytes a record carried: written, received, or (for a take) those of the segments it got. */
function payloadOf(model: TraceModel, at: number): { bytes: Uint8Array; total: number } | null {
  const rec = model.records[at];
  const decode = (text: string | undefined, total: number) => {
    const bytes = text === undefined ? null : decodeBase64(text);
    return bytes && bytes.length > 0 ? { bytes, total: Math.max(total, bytes.length) } : null;
  };
  switch (rec.k) {
    case 'call':
      return decode(rec.data, 0);
    case 'result':
      return decode(rec.data, rec.value);
    case 'segment':
      return decode(rec.data, rec.bytes);
    case 'event':
      return model.causeOf[at] >= 0 ? payloadOf(model, model.causeOf[at]) : null;
    case 'take': {
      const first = model.segmentsTakenBy(at)[0];
      return first === undefined ? null : payloadOf(model, first);
    }
    default:
      return null;
  }
}

/** The first PAYLOAD_SHOWN_BYTES as text and as hex, 16 a row, then how many more there were. */
export function payload(bytes: Uint8Array, total: number): string[] {
  const shown = bytes.subarray(0, PAYLOAD_SHOWN_BYTES);
  const text = Array.from(shown, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b === 10 ? '\\n' : b === 13 ? '\\r' : '·')).join(
    '',
  );
  const lines = [`payload (${total} bytes): "${text}"`];
  for (let row = 0; row < shown.length; row += 16) {
    lines.push(
      `  ${row.toString(16).padStart(4, '0')}  ${Array.from(shown.subarray(row, row + 16), (b) => b.toString(16).padStart(2, '0')).join(' ')}`,
    );
  }
  if (total > shown.length) lines.push(`  … and ${total - shown.length} more bytes`);
  return lines;
}

function summary(rec: TraceRecord): string {
  switch (rec.k) {
    case 'call':
      return `call ${rec.op}${rec.fd !== undefined ? ` fd ${rec.fd}` : ''}${rec.events !== undefined ? ` ${eventNames(rec.events)}` : ''}${rec.label ? ` "${rec.label}"` : ''}${rec.timeoutMs !== undefined ? ` timeout ${rec.timeoutMs ?? '∞'}` : ''}${rec.error ? ` refused ${rec.error}` : ''}`;
    case 'request':
      return `request ${REQUEST_NAMES[rec.kind] ?? rec.kind} fd ${rec.fd} target ${rec.target} len ${rec.len}`;
    case 'result':
      return `result ${rec.kind === RESULT.ready ? 'ready' : rec.kind === RESULT.complete ? 'complete' : 'add failed'} fd ${rec.fd} target ${rec.target} value ${rec.value} os ${rec.osCode}`;
    case 'event':
      return eventSummary(rec);
    case 'fault':
      return `fault ${rec.fault}${rec.fd !== undefined ? ` fd ${rec.fd}` : ''}${rec.detail ? `: ${rec.detail}` : ''}`;
    case 'segment':
      return `segment ${rec.flag}${rec.flag === 'data' ? ` ${rec.bytes} bytes (bytes ${rec.seq}–${rec.seq + rec.bytes - 1})` : ''} sent on fd ${rec.fd} of ${rec.host}`;
    case 'take':
      return `take ${rec.flag}${rec.flag === 'data' ? ` ${rec.bytes} bytes (bytes ${rec.seq}–${rec.seq + rec.bytes - 1})` : ''} on fd ${rec.fd} of ${rec.host}`;
    case 'label':
      return `fd ${rec.fd} is now named "${rec.label}"`;
    case 'counters':
      return `counters pool ${rec.poolInUse}/${rec.poolSize} ready ${rec.readyQueued} in flight ${rec.bytesInFlight} B`;
  }
}

function eventSummary(rec: EventRecord): string {
  const accepted = rec.acceptedFd !== undefined ? ` accepted fd ${rec.acceptedFd}` : '';
  return `event ${eventNames(rec.type)} fd ${rec.fd} ${rec.bytes} bytes${rec.code ? ` ${rec.code}` : ''}${accepted}`;
}
