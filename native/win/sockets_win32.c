/* Socket helpers over winsock (sockets.h): fds are SOCKET values, every socket overlapped-capable,
 * non-blocking for the helpers' own calls, not inherited, and without Nagle. Failures are -errno
 * in the C runtime's numbering, which is Node's os.constants.errno on Windows. */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <errno.h>
#include <io.h>
#include <limits.h>
#include "common/address.h"
#include "common/seam.h"
#include "common/sockets.h"
#include "sockets_win32.h"

static INIT_ONCE winsock_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK winsock_start(PINIT_ONCE once, void *param, void **context) {
  WSADATA wsa;
  return WSAStartup(MAKEWORD(2, 2), &wsa) == 0;
}

int winsock_ready(void) { return InitOnceExecuteOnce(&winsock_once, winsock_start, NULL, NULL) ? 0 : -ENETDOWN; }

/* One table from WSA codes to errno names, as libuv keeps one (src/win/error.c). */
static int wsa_errno(int wsa) {
  switch (wsa) {
  case WSAEWOULDBLOCK: return EAGAIN;
  case WSAEINTR: return EINTR;
  case WSAEBADF:
  case WSAENOTSOCK: return EBADF;
  case WSAEACCES: return EACCES;
  case WSAEINVAL: return EINVAL;
  case WSAEMFILE: return EMFILE;
  case WSAEINPROGRESS: return EINPROGRESS;
  case WSAEALREADY: return EALREADY;
  case WSAEMSGSIZE: return EMSGSIZE;
  case WSAEADDRINUSE: return EADDRINUSE;
  case WSAEADDRNOTAVAIL: return EADDRNOTAVAIL;
  case WSAENETDOWN: return ENETDOWN;
  case WSAENETUNREACH: return ENETUNREACH;
  case WSAECONNABORTED: return ECONNABORTED;
  case WSAECONNRESET: return ECONNRESET;
  case WSAENOBUFS: return ENOBUFS;
  case WSAEISCONN: return EISCONN;
  case WSAENOTCONN: return ENOTCONN;
  case WSAESHUTDOWN: return EPIPE;
  case WSAETIMEDOUT: return ETIMEDOUT;
  case WSAECONNREFUSED: return ECONNREFUSED;
  case WSAEHOSTUNREACH: return EHOSTUNREACH;
  default: return EIO;
  }
}

static int fail(void) { return -wsa_errno(WSAGetLastError()); }

static int fail_closing(SOCKET s) {
  int err = fail();
  closesocket(s);
  return err;
}

static SOCKET new_socket(int family) {
  return WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
}

static int set_nonblocking(SOCKET s) {
  u_long on = 1;
  return ioctlsocket(s, FIONBIO, &on);
}

static void set_nodelay(SOCKET s) {
  BOOL one = TRUE;
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (char *)&one, sizeof one);
}

int sock_adopt(SOCKET s) {
  if (set_nonblocking(s) != 0) return fail();
  set_nodelay(s);
  return 0;
}

/* Windows has no socketpair: a one-shot loopback listener joins two TCP sockets. */
int sock_pair(int fds[2]) {
  if (winsock_ready() != 0) return -ENETDOWN;
  int port = 0;
  int listener = sock_listen("127.0.0.1", 0, 1, &port);
  if (listener < 0) return listener;
  address a;
  socklen_t len = 0;
  parse_address("127.0.0.1", port, &a, &len);
  SOCKET client = new_socket(AF_INET);
  if (client == INVALID_SOCKET) return fail_closing((SOCKET)listener);
  if (connect(client, &a.sa, len) != 0) {
    int err = fail_closing(client);
    closesocket((SOCKET)listener);
    return err;
  }
  SOCKET server = accept((SOCKET)listener, NULL, NULL);
  int err = server == INVALID_SOCKET ? fail() : 0;
  closesocket((SOCKET)listener);
  if (err != 0) return fail_closing(client);
  if (set_nonblocking(server) != 0 || set_nonblocking(client) != 0) {
    err = fail();
    closesocket(server);
    closesocket(client);
    return err;
  }
  set_nodelay(server);
  set_nodelay(client);
  fds[0] = (int)server;
  fds[1] = (int)client;
  return 0;
}

int sock_listen(const char *host, int port, int backlog, int *bound_port) {
  if (winsock_ready() != 0) return -ENETDOWN;
  address a;
  socklen_t len;
  if (parse_address(host, port, &a, &len) != 0) return -EINVAL;
  SOCKET s = new_socket(a.sa.sa_family);
  if (s == INVALID_SOCKET) return fail();
  /* SO_EXCLUSIVEADDRUSE: Windows' SO_REUSEADDR would let another process steal the port. */
  BOOL one = TRUE;
  setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (char *)&one, sizeof one);
  if (set_nonblocking(s) != 0 || bind(s, &a.sa, len) != 0 || listen(s, backlog) != 0) return fail_closing(s);
  if (getsockname(s, &a.sa, &len) != 0) return fail_closing(s);
  *bound_port = address_port(&a);
  return (int)s;
}

int sock_connect(const char *host, int port) {
  if (winsock_ready() != 0) return -ENETDOWN;
  address a;
  socklen_t len;
  if (parse_address(host, port, &a, &len) != 0) return -EINVAL;
  SOCKET s = new_socket(a.sa.sa_family);
  if (s == INVALID_SOCKET) return fail();
  if (set_nonblocking(s) != 0) return fail_closing(s);
  set_nodelay(s);
  /* Finishes in the background; WRITE or ERROR tells. */
  if (connect(s, &a.sa, len) != 0 && WSAGetLastError() != WSAEWOULDBLOCK) return fail_closing(s);
  return (int)s;
}

int sock_accept(int fd) {
  if (winsock_ready() != 0) return -ENETDOWN;
  for (;;) {
    SOCKET s = accept((SOCKET)fd, NULL, NULL);
    if (s != INVALID_SOCKET) { return sock_adopt(s) == 0 ? (int)s : fail_closing(s); }
    int err = WSAGetLastError();
    if (err != WSAEINTR && err != WSAECONNRESET) return -wsa_errno(err);
  }
}

/* Not a socket: fd is a C runtime descriptor (stdin, a pipe), read and written as a stream. */
static int is_socket(int fd) {
  int type;
  int len = sizeof type;
  return getsockopt((SOCKET)fd, SOL_SOCKET, SO_TYPE, (char *)&type, &len) == 0;
}

long sock_send(int fd, const void *data, size_t len) {
  if (winsock_ready() != 0) return -ENETDOWN;
  if (!is_socket(fd)) {
    int n = _write(fd, data, (unsigned)len);
    return n >= 0 ? n : -errno;
  }
  int n = send((SOCKET)fd, data, len > INT_MAX ? INT_MAX : (int)len, 0);
  return n >= 0 ? n : fail();
}

long sock_recv(int fd, void *buf, size_t len) {
  if (winsock_ready() != 0) return -ENETDOWN;
  if (!is_socket(fd)) {
    int n = _read(fd, buf, (unsigned)len);
    return n >= 0 ? n : -errno;
  }
  int n = recv((SOCKET)fd, buf, len > INT_MAX ? INT_MAX : (int)len, 0);
  return n >= 0 ? n : fail();
}

int sock_shutdown(int fd) {
  if (winsock_ready() != 0) return -ENETDOWN;
  return shutdown((SOCKET)fd, SD_SEND) == 0 ? 0 : fail();
}

int sock_close(int fd) {
  if (winsock_ready() != 0) return -ENETDOWN;
  if (closesocket((SOCKET)fd) == 0) return 0;
  if (WSAGetLastError() != WSAENOTSOCK) return fail();
  return _close(fd) == 0 ? 0 : -errno;
}

int fd_kind(int fd) {
  if (winsock_ready() != 0) return -ENETDOWN;
  if (!is_socket(fd)) return _get_osfhandle(fd) == -1 ? -EBADF : KIND_STREAM;
  BOOL listening = FALSE;
  int len = sizeof listening;
  if (getsockopt((SOCKET)fd, SOL_SOCKET, SO_ACCEPTCONN, (char *)&listening, &len) != 0) return fail();
  return listening ? KIND_LISTENER : KIND_SOCKET;
}
