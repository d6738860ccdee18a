// Translation tables: raw OS results → event flags and portable error codes. They are data,
// exported row by row (see index.ts) so tests can enumerate every row.
import { EV_READ, EV_WRITE, EV_ERROR, EV_CLOSE, EV_ACCEPT, OP_RECV, OP_SEND, OP_ACCEPT, CODES_WIN32 } from './constants';
import * as C from './codes';

export const TABLE_EPOLL: i32 = 0;
export const TABLE_POLL: i32 = 1;
export const TABLE_ERRNO: i32 = 2;
export const TABLE_WIN32: i32 = 3;
export const TABLE_COMPLETION: i32 = 4;
export const TABLE_COUNT: i32 = 5;

// [raw bit, event flag]
const EPOLL_BITS: StaticArray<i32> = [
  0x001, EV_READ,   // EPOLLIN
  0x002, EV_READ,   // EPOLLPRI
  0x004, EV_WRITE,  // EPOLLOUT
  0x008, EV_ERROR,  // EPOLLERR
  0x010, EV_CLOSE,  // EPOLLHUP: both directions are down
  0x2000, EV_READ,  // EPOLLRDHUP: peer sent FIN; the app reads the rest, then end of stream
];

const POLL_BITS: StaticArray<i32> = [
  0x001, EV_READ,   // POLLIN
  0x002, EV_READ,   // POLLPRI
  0x004, EV_WRITE,  // POLLOUT
  0x008, EV_ERROR,  // POLLERR
  0x010, EV_CLOSE,  // POLLHUP
  0x020, EV_ERROR,  // POLLNVAL: fd not open
  0x2000, EV_READ,  // POLLRDHUP
];

// [Linux errno, portable code, event when a completion fails with it]
const ERRNO_CODES: StaticArray<i32> = [
  1, C.C_EPERM, EV_ERROR,
  2, C.C_ENOENT, EV_ERROR,
  4, C.C_EINTR, EV_ERROR,
  5, C.C_EIO, EV_ERROR,
  9, C.C_EBADF, EV_ERROR,
  11, C.C_EAGAIN, EV_ERROR,
  12, C.C_ENOMEM, EV_ERROR,
  13, C.C_EACCES, EV_ERROR,
  14, C.C_EFAULT, EV_ERROR,
  17, C.C_EEXIST, EV_ERROR,
  22, C.C_EINVAL, EV_ERROR,
  23, C.C_ENFILE, EV_ERROR,
  24, C.C_EMFILE, EV_ERROR,
  28, C.C_ENOSPC, EV_ERROR,
  32, C.C_EPIPE, EV_CLOSE,
  88, C.C_ENOTSOCK, EV_ERROR,
  90, C.C_EMSGSIZE, EV_ERROR,
  95, C.C_EOPNOTSUPP, EV_ERROR,
  98, C.C_EADDRINUSE, EV_ERROR,
  99, C.C_EADDRNOTAVAIL, EV_ERROR,
  100, C.C_ENETDOWN, EV_ERROR,
  101, C.C_ENETUNREACH, EV_ERROR,
  102, C.C_ENETRESET, EV_CLOSE,
  103, C.C_ECONNABORTED, EV_CLOSE,
  104, C.C_ECONNRESET, EV_CLOSE,
  105, C.C_ENOBUFS, EV_ERROR,
  106, C.C_EISCONN, EV_ERROR,
  107, C.C_ENOTCONN, EV_ERROR,
  108, C.C_ESHUTDOWN, EV_CLOSE,
  110, C.C_ETIMEDOUT, EV_ERROR,
  111, C.C_ECONNREFUSED, EV_ERROR,
  112, C.C_EHOSTDOWN, EV_ERROR,
  113, C.C_EHOSTUNREACH, EV_ERROR,
  114, C.C_EALREADY, EV_ERROR,
  115, C.C_EINPROGRESS, EV_ERROR,
  125, C.C_ECANCELED, EV_CLOSE,
];

// [Win32 or WSA code, portable code, event]. The CLOSE rows are Neolith's: an aborted, reset or
// locally closed operation ends the connection; anything else is an ERROR.
const WIN32_CODES: StaticArray<i32> = [
  6, C.C_EBADF, EV_ERROR,            // ERROR_INVALID_HANDLE
  8, C.C_ENOMEM, EV_ERROR,           // ERROR_NOT_ENOUGH_MEMORY
  38, C.C_EOF, EV_CLOSE,             // ERROR_HANDLE_EOF
  64, C.C_ECONNRESET, EV_CLOSE,      // ERROR_NETNAME_DELETED
  87, C.C_EINVAL, EV_ERROR,          // ERROR_INVALID_PARAMETER
  109, C.C_EPIPE, EV_CLOSE,          // ERROR_BROKEN_PIPE
  121, C.C_ETIMEDOUT, EV_ERROR,      // ERROR_SEM_TIMEOUT
  676, C.C_ECANCELED, EV_CLOSE,      // what Wine reports for a local close under a pending read
  995, C.C_ECANCELED, EV_CLOSE,      // ERROR_OPERATION_ABORTED
  1225, C.C_ECONNREFUSED, EV_ERROR,  // ERROR_CONNECTION_REFUSED
  1229, C.C_ENOTCONN, EV_ERROR,      // ERROR_CONNECTION_INVALID
  1231, C.C_ENETUNREACH, EV_ERROR,   // ERROR_NETWORK_UNREACHABLE
  1232, C.C_EHOSTUNREACH, EV_ERROR,  // ERROR_HOST_UNREACHABLE
  1236, C.C_ECONNABORTED, EV_CLOSE,  // ERROR_CONNECTION_ABORTED
  10004, C.C_EINTR, EV_ERROR,        // WSAEINTR
  10009, C.C_EBADF, EV_ERROR,        // WSAEBADF
  10022, C.C_EINVAL, EV_ERROR,       // WSAEINVAL
  10024, C.C_EMFILE, EV_ERROR,       // WSAEMFILE
  10035, C.C_EAGAIN, EV_ERROR,       // WSAEWOULDBLOCK
  10038, C.C_ENOTSOCK, EV_ERROR,     // WSAENOTSOCK
  10048, C.C_EADDRINUSE, EV_ERROR,   // WSAEADDRINUSE
  10050, C.C_ENETDOWN, EV_ERROR,     // WSAENETDOWN
  10051, C.C_ENETUNREACH, EV_ERROR,  // WSAENETUNREACH
  10052, C.C_ENETRESET, EV_CLOSE,    // WSAENETRESET
  10053, C.C_ECONNABORTED, EV_CLOSE, // WSAECONNABORTED
  10054, C.C_ECONNRESET, EV_CLOSE,   // WSAECONNRESET
  10055, C.C_ENOBUFS, EV_ERROR,      // WSAENOBUFS
  10057, C.C_ENOTCONN, EV_ERROR,     // WSAENOTCONN
  10058, C.C_ESHUTDOWN, EV_CLOSE,    // WSAESHUTDOWN
  10060, C.C_ETIMEDOUT, EV_ERROR,    // WSAETIMEDOUT
  10061, C.C_ECONNREFUSED, EV_ERROR, // WSAECONNREFUSED
  10065, C.C_EHOSTUNREACH, EV_ERROR, // WSAEHOSTUNREACH
];

// Successful completions: [op, bytes == 0 ? 1 : 0, event]. A zero-byte read is a graceful close.
const COMPLETIONS: StaticArray<i32> = [
  OP_RECV, 0, EV_READ,
  OP_RECV, 1, EV_CLOSE,
  OP_SEND, 0, EV_WRITE,
  OP_SEND, 1, EV_WRITE,
  OP_ACCEPT, 0, EV_ACCEPT,
  OP_ACCEPT, 1, EV_ACCEPT,
];

function table(id: i32): StaticArray<i32> {
  if (id == TABLE_EPOLL) return EPOLL_BITS;
  if (id == TABLE_POLL) return POLL_BITS;
  if (id == TABLE_ERRNO) return ERRNO_CODES;
  if (id == TABLE_WIN32) return WIN32_CODES;
  return COMPLETIONS;
}

export function tableColumns(id: i32): i32 {
  return id == TABLE_EPOLL || id == TABLE_POLL ? 2 : 3;
}

export function tableRows(id: i32): i32 {
  if (id < 0 || id >= TABLE_COUNT) return 0;
  return table(id).length / tableColumns(id);
}

export function tableCell(id: i32, row: i32, column: i32): i32 {
  return unchecked(table(id)[row * tableColumns(id) + column]);
}

/** Readiness bits (epoll or poll numbering) → event flags. */
export function flagsFromRevents(bits: StaticArray<i32>, revents: i32): i32 {
  let flags = 0;
  for (let i = 0, n = bits.length; i < n; i += 2) {
    if (revents & unchecked(bits[i])) flags |= unchecked(bits[i + 1]);
  }
  return flags;
}

export function readinessTable(usePoll: bool): StaticArray<i32> {
  return usePoll ? POLL_BITS : EPOLL_BITS;
}

function errorRow(codeSpace: i32, osCode: i32): i32 {
  const rows = codeSpace == CODES_WIN32 ? WIN32_CODES : ERRNO_CODES;
  for (let i = 0, n = rows.length; i < n; i += 3) {
    if (unchecked(rows[i]) == osCode) return i;
  }
  return -1;
}

export function portableCode(codeSpace: i32, osCode: i32): i32 {
  if (osCode == 0) return C.C_NONE;
  const row = errorRow(codeSpace, osCode);
  if (row < 0) return C.C_EUNKNOWN;
  return unchecked((codeSpace == CODES_WIN32 ? WIN32_CODES : ERRNO_CODES)[row + 1]);
}

/** The event a failed operation ends in: CLOSE for aborted/reset/cancelled, ERROR otherwise. */
export function failureEvent(codeSpace: i32, osCode: i32): i32 {
  const row = errorRow(codeSpace, osCode);
  if (row < 0) return EV_ERROR;
  return unchecked((codeSpace == CODES_WIN32 ? WIN32_CODES : ERRNO_CODES)[row + 2]);
}

export function successEvent(op: i32, bytes: i32): i32 {
  const zero = bytes == 0 ? 1 : 0;
  for (let i = 0, n = COMPLETIONS.length; i < n; i += 3) {
    if (unchecked(COMPLETIONS[i]) == op && unchecked(COMPLETIONS[i + 1]) == zero) return unchecked(COMPLETIONS[i + 2]);
  }
  return EV_ERROR;
}
