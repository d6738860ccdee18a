/* The OS calls the POSIX shim makes, and nothing else. unix/os_posix.c answers them with the real
 * kernel; the simulation answers them with its simulated kernel. Failures are -errno, in Linux
 * numbering (OS_E* in seam.h) whatever the build's own errno.h says. */
#ifndef IO_REACTOR_OS_H
#define IO_REACTOR_OS_H
#include <stddef.h>
#include <stdint.h>
#include "seam.h"

/* Readiness bits, in epoll and poll numbering alike. */
enum { OS_IN = OS_EPOLLIN, OS_OUT = OS_EPOLLOUT, OS_ERR = OS_EPOLLERR, OS_HUP = OS_EPOLLHUP };

typedef struct os_ready {
  uint32_t events;
  uint32_t tag; /* what the watcher registered the fd with */
} os_ready;

typedef struct os_pollfd {
  int32_t fd;
  int16_t events, revents;
} os_pollfd;

/* Sockets and streams. `stream`: a pipe, tty or file (read/write), else a socket (recv/send). */
int os_accept(int fd); /* non-blocking, close-on-exec, no Nagle */
long os_read(int fd, int stream, void *buf, size_t len);
long os_write(int fd, int stream, const void *buf, size_t len);
int os_is_regular_file(int fd); /* 1, 0, or -errno when not open */
int os_socket_error(int fd);    /* SO_ERROR, 0 if none or not a socket */

/* Wakeup counter (eventfd). */
int os_eventfd(void);
int os_eventfd_signal(int fd);
void os_eventfd_drain(int fd);
int os_close(int fd);

/* Monotonic milliseconds. */
double os_now_ms(void);

/* epoll, level-triggered; `events` in OS_* bits. */
int os_epoll_create(void);
int os_epoll_add(int ep, int fd, uint32_t events, uint32_t tag);
int os_epoll_modify(int ep, int fd, uint32_t events, uint32_t tag);
int os_epoll_remove(int ep, int fd);
int os_epoll_wait(int ep, os_ready *ready, int max, int timeout_ms);

int os_poll(os_pollfd *fds, int count, int timeout_ms);
#endif
