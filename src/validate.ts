// Argument checks shared by the API: each throws a ReactorError that names the fix.
import { ReactorError } from './errors.js';
import { MAX_FD, MAX_EVENTS_PER_WAIT } from './limits.js';

/** A value as an error message shows it; never throws (bigints, symbols, cycles). */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value))
    return `[${value.map((v) => (typeof v === 'object' && v !== null ? Object.prototype.toString.call(v) : show(v))).join(', ')}]`;
  if (value === null || value === undefined || typeof value !== 'object') return String(value);
  const plain = Object.getPrototypeOf(value) === Object.prototype;
  try {
    if (plain) return JSON.stringify(value);
  } catch {
    /* a bigint or a cycle inside: its tag below */
  }
  return Object.prototype.toString.call(value);
}

export function checkFd(fd: unknown, op: string): number {
  if (typeof fd !== 'number' || !Number.isInteger(fd)) {
    throw new ReactorError('EINVAL', `${op}: fd must be an integer file descriptor, got ${show(fd)}`);
  }
  if (fd < 0 || fd > MAX_FD) {
    throw new ReactorError('EBADF', `${op}: fd ${fd} is not a valid descriptor; pass one from reactor.os or the OS (0 to ${MAX_FD})`);
  }
  return fd;
}

const ALL_FLAGS = 1 | 2 | 4 | 8;

export function checkEvents(events: unknown, op: string): number {
  if (typeof events !== 'number' || !Number.isInteger(events) || events < 0 || (events & ~ALL_FLAGS) !== 0) {
    throw new ReactorError('EINVAL', `${op}: events must be EventType flags (READ | WRITE | ERROR | CLOSE), got ${show(events)}`);
  }
  return events;
}

/** null or Infinity: block until an event or a wakeup. Returns the shim's timeout (-1: forever). */
export function checkTimeout(timeoutMs: unknown, op: string): number {
  if (timeoutMs === null || timeoutMs === Infinity) return -1;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
    throw new ReactorError('EINVAL', `${op}: timeoutMs must be a number >= 0 or null to block, got ${show(timeoutMs)}`);
  }
  return timeoutMs;
}

export function checkMaxEvents(maxEvents: unknown, op: string): number {
  if (typeof maxEvents !== 'number' || !Number.isInteger(maxEvents) || maxEvents < 1 || maxEvents > MAX_EVENTS_PER_WAIT) {
    throw new ReactorError(
      'EINVAL',
      `${op}: maxEvents must be an integer from 1 to ${MAX_EVENTS_PER_WAIT} (MAX_EVENTS_PER_WAIT), got ${show(maxEvents)}; events beyond it wait for the next call`,
    );
  }
  return maxEvents;
}

/** Returns data's length: the callers need it next, and one read of it is cheaper than two. */
export function checkBytes(data: unknown, op: string, what = 'data'): number {
  if (!(data instanceof Uint8Array)) {
    throw new ReactorError('EINVAL', `${op}: ${what} must be a Uint8Array (or Buffer), got ${show(data)}; encode strings with TextEncoder`);
  }
  const length = data.length;
  // A detached view reads as empty; only an empty one can be detached, so only it is looked at.
  if (length === 0 && isDetached(data.buffer)) {
    throw new ReactorError(
      'EINVAL',
      `${op}: data's ArrayBuffer was detached (transferred to a worker or structuredClone); pass a view of memory this thread still owns`,
    );
  }
  return length;
}

function isDetached(buffer: ArrayBufferLike): boolean {
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

export function checkIntegerIn(value: unknown, min: number, max: number, what: string, op: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ReactorError('EINVAL', `${op}: ${what} must be an integer from ${min} to ${max}, got ${show(value)}`);
  }
  return value;
}

/** An options object (undefined: none) with only `known` keys (null: the callee checks them). */
export function checkOptions(options: unknown, known: readonly string[] | null, op: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ReactorError('EINVAL', `${op}: options must be an object, got ${show(options)}`);
  }
  const unknown = known === null ? [] : Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new ReactorError(
      'EINVAL',
      `${op}: unknown option ${unknown.map((k) => JSON.stringify(k)).join(', ')}; the options are ${known!.join(', ')}`,
    );
  }
}
