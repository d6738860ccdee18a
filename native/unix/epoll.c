/* epoll mechanism: level-triggered; each watched fd is tagged with its fdstate index. */
/* Built for Linux, and by emscripten for the simulation (scripts/build.mjs). */
#include <stdlib.h>
#include "common/assert.h"
#include "common/os.h"
#include "common/shim.h"

#define WAKE_TAG UINT32_MAX
enum { BATCH_MAX = 1024 };

typedef struct epoll_state {
  int epfd;
  os_ready batch[BATCH_MAX];
} epoll_state;

static uint32_t to_epoll(unsigned bits) { return (bits & SHIM_IN ? OS_IN : 0) | (bits & SHIM_OUT ? OS_OUT : 0); }

static int ep_open(shim *s) {
  epoll_state *e = calloc(1, sizeof *e);
  if (!e) return -OS_ENOMEM;
  e->epfd = os_epoll_create();
  if (e->epfd < 0) {
    int err = e->epfd;
    free(e);
    return err;
  }
  int rc = os_epoll_add(e->epfd, s->wake_fd, OS_IN, WAKE_TAG);
  if (rc < 0) {
    os_close(e->epfd);
    free(e);
    return rc;
  }
  s->mech_state = e;
  return 0;
}

static void ep_close(shim *s) {
  epoll_state *e = s->mech_state;
  if (!e) return;
  os_close(e->epfd);
  free(e);
  s->mech_state = NULL;
}

static int ep_watch(shim *s, fdstate *f, unsigned bits) {
  epoll_state *e = s->mech_state;
  SHIM_ASSERT((bits & ~(SHIM_IN | SHIM_OUT)) == 0);
  uint32_t tag = fdmap_index(&s->fds, f);
  int rc = f->watched ? os_epoll_modify(e->epfd, f->fd, to_epoll(bits), tag)
                      : os_epoll_add(e->epfd, f->fd, to_epoll(bits), tag);
  if (rc < 0) return rc;
  f->watched = 1;
  f->watched_bits = bits;
  return 0;
}

static void ep_unwatch(shim *s, fdstate *f) {
  epoll_state *e = s->mech_state;
  SHIM_ASSERT(f->watched);
  /* Fails harmlessly when the app already closed the fd: the kernel dropped it then. */
  os_epoll_remove(e->epfd, f->fd);
  f->watched = 0;
  f->watched_bits = 0;
}

static int ep_wait(shim *s, int timeout_ms) {
  epoll_state *e = s->mech_state;
  uint32_t room = s->cfg.result_capacity - (uint32_t)s->results;
  int max = room < BATCH_MAX ? (int)room : BATCH_MAX;
  if (max < 1) return 0; /* no room: what is ready stays ready for the next wait */
  int n = os_epoll_wait(e->epfd, e->batch, max, timeout_ms);
  if (n < 0) return n;
  SHIM_ASSERT(n <= max);
  for (int i = 0; i < n; i++) {
    SHIM_ASSERT(e->batch[i].tag == WAKE_TAG || e->batch[i].tag < (uint32_t)s->fds.capacity);
    if (e->batch[i].tag == WAKE_TAG) {
      os_eventfd_drain(s->wake_fd);
      s->woken = 1;
      continue;
    }
    shim_on_ready(s, &s->fds.states[e->batch[i].tag], e->batch[i].events);
  }
  return n;
}

const mechanism mechanism_epoll = {ep_open, ep_close, ep_watch, ep_unwatch, ep_wait};
