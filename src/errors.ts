// ReactorError: every refusal carries a code and a message that says what to do.
import { constants } from 'node:os';

export type ReactorErrorCode = 'EEXIST' | 'ENOENT' | 'EBADF' | 'EINVAL' | 'ENOSPC' | 'ENOBUFS' | 'EDESTROYED' | 'EBUSY' | (string & {});

export class ReactorError extends Error {
  readonly code: ReactorErrorCode;
  /** The OS error number behind it, when there was one. */
  readonly osCode?: number;

  constructor(code: ReactorErrorCode, message: string, osCode?: number) {
    super(`${code}: ${message}`);
    this.name = 'ReactorError';
    this.code = code;
    if (osCode !== undefined) this.osCode = osCode;
  }
}

const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([name, value]) => [value as number, name]));

export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? 'EUNKNOWN';
}

/** A failed system call of a socket helper: -errno → ReactorError. */
export function osError(negErrno: number, what: string, hint: string): ReactorError {
  const errno = -negErrno;
  return new ReactorError(errnoName(errno), `${what} failed (errno ${errno}); ${hint}`, errno);
}
