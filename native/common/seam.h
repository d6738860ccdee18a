/* Generated from scripts/seam-definition.mjs by scripts/gen-seam.mjs: do not edit.
 * The core⇄shim seam: entry layouts and the numbers shared with assembly/ and src/. */
#ifndef IO_REACTOR_SEAM_H
#define IO_REACTOR_SEAM_H
#include <stdint.h>

enum { SEAM_ENTRY_BYTES = 32 };
enum { MODEL_READINESS = 0, MODEL_COMPLETION = 1 };
enum { MECH_EPOLL = 0, MECH_POLL = 1, MECH_IOCP = 2, MECH_IO_URING = 3 };
enum { CODES_ERRNO = 0, CODES_WIN32 = 1 };
enum { KIND_SOCKET = 0, KIND_LISTENER = 1, KIND_STREAM = 2 };
enum { OP_RECV = 1, OP_SEND = 2, OP_ACCEPT = 3 };
enum {
  REQ_NONE = 0,
  REQ_ADD = 1,
  REQ_MODIFY = 2,
  REQ_REMOVE = 3,
  REQ_RECV = 4,
  REQ_SEND = 5,
  REQ_ACCEPT = 6,
  REQ_CLOSE = 7,
  REQ_RESUME = 8
};
enum { RES_READY = 1, RES_COMPLETE = 2, RES_ADD_FAILED = 3, RES_RECV = 4, RES_NO_BUFFER = 5 };
enum { EV_READ = 1, EV_WRITE = 2, EV_ERROR = 4, EV_CLOSE = 8, EV_ACCEPT = 16 };

/* Linux errno numbers, whatever the build's own errno.h says. */
enum {
  OS_EPERM = 1,
  OS_ENOENT = 2,
  OS_EINTR = 4,
  OS_EIO = 5,
  OS_EBADF = 9,
  OS_EAGAIN = 11,
  OS_ENOMEM = 12,
  OS_EACCES = 13,
  OS_EFAULT = 14,
  OS_EEXIST = 17,
  OS_EINVAL = 22,
  OS_ENFILE = 23,
  OS_EMFILE = 24,
  OS_ENOSPC = 28,
  OS_EPIPE = 32,
  OS_ENOTSOCK = 88,
  OS_EMSGSIZE = 90,
  OS_EOPNOTSUPP = 95,
  OS_EADDRINUSE = 98,
  OS_EADDRNOTAVAIL = 99,
  OS_ENETDOWN = 100,
  OS_ENETUNREACH = 101,
  OS_ENETRESET = 102,
  OS_ECONNABORTED = 103,
  OS_ECONNRESET = 104,
  OS_ENOBUFS = 105,
  OS_EISCONN = 106,
  OS_ENOTCONN = 107,
  OS_ESHUTDOWN = 108,
  OS_ETIMEDOUT = 110,
  OS_ECONNREFUSED = 111,
  OS_EHOSTDOWN = 112,
  OS_EHOSTUNREACH = 113,
  OS_EALREADY = 114,
  OS_EINPROGRESS = 115,
  OS_ECANCELED = 125,
};
/* Win32 and WSA codes. */
enum {
  OS_WIN_ERROR_INVALID_HANDLE = 6,
  OS_WIN_ERROR_NOT_ENOUGH_MEMORY = 8,
  OS_WIN_ERROR_HANDLE_EOF = 38,
  OS_WIN_ERROR_NETNAME_DELETED = 64,
  OS_WIN_ERROR_INVALID_PARAMETER = 87,
  OS_WIN_ERROR_BROKEN_PIPE = 109,
  OS_WIN_ERROR_SEM_TIMEOUT = 121,
  OS_WIN_WAIT_TIMEOUT = 258,
  OS_WIN_STATUS_LOCAL_CLOSE = 676,
  OS_WIN_ERROR_OPERATION_ABORTED = 995,
  OS_WIN_ERROR_NOT_FOUND = 1168,
  OS_WIN_ERROR_CONNECTION_REFUSED = 1225,
  OS_WIN_ERROR_CONNECTION_INVALID = 1229,
  OS_WIN_ERROR_NETWORK_UNREACHABLE = 1231,
  OS_WIN_ERROR_HOST_UNREACHABLE = 1232,
  OS_WIN_ERROR_CONNECTION_ABORTED = 1236,
  OS_WIN_WSAEINTR = 10004,
  OS_WIN_WSAEBADF = 10009,
  OS_WIN_WSAEINVAL = 10022,
  OS_WIN_WSAEMFILE = 10024,
  OS_WIN_WSAEWOULDBLOCK = 10035,
  OS_WIN_WSAENOTSOCK = 10038,
  OS_WIN_WSAEADDRINUSE = 10048,
  OS_WIN_WSAENETDOWN = 10050,
  OS_WIN_WSAENETUNREACH = 10051,
  OS_WIN_WSAENETRESET = 10052,
  OS_WIN_WSAECONNABORTED = 10053,
  OS_WIN_WSAECONNRESET = 10054,
  OS_WIN_WSAENOBUFS = 10055,
  OS_WIN_WSAENOTCONN = 10057,
  OS_WIN_WSAESHUTDOWN = 10058,
  OS_WIN_WSAETIMEDOUT = 10060,
  OS_WIN_WSAECONNREFUSED = 10061,
  OS_WIN_WSAEHOSTUNREACH = 10065,
};
/* Readiness bits. */
enum {
  OS_EPOLLIN = 0x001,
  OS_EPOLLPRI = 0x002,
  OS_EPOLLOUT = 0x004,
  OS_EPOLLERR = 0x008,
  OS_EPOLLHUP = 0x010,
  OS_EPOLLRDHUP = 0x2000,
  OS_POLLIN = 0x001,
  OS_POLLPRI = 0x002,
  OS_POLLOUT = 0x004,
  OS_POLLERR = 0x008,
  OS_POLLHUP = 0x010,
  OS_POLLNVAL = 0x020,
  OS_POLLRDHUP = 0x2000,
};

typedef struct seam_request {
  int32_t kind, fd, target, ptr, len, mask, gen, reserved;
} seam_request;
typedef char seam_request_is_an_entry[sizeof(seam_request) == SEAM_ENTRY_BYTES ? 1 : -1];

typedef struct seam_result {
  int32_t kind, fd, target, value, os_code, accepted, gen, buffer;
} seam_result;
typedef char seam_result_is_an_entry[sizeof(seam_result) == SEAM_ENTRY_BYTES ? 1 : -1];

/* The provided-buffer ring: the core lends its free buffers before each wait; the shim takes
 * them in order, only when the OS has data for an armed read. */
typedef struct seam_provided_entry {
  int32_t id, offset;
} seam_provided_entry;
typedef struct seam_provided {
  int32_t count, length;
  seam_provided_entry entries[];
} seam_provided;

#endif
