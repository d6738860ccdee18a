/* Socket helpers over POSIX: every socket non-blocking and close-on-exec, TCP without Nagle
 * (interactive servers want each line out at once). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/address.h"
#include "common/os.h"
#include "common/seam.h"
#include "common/sockets.h"

static void set_nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static int fail_closing(int fd) {
  int err = errno;
  close(fd);
  return -err;
}

int sock_pair(int fds[2]) {
  return socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0 ? 0 : -errno;
}

int sock_listen(const char *host, int port, int backlog, int *bound_port) {
  address a;
  socklen_t len;
  if (parse_address(host, port, &a, &len) != 0) return -EINVAL;
  int fd = socket(a.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, &a.sa, len) != 0 || listen(fd, backlog) != 0) return fail_closing(fd);
  if (getsockname(fd, &a.sa, &len) != 0) return fail_closing(fd);
  *bound_port = address_port(&a);
  return fd;
}

int sock_connect(const char *host, int port) {
  address a;
  socklen_t len;
  if (parse_address(host, port, &a, &len) != 0) return -EINVAL;
  int fd = socket(a.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  set_nodelay(fd);
  while (connect(fd, &a.sa, len) != 0) {
    if (errno == EINTR) continue;
    if (errno == EINPROGRESS) break; /* finishes in the background; WRITE or ERROR tells */
    return fail_closing(fd);
  }
  return fd;
}

int sock_accept(int fd) {
  for (;;) {
    int nfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (nfd >= 0) {
      set_nodelay(nfd);
      return nfd;
    }
    if (errno != EINTR && errno != ECONNABORTED) return -errno;
  }
}

/* The shim's own socket calls (os_posix.c); a pipe or a terminal (not a socket) reads and writes. */
long sock_send(int fd, const void *data, size_t len) {
  long n = os_write(fd, 0, data, len);
  return n == -ENOTSOCK ? os_write(fd, 1, data, len) : n;
}

long sock_recv(int fd, void *buf, size_t len) {
  long n = os_read(fd, 0, buf, len);
  return n == -ENOTSOCK ? os_read(fd, 1, buf, len) : n;
}

int sock_shutdown(int fd) { return shutdown(fd, SHUT_WR) == 0 ? 0 : -errno; }

int sock_close(int fd) {
  /* On Linux the fd is released even when close reports EINTR: never retry. */
  return close(fd) == 0 || errno == EINTR ? 0 : -errno;
}

int sock_name(int fd, int peer, char text[SOCK_NAME_TEXT_BYTES], int *port) {
  address a;
  socklen_t len = sizeof a;
  if ((peer ? getpeername(fd, &a.sa, &len) : getsockname(fd, &a.sa, &len)) != 0) return -errno;
  return address_text(&a, text, SOCK_NAME_TEXT_BYTES, port);
}

int fd_kind(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return -errno;
  if (!S_ISSOCK(st.st_mode)) return KIND_STREAM;
  int listening = 0;
  socklen_t len = sizeof listening;
  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0) return -errno;
  return listening ? KIND_LISTENER : KIND_SOCKET;
}
