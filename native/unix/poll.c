/* poll mechanism: a dense pollfd array (O(1) add and remove by swapping with the last), entry 0
 * the wakeup fd. Harvesting starts where the last capped harvest stopped, so no fd starves. */
/* Built for Linux, and by emscripten for the simulation (scripts/build.mjs). */
#include <stdlib.h>
#include "common/assert.h"
#include "common/os.h"
#include "common/shim.h"

typedef struct poll_state {
  os_pollfd *fds;
  uint32_t *owner; /* fdstate index per pollfd entry */
  uint32_t *ready_owner;
  unsigned *ready_events;
  int count, cursor;
} poll_state;

static int16_t to_poll(unsigned bits) {
  return (int16_t)((bits & SHIM_IN ? OS_IN : 0) | (bits & SHIM_OUT ? OS_OUT : 0));
}

static int pl_open(shim *s) {
  poll_state *p = calloc(1, sizeof *p);
  if (!p) return -OS_ENOMEM;
  p->fds = calloc((size_t)s->cfg.max_sockets + 1, sizeof(os_pollfd));
  p->owner = calloc((size_t)s->cfg.max_sockets + 1, sizeof(uint32_t));
  p->ready_owner = calloc((size_t)s->cfg.max_sockets + 1, sizeof(uint32_t));
  p->ready_events = calloc((size_t)s->cfg.max_sockets + 1, sizeof(unsigned));
  if (!p->fds || !p->owner || !p->ready_owner || !p->ready_events) {
    free(p->fds);
    free(p->owner);
    free(p->ready_owner);
    free(p->ready_events);
    free(p);
    return -OS_ENOMEM;
  }
  p->fds[0].fd = s->wake_fd;
  p->fds[0].events = OS_IN;
  p->count = 1;
  p->cursor = 1;
  s->mech_state = p;
  return 0;
}

static void pl_close(shim *s) {
  poll_state *p = s->mech_state;
  if (!p) return;
  free(p->fds);
  free(p->owner);
  free(p->ready_owner);
  free(p->ready_events);
  free(p);
  s->mech_state = NULL;
}

static int pl_watch(shim *s, fdstate *f, unsigned bits) {
  poll_state *p = s->mech_state;
  SHIM_ASSERT((bits & ~(SHIM_IN | SHIM_OUT)) == 0);
  if (!f->watched) {
    SHIM_ASSERT(p->count <= s->cfg.max_sockets); /* entry 0 is the wakeup fd */
    f->poll_index = p->count++;
    p->fds[f->poll_index].fd = f->fd;
    p->owner[f->poll_index] = fdmap_index(&s->fds, f);
  }
  p->fds[f->poll_index].events = to_poll(bits);
  f->watched = 1;
  f->watched_bits = bits;
  return 0;
}

static void pl_unwatch(shim *s, fdstate *f) {
  poll_state *p = s->mech_state;
  SHIM_ASSERT(f->watched && f->poll_index >= 1 && f->poll_index < p->count);
  SHIM_ASSERT(p->owner[f->poll_index] == fdmap_index(&s->fds, f));
  int last = --p->count;
  if (f->poll_index != last) {
    p->fds[f->poll_index] = p->fds[last];
    p->owner[f->poll_index] = p->owner[last];
    s->fds.states[p->owner[last]].poll_index = f->poll_index;
  }
  f->poll_index = -1;
  f->watched = 0;
  f->watched_bits = 0;
}

static int pl_wait(shim *s, int timeout_ms) {
  poll_state *p = s->mech_state;
  int n = os_poll(p->fds, p->count, timeout_ms);
  if (n <= 0) return n;
  if (p->fds[0].revents) {
    os_eventfd_drain(s->wake_fd);
    s->woken = 1;
  }
  /* Gather first: dispatching may unwatch entries and reorder the array. */
  int users = p->count - 1, ready = 0;
  uint32_t room = s->cfg.result_capacity - (uint32_t)s->results;
  if (p->cursor < 1 || p->cursor >= p->count) p->cursor = 1;
  int i = p->cursor;
  for (int seen = 0; seen < users && (uint32_t)ready < room; seen++, i = i + 1 < p->count ? i + 1 : 1) {
    if (!p->fds[i].revents) continue;
    p->ready_owner[ready] = p->owner[i];
    p->ready_events[ready++] = (unsigned short)p->fds[i].revents;
  }
  p->cursor = i;
  SHIM_ASSERT((uint32_t)ready <= room);
  for (int k = 0; k < ready; k++) shim_on_ready(s, &s->fds.states[p->ready_owner[k]], p->ready_events[k]);
  return n;
}

const mechanism mechanism_poll = {pl_open, pl_close, pl_watch, pl_unwatch, pl_wait};
