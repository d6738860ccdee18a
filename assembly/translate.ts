// Translation tables: raw OS results → event flags and portable error codes. They are data,
// exported row by row (see index.ts) so tests can enumerate every row.
import { EV_READ, EV_WRITE, EV_ERROR, EV_CLOSE, EV_ACCEPT, OP_RECV, OP_SEND, OP_ACCEPT, CODES_WIN32 } from './seam';
import * as S from './seam';

export const TABLE_EPOLL: i32 = 0;
export const TABLE_POLL: i32 = 1;
export const TABLE_ERRNO: i32 = 2;
export const TABLE_WIN32: i32 = 3;
export const TABLE_COMPLETION: i32 = 4;
export const TABLE_COUNT: i32 = 5;

// [raw bit, event flag]
const EPOLL_BITS: StaticArray<i32> = [
  S.EPOLLIN,
  EV_READ,
  S.EPOLLPRI,
  EV_READ,
  S.EPOLLOUT,
  EV_WRITE,
  S.EPOLLERR,
  EV_ERROR,
  S.EPOLLHUP,
  EV_CLOSE, // both directions are down
  S.EPOLLRDHUP,
  EV_READ, // peer sent FIN; the app reads the rest, then end of stream
];

const POLL_BITS: StaticArray<i32> = [
  S.POLLIN,
  EV_READ,
  S.POLLPRI,
  EV_READ,
  S.POLLOUT,
  EV_WRITE,
  S.POLLERR,
  EV_ERROR,
  S.POLLHUP,
  EV_CLOSE,
  S.POLLNVAL,
  EV_ERROR, // fd not open
  S.POLLRDHUP,
  EV_READ,
];

// [Linux errno, portable code, event when a completion fails with it]
const ERRNO_CODES: StaticArray<i32> = [
  S.ERRNO_EPERM,
  S.C_EPERM,
  EV_ERROR,
  S.ERRNO_ENOENT,
  S.C_ENOENT,
  EV_ERROR,
  S.ERRNO_EINTR,
  S.C_EINTR,
  EV_ERROR,
  S.ERRNO_EIO,
  S.C_EIO,
  EV_ERROR,
  S.ERRNO_EBADF,
  S.C_EBADF,
  EV_ERROR,
  S.ERRNO_EAGAIN,
  S.C_EAGAIN,
  EV_ERROR,
  S.ERRNO_ENOMEM,
  S.C_ENOMEM,
  EV_ERROR,
  S.ERRNO_EACCES,
  S.C_EACCES,
  EV_ERROR,
  S.ERRNO_EFAULT,
  S.C_EFAULT,
  EV_ERROR,
  S.ERRNO_EEXIST,
  S.C_EEXIST,
  EV_ERROR,
  S.ERRNO_EINVAL,
  S.C_EINVAL,
  EV_ERROR,
  S.ERRNO_ENFILE,
  S.C_ENFILE,
  EV_ERROR,
  S.ERRNO_EMFILE,
  S.C_EMFILE,
  EV_ERROR,
  S.ERRNO_ENOSPC,
  S.C_ENOSPC,
  EV_ERROR,
  S.ERRNO_EPIPE,
  S.C_EPIPE,
  EV_CLOSE,
  S.ERRNO_ENOTSOCK,
  S.C_ENOTSOCK,
  EV_ERROR,
  S.ERRNO_EMSGSIZE,
  S.C_EMSGSIZE,
  EV_ERROR,
  S.ERRNO_EOPNOTSUPP,
  S.C_EOPNOTSUPP,
  EV_ERROR,
  S.ERRNO_EADDRINUSE,
  S.C_EADDRINUSE,
  EV_ERROR,
  S.ERRNO_EADDRNOTAVAIL,
  S.C_EADDRNOTAVAIL,
  EV_ERROR,
  S.ERRNO_ENETDOWN,
  S.C_ENETDOWN,
  EV_ERROR,
  S.ERRNO_ENETUNREACH,
  S.C_ENETUNREACH,
  EV_ERROR,
  S.ERRNO_ENETRESET,
  S.C_ENETRESET,
  EV_CLOSE,
  S.ERRNO_ECONNABORTED,
  S.C_ECONNABORTED,
  EV_CLOSE,
  S.ERRNO_ECONNRESET,
  S.C_ECONNRESET,
  EV_CLOSE,
  S.ERRNO_ENOBUFS,
  S.C_ENOBUFS,
  EV_ERROR,
  S.ERRNO_EISCONN,
  S.C_EISCONN,
  EV_ERROR,
  S.ERRNO_ENOTCONN,
  S.C_ENOTCONN,
  EV_ERROR,
  S.ERRNO_ESHUTDOWN,
  S.C_ESHUTDOWN,
  EV_CLOSE,
  S.ERRNO_ETIMEDOUT,
  S.C_ETIMEDOUT,
  EV_ERROR,
  S.ERRNO_ECONNREFUSED,
  S.C_ECONNREFUSED,
  EV_ERROR,
  S.ERRNO_EHOSTDOWN,
  S.C_EHOSTDOWN,
  EV_ERROR,
  S.ERRNO_EHOSTUNREACH,
  S.C_EHOSTUNREACH,
  EV_ERROR,
  S.ERRNO_EALREADY,
  S.C_EALREADY,
  EV_ERROR,
  S.ERRNO_EINPROGRESS,
  S.C_EINPROGRESS,
  EV_ERROR,
  S.ERRNO_ECANCELED,
  S.C_ECANCELED,
  EV_CLOSE,
];

// [Win32 or WSA code, portable code, event]. The CLOSE rows are Neolith's: an aborted, reset or
// locally closed operation ends the connection; anything else is an ERROR.
const WIN32_CODES: StaticArray<i32> = [
  S.WIN32_ERROR_INVALID_HANDLE,
  S.C_EBADF,
  EV_ERROR,
  S.WIN32_ERROR_NOT_ENOUGH_MEMORY,
  S.C_ENOMEM,
  EV_ERROR,
  S.WIN32_ERROR_HANDLE_EOF,
  S.C_EOF,
  EV_CLOSE,
  S.WIN32_ERROR_NETNAME_DELETED,
  S.C_ECONNRESET,
  EV_CLOSE,
  S.WIN32_ERROR_INVALID_PARAMETER,
  S.C_EINVAL,
  EV_ERROR,
  S.WIN32_ERROR_BROKEN_PIPE,
  S.C_EPIPE,
  EV_CLOSE,
  S.WIN32_ERROR_SEM_TIMEOUT,
  S.C_ETIMEDOUT,
  EV_ERROR,
  S.WIN32_STATUS_LOCAL_CLOSE,
  S.C_ECANCELED,
  EV_CLOSE, // what Wine reports for a local close under a pending read
  S.WIN32_ERROR_OPERATION_ABORTED,
  S.C_ECANCELED,
  EV_CLOSE,
  S.WIN32_ERROR_CONNECTION_REFUSED,
  S.C_ECONNREFUSED,
  EV_ERROR,
  S.WIN32_ERROR_CONNECTION_INVALID,
  S.C_ENOTCONN,
  EV_ERROR,
  S.WIN32_ERROR_NETWORK_UNREACHABLE,
  S.C_ENETUNREACH,
  EV_ERROR,
  S.WIN32_ERROR_HOST_UNREACHABLE,
  S.C_EHOSTUNREACH,
  EV_ERROR,
  S.WIN32_ERROR_CONNECTION_ABORTED,
  S.C_ECONNABORTED,
  EV_CLOSE,
  S.WIN32_WSAEINTR,
  S.C_EINTR,
  EV_ERROR,
  S.WIN32_WSAEBADF,
  S.C_EBADF,
  EV_ERROR,
  S.WIN32_WSAEINVAL,
  S.C_EINVAL,
  EV_ERROR,
  S.WIN32_WSAEMFILE,
  S.C_EMFILE,
  EV_ERROR,
  S.WIN32_WSAEWOULDBLOCK,
  S.C_EAGAIN,
  EV_ERROR,
  S.WIN32_WSAENOTSOCK,
  S.C_ENOTSOCK,
  EV_ERROR,
  S.WIN32_WSAEADDRINUSE,
  S.C_EADDRINUSE,
  EV_ERROR,
  S.WIN32_WSAENETDOWN,
  S.C_ENETDOWN,
  EV_ERROR,
  S.WIN32_WSAENETUNREACH,
  S.C_ENETUNREACH,
  EV_ERROR,
  S.WIN32_WSAENETRESET,
  S.C_ENETRESET,
  EV_CLOSE,
  S.WIN32_WSAECONNABORTED,
  S.C_ECONNABORTED,
  EV_CLOSE,
  S.WIN32_WSAECONNRESET,
  S.C_ECONNRESET,
  EV_CLOSE,
  S.WIN32_WSAENOBUFS,
  S.C_ENOBUFS,
  EV_ERROR,
  S.WIN32_WSAENOTCONN,
  S.C_ENOTCONN,
  EV_ERROR,
  S.WIN32_WSAESHUTDOWN,
  S.C_ESHUTDOWN,
  EV_CLOSE,
  S.WIN32_WSAETIMEDOUT,
  S.C_ETIMEDOUT,
  EV_ERROR,
  S.WIN32_WSAECONNREFUSED,
  S.C_ECONNREFUSED,
  EV_ERROR,
  S.WIN32_WSAEHOSTUNREACH,
  S.C_EHOSTUNREACH,
  EV_ERROR,
];

// Successful completions: [op, bytes == 0 ? 1 : 0, event]. A zero-byte read is a graceful close.
const COMPLETIONS: StaticArray<i32> = [
  OP_RECV,
  0,
  EV_READ,
  OP_RECV,
  1,
  EV_CLOSE,
  OP_SEND,
  0,
  EV_WRITE,
  OP_SEND,
  1,
  EV_WRITE,
  OP_ACCEPT,
  0,
  EV_ACCEPT,
  OP_ACCEPT,
  1,
  EV_ACCEPT,
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
  if (osCode == 0) return S.C_NONE;
  const row = errorRow(codeSpace, osCode);
  if (row < 0) return S.C_EUNKNOWN;
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
