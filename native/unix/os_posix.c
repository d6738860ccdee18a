/* The shim's OS calls answered by the real Linux kernel. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "common/os.h"

_Static_assert(OS_EAGAIN == EAGAIN && OS_EINTR == EINTR && OS_ECANCELED == ECANCELED &&
                   OS_ECONNABORTED == ECONNABORTED && OS_EPERM == EPERM,
               "Linux errno numbering");
_Static_assert((int)OS_IN == (int)EPOLLIN && (int)OS_OUT == (int)EPOLLOUT && OS_IN == POLLIN && OS_OUT == POLLOUT &&
                   OS_ERR == POLLERR && OS_HUP == POLLHUP,
               "epoll and poll share these bits");
_Static_assert(sizeof(os_pollfd) == sizeof(struct pollfd), "os_pollfd is struct pollfd");

int os_accept(int fd) {
  for (;;) {
    int nfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (nfd >= 0) {
      int one = 1;
      setsockopt(nfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return nfd;
    }
    if (errno != EINTR) return -errno;
  }
}

/* A socket's recv and send as plain system calls: glibc's wrappers are cancellation points, and
 * switching asynchronous cancellation on and off around each cost about as many instructions as
 * the rest of a reactor.os call. No thread of ours is ever cancelled. On x86-64 and arm64 the
 * instruction itself, which answers -errno: glibc's syscall() moves six arguments through its
 * variadic frame and the result through errno's thread-local slot, a third of the C side of a
 * reactor.os call under callgrind. */
static inline long raw_syscall6(long number, long a, long b, long c, long d, long e, long f) {
#if defined(__x86_64__)
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  long result;
  __asm__ volatile("syscall"
                   : "=a"(result)
                   : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return result;
#elif defined(__aarch64__)
  register long x8 __asm__("x8") = number;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  register long x5 __asm__("x5") = f;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
  return x0;
#else
  long n = syscall(number, a, b, c, d, e, f);
  return n >= 0 ? n : -errno;
#endif
}

long os_read(int fd, int stream, void *buf, size_t len) {
  for (;;) {
    long n = stream ? raw_syscall6(SYS_read, fd, (long)buf, (long)len, 0, 0, 0)
                    : raw_syscall6(SYS_recvfrom, fd, (long)buf, (long)len, 0, 0, 0);
    if (n != -EINTR) return n;
  }
}

long os_write(int fd, int stream, const void *buf, size_t len) {
  for (;;) {
    long n = stream ? raw_syscall6(SYS_write, fd, (long)buf, (long)len, 0, 0, 0)
                    : raw_syscall6(SYS_sendto, fd, (long)buf, (long)len, MSG_NOSIGNAL, 0, 0);
    if (n != -EINTR) return n;
  }
}

int os_is_regular_file(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return -errno;
  return S_ISREG(st.st_mode) ? 1 : 0;
}

int os_socket_error(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 ? err : 0;
}

int os_eventfd(void) {
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  return fd >= 0 ? fd : -errno;
}

int os_eventfd_signal(int fd) {
  uint64_t one = 1;
  for (;;) {
    if (write(fd, &one, sizeof one) >= 0 || errno == EAGAIN) return 0; /* EAGAIN: already signalled */
    if (errno != EINTR) return -errno;
  }
}

void os_eventfd_drain(int fd) {
  uint64_t count;
  while (read(fd, &count, sizeof count) < 0 && errno == EINTR) {}
}

int os_close(int fd) { return close(fd) == 0 || errno == EINTR ? 0 : -errno; }

double os_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int os_epoll_create(void) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  return ep >= 0 ? ep : -errno;
}

static int epoll_control(int ep, int op, int fd, uint32_t events, uint32_t tag) {
  struct epoll_event ev = {.events = events, .data.u64 = tag};
  return epoll_ctl(ep, op, fd, &ev) == 0 ? 0 : -errno;
}

int os_epoll_add(int ep, int fd, uint32_t events, uint32_t tag) {
  return epoll_control(ep, EPOLL_CTL_ADD, fd, events, tag);
}
int os_epoll_modify(int ep, int fd, uint32_t events, uint32_t tag) {
  return epoll_control(ep, EPOLL_CTL_MOD, fd, events, tag);
}
int os_epoll_remove(int ep, int fd) { return epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL) == 0 ? 0 : -errno; }

enum { EPOLL_BATCH = 1024 };

int os_epoll_wait(int ep, os_ready *ready, int max, int timeout_ms) {
  struct epoll_event batch[EPOLL_BATCH];
  int n = epoll_wait(ep, batch, max < EPOLL_BATCH ? max : EPOLL_BATCH, timeout_ms);
  if (n < 0) return -errno;
  for (int i = 0; i < n; i++) {
    ready[i].events = batch[i].events;
    ready[i].tag = (uint32_t)batch[i].data.u64;
  }
  return n;
}

int os_poll(os_pollfd *fds, int count, int timeout_ms) {
  int n = poll((struct pollfd *)fds, (nfds_t)count, timeout_ms);
  return n >= 0 ? n : -errno;
}
