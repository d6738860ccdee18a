// Errors shaped as node:net's, so code written for Node (err.code === 'ECONNREFUSED', err.syscall,
// err.address, err.port) handles ours unchanged.
import { constants } from 'node:os';
import { show } from '../validate.js';

const errnos = constants.errno as Record<string, number>;

/** Node's descriptions of the codes a socket meets, as `util.getSystemErrorMessage` gives them. */
const DESCRIPTIONS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available',
  EACCES: 'permission denied',
};

export interface NodeSystemError extends Error {
  errno: number;
  code: string;
  syscall: string;
  address?: string;
  port?: number;
}

/** A failed system call as Node reports it: `connect ECONNREFUSED 127.0.0.1:80`, errno negative. */
export function systemError(syscall: string, code: string, address?: string, port?: number): NodeSystemError {
  const description = DESCRIPTIONS[code];
  const where = address === undefined ? '' : port === undefined ? ` ${address}` : ` ${address}:${port}`;
  const error = new Error(`${syscall} ${code}${description ? `: ${description}` : ''}${where}`) as NodeSystemError;
  error.errno = -(errnos[code] ?? 0);
  error.code = code;
  error.syscall = syscall;
  if (address !== undefined) error.address = address;
  if (port !== undefined) error.port = port;
  return error;
}

/** Node's ERR_* errors: a code and a message, of the class Node throws for it. */
export function codedError(
  code: string,
  message: string,
  kind: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor = Error,
): Error & { code: string } {
  const error = new kind(message) as Error & { code: string };
  error.code = code;
  return error;
}

/** The code a ReactorError or an event error carries, for systemError. */
export function codeOf(error: unknown, fallback: string): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length > 0 ? code : fallback;
}

/** Node's ERR_INVALID_ARG_TYPE for `name`, which must be `expected` ('of type number', ...). */
export function invalidArgType(name: string, expected: string, actual: unknown): Error {
  const received =
    actual === null || actual === undefined
      ? String(actual)
      : typeof actual === 'object' || typeof actual === 'function'
        ? `an instance of ${(actual as object).constructor?.name ?? 'Object'}`
        : `type ${typeof actual} (${show(actual)})`;
  return codedError(
    'ERR_INVALID_ARG_TYPE',
    `The "${name}" ${name.includes('.') ? 'property' : 'argument'} must be ${expected}. Received ${received}`,
    TypeError,
  );
}
