// Argument checks shared by the API: each throws a ReactorError that names the fix.
import { ReactorError } from './errors.js';
import { MAX_FD, MAX_EVENTS_PER_WAIT } from './limits.js';

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || value === undefined || typeof value !== 'object') return String(value);
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
    throw new ReactorError('EINVAL', `${op}: maxEvents must be an integer from 1 to ${MAX_EVENTS_PER_WAIT} (MAX_EVENTS_PER_WAIT), got ${show(maxEvents)}; events beyond it wait for the next call`);
  }
  return maxEvents;
}

export function checkBytes(data: unknown, op: string): Uint8Array {
  if (!(data instanceof Uint8Array)) {
    throw new ReactorError('EINVAL', `${op}: data must be a Uint8Array (or Buffer), got ${show(data)}; encode strings with TextEncoder`);
  }
  return data;
}

export function checkIntegerIn(value: unknown, min: number, max: number, what: string, op: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ReactorError('EINVAL', `${op}: ${what} must be an integer from ${min} to ${max}, got ${show(value)}`);
  }
  return value;
}
