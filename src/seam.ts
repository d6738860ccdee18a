// Numbers shared with the core (assembly/constants.ts) and the shim (native/seam.h).
export const MODEL = { readiness: 0, completion: 1 } as const;
export const MECHANISM = { epoll: 0, poll: 1, iocp: 2 } as const;
export const CODES_ERRNO = 0;
export const CODES_WIN32 = 1;
/** The numbering of the OS codes a mechanism's shim reports: Win32 for IOCP, else Linux errno. */
export const codeSpaceOf = (mechanism: number): number => (mechanism === MECHANISM.iocp ? CODES_WIN32 : CODES_ERRNO);
export const KIND = { socket: 0, listener: 1, stream: 2 } as const;
export const OP = { recv: 1, send: 2, accept: 3 } as const;
export const REQUEST = { none: 0, add: 1, modify: 2, remove: 3, recv: 4, send: 5, accept: 6, close: 7, resume: 8 } as const;
export const RESULT = { ready: 1, complete: 2, addFailed: 3, recv: 4, noBuffer: 5 } as const;
/** A result's field (in i32s) naming the provided buffer a RES_RECV filled, or -1. */
export const RESULT_BUFFER = 7;
/** Core return codes (negative) and the ReactorError code each becomes. */
export const ERR_NOENT = -2;
export const ERR_INVAL = -4;
export const ERR_NOBUFS = -6;
export const ERR_REQUESTS_FULL = -7;
export const CORE_ERRORS: Record<number, string> = {
  [-1]: 'EEXIST', [ERR_NOENT]: 'ENOENT', [-3]: 'EBADF', [ERR_INVAL]: 'EINVAL', [-5]: 'ENOSPC', [ERR_NOBUFS]: 'ENOBUFS',
};
/** Shim timeout meaning "perform the requests, do not wait". */
export const APPLY_ONLY = -2;
/** One request/result/event entry: 8 × i32. */
export const ENTRY_INTS = 8;

/** Where provided buffer `id` lies in the core's memory, from the ring the core filled for this
 * wait (assembly/provided.ts: [count, length] then count × [id, offset]); -1 if not provided. */
export function providedOffset(i32: Int32Array, providedAt: number, id: number): number {
  const at = providedAt >> 2;
  for (let i = 0, n = i32[at]; i < n; i++) if (i32[at + 2 + 2 * i] === id) return i32[at + 3 + 2 * i];
  return -1;
}
