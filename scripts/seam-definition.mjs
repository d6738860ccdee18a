// The one definition of every number the core (assembly/), the shim (native/) and the TypeScript
// layer (src/) share: entry layouts, kinds, limits and the OS's own numbers. scripts/gen-seam.mjs
// derives assembly/seam.ts, native/common/seam.h and src/seam.ts from it; edit here, then build.

/** Fields of the 8 × i32 entries, in memory order. */
export const ENTRIES = {
  /** core → shim. `target`: a context id for sends and accepts, a slot for the rest; `ptr`: an
   * offset into the core's memory; for add, `len` carries the fd kind. */
  request: ['kind', 'fd', 'target', 'ptr', 'len', 'mask', 'gen', 'reserved'],
  /** shim → core: revents or bytes in `value`, the OS error code untranslated; a recv's `buffer`
   * is the provided buffer it filled (-1: none, at the end of the stream or on a failure). */
  result: ['kind', 'fd', 'target', 'value', 'os_code', 'accepted', 'gen', 'buffer'],
  /** core → host: a delivered event; `code` is portable, `os_code` raw. */
  event: ['fd', 'slot', 'type', 'bytes', 'ctx', 'code', 'os_code', 'accepted'],
};

/**
 * The provided-buffer ring (io_uring's "provided buffers", one model for every mechanism): before
 * each wait the core lends its free buffers here; the shim takes them in order, only when the OS
 * has data for an armed read, and names each in a recv result. A header, then `count` entries.
 */
export const PROVIDED = {
  /** `count`: buffers lent for this wait; `length`: the bytes each holds. */
  header: ['count', 'length'],
  /** `id`: the buffer's context id; `offset`: where it lies in the core's memory. */
  entry: ['id', 'offset'],
};

/** Named values: [TypeScript object, AssemblyScript/C prefix, { name: value }]. */
export const ENUMS = [
  ['MODEL', 'MODEL_', { readiness: 0, completion: 1 }],
  ['MECHANISM', 'MECH_', { epoll: 0, poll: 1, iocp: 2, io_uring: 3 }],
  /** The numbering of the OS codes a shim reports: Win32 for IOCP, else Linux errno. */
  ['CODES', 'CODES_', { errno: 0, win32: 1 }],
  /** What an added fd is, as the shim saw it; a stream is a pipe, tty or file (read/write). */
  ['KIND', 'KIND_', { socket: 0, listener: 1, stream: 2 }],
  /** Operations a context can carry. */
  ['OP', 'OP_', { recv: 1, send: 2, accept: 3 }],
  /** Request kinds; `none`: withdrawn before the shim saw it; `close`: an accepted fd nobody sees;
   * `recv` arms one read on a slot (no buffer yet); `resume`: buffers are back, serve the slot's
   * armed reads that found the provided ring empty. */
  ['REQUEST', 'REQ_', { none: 0, add: 1, modify: 2, remove: 3, recv: 4, send: 5, accept: 6, close: 7, resume: 8 }],
  /** Result kinds; `recv`: an armed read ended; `noBuffer`: an armed read found data and the
   * provided ring empty, and waits for a `resume`. `complete`: a send or an accept. */
  ['RESULT', 'RES_', { ready: 1, complete: 2, addFailed: 3, recv: 4, noBuffer: 5 }],
  /** Neolith's event flags, OR-able, plus ACCEPT for completed accepts. */
  ['EVENT', 'EV_', { READ: 1, WRITE: 2, ERROR: 4, CLOSE: 8, ACCEPT: 16 }],
];

/** The shim's code space per mechanism. */
export const MECHANISM_CODES = { epoll: 'errno', poll: 'errno', iocp: 'win32', io_uring: 'errno' };

/** Return codes of core calls (negative); the first six are ReactorError codes. */
export const CORE_ERRORS = { EEXIST: -1, ENOENT: -2, EBADF: -3, EINVAL: -4, ENOSPC: -5, ENOBUFS: -6, REQUESTS_FULL: -7 };

/** Portable error codes events carry, numbered by position. */
export const PORTABLE_CODES = [
  'NONE',
  'EPERM',
  'ENOENT',
  'EINTR',
  'EIO',
  'EBADF',
  'EAGAIN',
  'ENOMEM',
  'EACCES',
  'EFAULT',
  'EEXIST',
  'EINVAL',
  'ENFILE',
  'EMFILE',
  'ENOSPC',
  'EPIPE',
  'ENOTSOCK',
  'EMSGSIZE',
  'EOPNOTSUPP',
  'EADDRINUSE',
  'EADDRNOTAVAIL',
  'ENETDOWN',
  'ENETUNREACH',
  'ENETRESET',
  'ECONNABORTED',
  'ECONNRESET',
  'ENOBUFS',
  'EISCONN',
  'ENOTCONN',
  'ESHUTDOWN',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EALREADY',
  'EINPROGRESS',
  'ECANCELED',
  'EOF',
  'EUNKNOWN',
];

/** Named limits: the core enforces them, src/ checks options against them first. */
export const LIMITS = {
  MAX_POOL_SIZE: 65536,
  MIN_BUFFER_SIZE: 16,
  MAX_BUFFER_SIZE: 1 << 20,
  MAX_SOCKETS_LIMIT: 1 << 20,
  MAX_EVENTS_PER_WAIT: 8192,
};

/** Linux errno numbers: every shim reports them in this numbering, whatever the build's errno.h. */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EEXIST: 17,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOSPC: 28,
  EPIPE: 32,
  ENOTSOCK: 88,
  EMSGSIZE: 90,
  EOPNOTSUPP: 95,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENETDOWN: 100,
  ENETUNREACH: 101,
  ENETRESET: 102,
  ECONNABORTED: 103,
  ECONNRESET: 104,
  ENOBUFS: 105,
  EISCONN: 106,
  ENOTCONN: 107,
  ESHUTDOWN: 108,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTDOWN: 112,
  EHOSTUNREACH: 113,
  EALREADY: 114,
  EINPROGRESS: 115,
  ECANCELED: 125,
};

/** Win32 and WSA codes (winerror.h, winsock2.h), and Wine's status for a local close under a read. */
export const WIN32 = {
  ERROR_INVALID_HANDLE: 6,
  ERROR_NOT_ENOUGH_MEMORY: 8,
  ERROR_HANDLE_EOF: 38,
  ERROR_NETNAME_DELETED: 64,
  ERROR_INVALID_PARAMETER: 87,
  ERROR_BROKEN_PIPE: 109,
  ERROR_SEM_TIMEOUT: 121,
  WAIT_TIMEOUT: 258,
  STATUS_LOCAL_CLOSE: 676,
  ERROR_OPERATION_ABORTED: 995,
  ERROR_NOT_FOUND: 1168,
  ERROR_CONNECTION_REFUSED: 1225,
  ERROR_CONNECTION_INVALID: 1229,
  ERROR_NETWORK_UNREACHABLE: 1231,
  ERROR_HOST_UNREACHABLE: 1232,
  ERROR_CONNECTION_ABORTED: 1236,
  WSAEINTR: 10004,
  WSAEBADF: 10009,
  WSAEINVAL: 10022,
  WSAEMFILE: 10024,
  WSAEWOULDBLOCK: 10035,
  WSAENOTSOCK: 10038,
  WSAEADDRINUSE: 10048,
  WSAENETDOWN: 10050,
  WSAENETUNREACH: 10051,
  WSAENETRESET: 10052,
  WSAECONNABORTED: 10053,
  WSAECONNRESET: 10054,
  WSAENOBUFS: 10055,
  WSAENOTCONN: 10057,
  WSAESHUTDOWN: 10058,
  WSAETIMEDOUT: 10060,
  WSAECONNREFUSED: 10061,
  WSAEHOSTUNREACH: 10065,
};

/** Readiness bits (Linux): epoll's and poll's agree where both have a bit. */
export const EPOLL = { EPOLLIN: 0x001, EPOLLPRI: 0x002, EPOLLOUT: 0x004, EPOLLERR: 0x008, EPOLLHUP: 0x010, EPOLLRDHUP: 0x2000 };
export const POLL = { POLLIN: 0x001, POLLPRI: 0x002, POLLOUT: 0x004, POLLERR: 0x008, POLLHUP: 0x010, POLLNVAL: 0x020, POLLRDHUP: 0x2000 };
