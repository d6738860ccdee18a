// The echo benchmark's reference server: plain C, one thread, level-triggered epoll, what a
// careful hand-written server costs. Prints "PORT n" when listening; exits after --max-seconds or
// when its parent (the benchmark driver) is gone.
//   echo_server_epoll [--max-seconds 60]
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

enum { BACKLOG = 4096, EVENTS_MAX = 1024, READ_BYTES = 65536, WAIT_MS = 250 };

/** Bytes a connection still owes its peer: while any wait, the connection waits for room, not input. */
typedef struct {
  int fd;
  char *unsent;
  size_t unsent_bytes;
} conn_t;

static char buffer[READ_BYTES];

static void drop(conn_t *c) {
  close(c->fd);
  free(c->unsent);
  free(c);
}

static int watch(int ep, int op, conn_t *c, unsigned events) {
  struct epoll_event ev = {.events = events, .data.ptr = c};
  return epoll_ctl(ep, op, c->fd, &ev);
}

/** Sends `bytes`; keeps what the kernel did not take and switches to waiting for room. */
static int send_or_keep(int ep, conn_t *c, const char *bytes, size_t n) {
  while (n > 0) {
    ssize_t w = send(c->fd, bytes, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno != EAGAIN) return -1;
      char *kept = malloc(n);
      if (!kept) return -1;
      memcpy(kept, bytes, n);
      free(c->unsent);
      c->unsent = kept;
      c->unsent_bytes = n;
      return watch(ep, EPOLL_CTL_MOD, c, EPOLLOUT);
    }
    bytes += w;
    n -= (size_t)w;
  }
  return 0;
}

static int on_readable(int ep, conn_t *c) {
  ssize_t n = recv(c->fd, buffer, sizeof buffer, 0);
  if (n == 0) return -1;
  if (n < 0) return errno == EAGAIN ? 0 : -1;
  return send_or_keep(ep, c, buffer, (size_t)n);
}

static int on_writable(int ep, conn_t *c) {
  char *rest = c->unsent;
  size_t n = c->unsent_bytes;
  c->unsent = NULL;
  c->unsent_bytes = 0;
  int r = send_or_keep(ep, c, rest, n);
  free(rest);
  if (r < 0) return -1;
  return c->unsent ? 0 : watch(ep, EPOLL_CTL_MOD, c, EPOLLIN);
}

static void accept_all(int ep, int listener) {
  for (;;) {
    int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
    if (fd < 0) return;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    conn_t *c = calloc(1, sizeof *c);
    if (!c) {
      close(fd);
      return;
    }
    c->fd = fd;
    if (watch(ep, EPOLL_CTL_ADD, c, EPOLLIN) < 0) drop(c);
  }
}

int main(int argc, char **argv) {
  double max_seconds = 60;
  for (int i = 1; i + 1 < argc; i++) {
    if (strcmp(argv[i], "--max-seconds") == 0) max_seconds = atof(argv[i + 1]);
  }
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET};
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  socklen_t len = sizeof addr;
  if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(listener, BACKLOG) < 0 ||
      getsockname(listener, (struct sockaddr *)&addr, &len) < 0) {
    perror("echo_server_epoll: listen on 127.0.0.1");
    return 1;
  }
  int ep = epoll_create1(0);
  struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &lev);
  printf("PORT %d\n", ntohs(addr.sin_port));
  fflush(stdout);

  pid_t parent = getppid();
  time_t deadline = time(NULL) + (time_t)max_seconds;
  struct epoll_event events[EVENTS_MAX];
  while (time(NULL) < deadline && getppid() == parent) {
    int n = epoll_wait(ep, events, EVENTS_MAX, WAIT_MS);
    for (int i = 0; i < n; i++) {
      conn_t *c = events[i].data.ptr;
      if (!c) {
        accept_all(ep, listener);
        continue;
      }
      int r = events[i].events & EPOLLERR ? -1 : c->unsent ? on_writable(ep, c) : on_readable(ep, c);
      if (r < 0) drop(c);
    }
  }
  return 0;
}
