// Generated from scripts/seam-definition.mjs by scripts/gen-seam.mjs: do not edit.
// The numbers src/ shares with the core (assembly/) and the shim (native/).

/** One request/result/event entry: this many i32. */
export const ENTRY_INTS = 8;
/** Where each field of a request entry is, in i32 from the entry's start. */
export const REQUEST_FIELD = { kind: 0, fd: 1, target: 2, ptr: 3, len: 4, mask: 5, gen: 6, reserved: 7 } as const;
/** Where each field of a result entry is, in i32 from the entry's start. */
export const RESULT_FIELD = { kind: 0, fd: 1, target: 2, value: 3, osCode: 4, accepted: 5, gen: 6, buffer: 7 } as const;
/** Where each field of an event entry is, in i32 from the entry's start. */
export const EVENT_FIELD = { fd: 0, slot: 1, type: 2, bytes: 3, ctx: 4, code: 5, osCode: 6, accepted: 7 } as const;
/** The provided-buffer ring: its header, then entries, each field in i32 from its start. */
export const PROVIDED_FIELD = { count: 0, length: 1 } as const;
export const PROVIDED_ENTRY_FIELD = { id: 0, offset: 1 } as const;
export const PROVIDED_HEADER_INTS = 2;
export const PROVIDED_ENTRY_INTS = 2;
export const MODEL = { readiness: 0, completion: 1 } as const;
export const MECHANISM = { epoll: 0, poll: 1, iocp: 2, io_uring: 3 } as const;
export const CODES = { errno: 0, win32: 1 } as const;
export const KIND = { socket: 0, listener: 1, stream: 2 } as const;
export const OP = { recv: 1, send: 2, accept: 3 } as const;
export const REQUEST = { none: 0, add: 1, modify: 2, remove: 3, recv: 4, send: 5, accept: 6, close: 7, resume: 8 } as const;
export const RESULT = { ready: 1, complete: 2, addFailed: 3, recv: 4, noBuffer: 5 } as const;
export const EVENT = { READ: 1, WRITE: 2, ERROR: 4, CLOSE: 8, ACCEPT: 16 } as const;
export const CODES_ERRNO = 0;
export const CODES_WIN32 = 1;
/** The numbering of the OS codes a mechanism's shim reports. */
const CODE_SPACES: Record<number, number> = { [0]: CODES.errno, [1]: CODES.errno, [2]: CODES.win32, [3]: CODES.errno };
export const codeSpaceOf = (mechanism: number): number => CODE_SPACES[mechanism];
/** Core return codes (negative) and the ReactorError code each becomes. */
export const CORE_ERRORS: Record<number, string> = { [-1]: 'EEXIST', [-2]: 'ENOENT', [-3]: 'EBADF', [-4]: 'EINVAL', [-5]: 'ENOSPC', [-6]: 'ENOBUFS' };
export const ERR_EXIST = -1;
export const ERR_NOENT = -2;
export const ERR_BADF = -3;
export const ERR_INVAL = -4;
export const ERR_NOSPC = -5;
export const ERR_NOBUFS = -6;
export const ERR_REQUESTS_FULL = -7;
/** Names of the portable error codes events carry, by number (0: none). */
export const PORTABLE_CODES = ['', 'EPERM', 'ENOENT', 'EINTR', 'EIO', 'EBADF', 'EAGAIN', 'ENOMEM', 'EACCES', 'EFAULT', 'EEXIST', 'EINVAL', 'ENFILE', 'EMFILE', 'ENOSPC', 'EPIPE', 'ENOTSOCK', 'EMSGSIZE', 'EOPNOTSUPP', 'EADDRINUSE', 'EADDRNOTAVAIL', 'ENETDOWN', 'ENETUNREACH', 'ENETRESET', 'ECONNABORTED', 'ECONNRESET', 'ENOBUFS', 'EISCONN', 'ENOTCONN', 'ESHUTDOWN', 'ETIMEDOUT', 'ECONNREFUSED', 'EHOSTDOWN', 'EHOSTUNREACH', 'EALREADY', 'EINPROGRESS', 'ECANCELED', 'EOF', 'EUNKNOWN'] as const;
export const MAX_POOL_SIZE = 65536;
export const MIN_BUFFER_SIZE = 16;
export const MAX_BUFFER_SIZE = 1048576;
export const MAX_SOCKETS_LIMIT = 1048576;
export const MAX_EVENTS_PER_WAIT = 8192;
export const ERRNO = { EPERM: 1, ENOENT: 2, EINTR: 4, EIO: 5, EBADF: 9, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, EEXIST: 17, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOSPC: 28, EPIPE: 32, ENOTSOCK: 88, EMSGSIZE: 90, EOPNOTSUPP: 95, EADDRINUSE: 98, EADDRNOTAVAIL: 99, ENETDOWN: 100, ENETUNREACH: 101, ENETRESET: 102, ECONNABORTED: 103, ECONNRESET: 104, ENOBUFS: 105, EISCONN: 106, ENOTCONN: 107, ESHUTDOWN: 108, ETIMEDOUT: 110, ECONNREFUSED: 111, EHOSTDOWN: 112, EHOSTUNREACH: 113, EALREADY: 114, EINPROGRESS: 115, ECANCELED: 125 } as const;
export const WIN32 = { ERROR_INVALID_HANDLE: 6, ERROR_NOT_ENOUGH_MEMORY: 8, ERROR_HANDLE_EOF: 38, ERROR_NETNAME_DELETED: 64, ERROR_INVALID_PARAMETER: 87, ERROR_BROKEN_PIPE: 109, ERROR_SEM_TIMEOUT: 121, WAIT_TIMEOUT: 258, STATUS_LOCAL_CLOSE: 676, ERROR_OPERATION_ABORTED: 995, ERROR_NOT_FOUND: 1168, ERROR_CONNECTION_REFUSED: 1225, ERROR_CONNECTION_INVALID: 1229, ERROR_NETWORK_UNREACHABLE: 1231, ERROR_HOST_UNREACHABLE: 1232, ERROR_CONNECTION_ABORTED: 1236, WSAEINTR: 10004, WSAEBADF: 10009, WSAEINVAL: 10022, WSAEMFILE: 10024, WSAEWOULDBLOCK: 10035, WSAENOTSOCK: 10038, WSAEADDRINUSE: 10048, WSAENETDOWN: 10050, WSAENETUNREACH: 10051, WSAENETRESET: 10052, WSAECONNABORTED: 10053, WSAECONNRESET: 10054, WSAENOBUFS: 10055, WSAENOTCONN: 10057, WSAESHUTDOWN: 10058, WSAETIMEDOUT: 10060, WSAECONNREFUSED: 10061, WSAEHOSTUNREACH: 10065 } as const;
export const EPOLL = { EPOLLIN: 0x001, EPOLLPRI: 0x002, EPOLLOUT: 0x004, EPOLLERR: 0x008, EPOLLHUP: 0x010, EPOLLRDHUP: 0x2000 } as const;
export const POLL = { POLLIN: 0x001, POLLPRI: 0x002, POLLOUT: 0x004, POLLERR: 0x008, POLLHUP: 0x010, POLLNVAL: 0x020, POLLRDHUP: 0x2000 } as const;
