// Numbers shared with the core (assembly/constants.ts) and the shim (native/seam.h).
export const MODEL = { readiness: 0, completion: 1 } as const;
export const MECHANISM = { epoll: 0, poll: 1, iocp: 2, io_uring: 3 } as const;
export type MechanismName = keyof typeof MECHANISM;
/** The mechanism a number names. */
export const MECHANISM_NAMES = Object.fromEntries(Object.entries(MECHANISM).map(([name, n]) => [n, name])) as Record<number, MechanismName>;
export const CODES_ERRNO = 0;
export const CODES_WIN32 = 1;
/** The numbering of the OS codes a mechanism's shim reports: Win32 for IOCP, else Linux errno. */
export const codeSpaceOf = (mechanism: number): number => (mechanism === MECHANISM.iocp ? CODES_WIN32 : CODES_ERRNO);
export const KIND = { socket: 0, listener: 1, stream: 2 } as const;
export const OP = { recv: 1, send: 2, accept: 3 } as const;
export const REQUEST = { none: 0, add: 1, modify: 2, remove: 3, recv: 4, send: 5, accept: 6, close: 7 } as const;
export const RESULT = { ready: 1, complete: 2, addFailed: 3 } as const;
/** Core return codes (negative) and the ReactorError code each becomes. */
export const CORE_ERRORS: Record<number, string> = {
  [-1]: 'EEXIST', [-2]: 'ENOENT', [-3]: 'EBADF', [-4]: 'EINVAL', [-5]: 'ENOSPC', [-6]: 'ENOBUFS',
};
export const ERR_REQUESTS_FULL = -7;
/** Shim timeout meaning "perform the requests, do not wait". */
export const APPLY_ONLY = -2;
/** One request/result/event entry: 8 × i32. */
export const ENTRY_INTS = 8;
