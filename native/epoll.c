/* epoll mechanism: level-triggered; each watched fd carries its fdstate index as data. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/epoll.h>
#include "shim.h"

#define WAKE_TAG UINT64_MAX
enum { BATCH_MAX = 1024 };

typedef struct epoll_state {
  int epfd;
  struct epoll_event batch[BATCH_MAX];
} epoll_state;

static unsigned to_epoll(unsigned bits) {
  return (bits & SHIM_IN ? EPOLLIN : 0) | (bits & SHIM_OUT ? EPOLLOUT : 0);
}

static int ep_open(shim *s) {
  epoll_state *e = calloc(1, sizeof *e);
  if (!e) return -ENOMEM;
  e->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (e->epfd < 0) { int err = errno; free(e); return -err; }
  struct epoll_event ev = { .events = EPOLLIN, .data.u64 = WAKE_TAG };
  if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, s->wake_fd, &ev) != 0) {
    int err = errno; close(e->epfd); free(e); return -err;
  }
  s->mech_state = e;
  return 0;
}

static void ep_close(shim *s) {
  epoll_state *e = s->mech_state;
  if (!e) return;
  close(e->epfd);
  free(e);
  s->mech_state = NULL;
}

static int ep_watch(shim *s, fdstate *f, unsigned bits) {
  epoll_state *e = s->mech_state;
  struct epoll_event ev = { .events = to_epoll(bits), .data.u64 = fdmap_index(&s->fds, f) };
  if (epoll_ctl(e->epfd, f->watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, f->fd, &ev) != 0) return -errno;
  f->watched = 1;
  f->watched_bits = bits;
  return 0;
}

static void ep_unwatch(shim *s, fdstate *f) {
  epoll_state *e = s->mech_state;
  /* Fails harmlessly when the app already closed the fd: the kernel dropped it then. */
  epoll_ctl(e->epfd, EPOLL_CTL_DEL, f->fd, NULL);
  f->watched = 0;
  f->watched_bits = 0;
}

static int ep_wait(shim *s, int timeout_ms) {
  epoll_state *e = s->mech_state;
  uint32_t room = s->cfg.result_capacity - (uint32_t)s->results;
  int max = room < BATCH_MAX ? (int)room : BATCH_MAX;
  if (max < 1) max = 1;
  int n = epoll_wait(e->epfd, e->batch, max, timeout_ms);
  if (n < 0) return -errno;
  for (int i = 0; i < n; i++) {
    if (e->batch[i].data.u64 == WAKE_TAG) {
      uint64_t count;
      while (read(s->wake_fd, &count, sizeof count) < 0 && errno == EINTR) {}
      s->woken = 1;
      continue;
    }
    shim_on_ready(s, &s->fds.states[e->batch[i].data.u64], e->batch[i].events);
  }
  return n;
}

const mechanism mechanism_epoll = { ep_open, ep_close, ep_watch, ep_unwatch, ep_wait };
