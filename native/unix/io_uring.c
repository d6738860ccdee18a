/* The io_uring shim: the completion model native on Linux, over one ring (os_uring.h). Sends are
 * submitted as the core queues them, tagged with their context id, and reach the kernel with the
 * wait in one io_uring_enter. A fd with reads armed has one poll in the ring; when it reports
 * data, each armed read takes the next provided buffer and reads into it (the core lends its
 * buffers per wait, so none waits in the kernel on an idle connection). A listener keeps one
 * multishot accept armed while accepts are posted; the wakeup eventfd is watched by a multishot
 * poll in the same ring. Raw -errno results go to the core, which translates them. */
#include <stdlib.h>
#include "common/assert.h"
#include "common/os.h"
#include "common/deadline.h"
#include "common/results.h"
#include "os_uring.h"

/* What a submission's tag names: its kind in the top byte, then a registration number, then an id. */
enum { TAG_OP = 1, TAG_ACCEPT = 2, TAG_WAKE = 3, TAG_CANCEL = 4, TAG_READ = 5 };
/* Submission slots; a cycle with more submissions sends the full queue ahead of the wait. */
enum { URING_ENTRIES = 4096 };
typedef struct parked_accept {
  uint32_t listener; /* fdstate index */
  int fd;
} parked_accept;

typedef struct uring_state {
  intptr_t ring;
  /* Per fdstate index: which registration holds it (a late completion of an earlier one's
   * accept must not count), and whether its multishot accept is armed. */
  uint32_t *registration;
  uint8_t *accept_armed;
  uint8_t *read_polled; /* per fdstate index: its reads' poll is in the ring */
  uint32_t registrations;
  int cancelling; /* operations of removed fds whose last completion has not come back */
  int wake_seen;  /* a wakeup came in while applying requests: the next harvest ends at once */
  /* Connections the multishot accept took while no accept was posted, in arrival order, kept
   * for the next ones posted; as many as registrations (each would become one). */
  parked_accept *parked;
  int parked_count;
  os_uring_cqe batch[OS_URING_BATCH_MAX];
} uring_state;

static uint64_t tag_of(unsigned kind, uint32_t registration, uint32_t id) {
  return (uint64_t)kind << 56 | (uint64_t)(registration & 0xffffff) << 32 | id;
}
static unsigned tag_kind(uint64_t tag) { return (unsigned)(tag >> 56); }
static uint32_t tag_registration(uint64_t tag) { return (uint32_t)(tag >> 32) & 0xffffff; }
static uint32_t tag_id(uint64_t tag) { return (uint32_t)tag; }

static uring_state *state_of(shim *s) { return s->mech_state; }

/* Whether a completion belongs to the registration its operation was posted for: after a remove
 * (and maybe a new add of the same fd) it is only the kernel confirming the cancel. */
static fdstate *live_registration(shim *s, const shim_op *op) {
  fdstate *f = fdmap_find(&s->fds, op->fd);
  return f && f->slot == op->slot && f->gen == op->gen ? f : NULL;
}

/* ---- reads: armed on the fd, served from the provided ring once the poll reports data ----- */

static uint64_t read_tag(shim *s, uint32_t index) { return tag_of(TAG_READ, state_of(s)->registration[index], index); }

/* While reads are armed and not starved, one poll in the ring watches the fd for data. */
static void watch_reads(shim *s, fdstate *f) {
  uring_state *u = state_of(s);
  uint32_t index = fdmap_index(&s->fds, f);
  if (u->read_polled[index] || f->reads_armed == 0 || f->starved) return;
  int rc = os_uring_poll(u->ring, f->fd, OS_IN, 0, read_tag(s, index));
  if (rc < 0) {
    end_armed_reads(s, f, -rc);
    return;
  }
  u->read_polled[index] = 1;
}

static void on_readable(shim *s, const os_uring_cqe *c) {
  uring_state *u = state_of(s);
  uint32_t index = tag_id(c->tag);
  SHIM_ASSERT(index < (uint32_t)s->fds.capacity);
  fdstate *f = &s->fds.states[index];
  if (f->fd < 0 || u->registration[index] != tag_registration(c->tag)) {
    u->cancelling--; /* the poll of a removed fd, confirming its cancel */
    return;
  }
  u->read_polled[index] = 0;
  if (c->res < 0) end_armed_reads(s, f, -c->res);
  else perform_armed_reads(s, f);
  watch_reads(s, f);
}

/* ---- sends: one in flight per fd, continued until every byte has left ------------------- */

static void end_writes(shim *s, fdstate *f, int os_code) {
  int ctx = pop_op(s, &f->write_head, &f->write_tail);
  push_complete(s, f->fd, ctx, f->write_done, os_code, -1);
  f->write_done = 0;
  fail_queue(s, f->fd, &f->write_head, &f->write_tail, os_code);
}

static void next_send(shim *s, fdstate *f);

/* Counts `sent` bytes of the head send; a finished head completes and the next one starts. */
static void advance_send(shim *s, fdstate *f, long sent) {
  if (sent < 0) {
    end_writes(s, f, (int)-sent);
    return;
  }
  const shim_op *op = &s->ops[f->write_head];
  f->write_done += (int)sent;
  SHIM_ASSERT(f->write_done <= op->len);
  if (f->write_done < op->len) {
    next_send(s, f);
    return;
  }
  int ctx = pop_op(s, &f->write_head, &f->write_tail);
  push_complete(s, f->fd, ctx, op->len, 0, -1);
  f->write_done = 0;
  if (f->write_head >= 0) next_send(s, f);
}

/* Sends the rest of the head write: a socket's through the ring; a stream's by write() now, or
 * once the ring reports it writable. A second send in flight could overtake a short first one,
 * so the queue waits behind the head. */
static void next_send(shim *s, fdstate *f) {
  const shim_op *op = &s->ops[f->write_head];
  const uint8_t *rest = s->cfg.buffers + op->ptr + f->write_done;
  uint32_t left = (uint32_t)(op->len - f->write_done);
  uint64_t tag = tag_of(TAG_OP, 0, (uint32_t)f->write_head);
  int rc;
  if (f->kind == KIND_STREAM) {
    long n = os_write(f->fd, 1, rest, left);
    if (n != -OS_EAGAIN && n != 0) {
      advance_send(s, f, n);
      return;
    }
    rc = os_uring_poll(state_of(s)->ring, f->fd, OS_OUT, 0, tag);
  } else {
    rc = os_uring_send(state_of(s)->ring, f->fd, rest, left, tag);
  }
  if (rc < 0) end_writes(s, f, -rc);
}

/* A socket's send finished (res: bytes), or a stream became writable (res: revents). */
static void on_send(shim *s, fdstate *f, int32_t res) {
  if (f->kind == KIND_STREAM && res >= 0) next_send(s, f);
  else advance_send(s, f, res);
}

/* ---- accepts: one multishot accept per listener, armed from its first posted accept ------ */

static uint64_t accept_tag(shim *s, uint32_t index) {
  return tag_of(TAG_ACCEPT, state_of(s)->registration[index], index);
}

static void arm_accept(shim *s, fdstate *f) {
  uring_state *u = state_of(s);
  uint32_t index = fdmap_index(&s->fds, f);
  if (u->accept_armed[index]) return;
  int rc = os_uring_accept_multishot(u->ring, f->fd, accept_tag(s, index));
  if (rc < 0) {
    fail_queue(s, f->fd, &f->read_head, &f->read_tail, -rc);
    return;
  }
  u->accept_armed[index] = 1;
}

/* A connection the listener took before an accept was posted for it: the first one posted gets it. */
static int take_parked(shim *s, uint32_t listener) {
  uring_state *u = state_of(s);
  for (int i = 0; i < u->parked_count; i++) {
    if (u->parked[i].listener != listener) continue;
    int fd = u->parked[i].fd;
    for (int j = i + 1; j < u->parked_count; j++) u->parked[j - 1] = u->parked[j];
    u->parked_count--;
    return fd;
  }
  return -1;
}

static void park(shim *s, uint32_t listener, int fd) {
  uring_state *u = state_of(s);
  SHIM_ASSERT(u->parked_count <= s->cfg.max_sockets);
  if (u->parked_count == s->cfg.max_sockets) {
    os_close(fd);
    return;
  } /* could never be added */
  u->parked[u->parked_count++] = (parked_accept){listener, fd};
}

static void on_accept(shim *s, const os_uring_cqe *c) {
  uring_state *u = state_of(s);
  uint32_t index = tag_id(c->tag);
  SHIM_ASSERT(index < (uint32_t)s->fds.capacity);
  fdstate *f = &s->fds.states[index];
  if (f->fd < 0 || u->registration[index] != tag_registration(c->tag)) {
    if (c->res >= 0) os_close(c->res); /* accepted for a listener that is gone */
    if (!(c->flags & OS_URING_MORE)) u->cancelling--;
    return;
  }
  if (!(c->flags & OS_URING_MORE)) u->accept_armed[index] = 0;
  if (c->res >= 0) {
    os_uring_accepted(c->res);
    if (f->read_head >= 0) push_complete(s, f->fd, pop_op(s, &f->read_head, &f->read_tail), 0, 0, c->res);
    else park(s, index, c->res);
  } else if (c->res != -OS_ECONNABORTED && f->read_head >= 0) {
    /* A connection reset before accept is not the listener's failure; anything else is. */
    push_complete(s, f->fd, pop_op(s, &f->read_head, &f->read_tail), 0, -c->res, -1);
  }
  if (f->read_head >= 0) arm_accept(s, f);
}

/* ---- completions ------------------------------------------------------------------------- */

static void on_op(shim *s, const os_uring_cqe *c) {
  int ctx = (int)tag_id(c->tag);
  SHIM_ASSERT(valid_context(s, ctx));
  const shim_op *op = &s->ops[ctx];
  fdstate *f = live_registration(s, op);
  if (!f) {
    /* The core only takes the context back. */
    state_of(s)->cancelling--;
    int before = s->results;
    push_complete(s, op->fd, ctx, 0, OS_ECANCELED, -1);
    s->bookkeeping += s->results - before;
    return;
  }
  SHIM_ASSERT(op->kind == REQ_SEND);
  on_send(s, f, c->res);
}

static void on_completion(shim *s, const os_uring_cqe *c) {
  switch (tag_kind(c->tag)) {
  case TAG_OP: on_op(s, c); break;
  case TAG_ACCEPT: on_accept(s, c); break;
  case TAG_READ: on_readable(s, c); break;
  case TAG_WAKE:
    os_eventfd_drain(s->wake_fd);
    state_of(s)->wake_seen = 1;
    if (!(c->flags & OS_URING_MORE)) os_uring_poll(state_of(s)->ring, s->wake_fd, OS_IN, 1, c->tag);
    break;
  default: break; /* TAG_CANCEL: what was cancelled reports itself */
  }
}

/* ---- requests ---------------------------------------------------------------------------- */

static void request_add(shim *s, const seam_request *q) {
  SHIM_ASSERT(valid_add_request(q));
  fdstate *f = fdmap_insert(&s->fds, q->fd);
  if (!f) {
    push_add_failed(s, q->fd, q->target, q->gen, OS_ENOSPC);
    return;
  }
  f->kind = q->len;
  f->slot = q->target;
  f->gen = q->gen;
  int open = os_is_regular_file(q->fd); /* the fd may have closed since add() checked it */
  if (open < 0) {
    fdmap_erase(&s->fds, f);
    push_add_failed(s, q->fd, q->target, q->gen, -open);
    return;
  }
  uring_state *u = state_of(s);
  uint32_t index = fdmap_index(&s->fds, f);
  u->registrations = (u->registrations + 1) & 0xffffff;
  u->registration[index] = u->registrations;
  u->accept_armed[index] = 0;
  u->read_polled[index] = 0;
}

/* Writes still queued never reached the kernel, and posted accepts wait on no submission of
 * their own: they end now. Armed reads hold nothing: they just go. What is in flight is
 * cancelled, and each context comes back with its completion. */
static void request_remove(shim *s, fdstate *f) {
  uring_state *u = state_of(s);
  uint32_t index = fdmap_index(&s->fds, f);
  int before = s->results;
  if (f->write_head >= 0) {
    int head = pop_op(s, &f->write_head, &f->write_tail);
    os_uring_cancel(u->ring, tag_of(TAG_OP, 0, (uint32_t)head), tag_of(TAG_CANCEL, 0, 0));
    u->cancelling++;
    fail_queue(s, f->fd, &f->write_head, &f->write_tail, OS_ECANCELED);
  }
  if (f->kind == KIND_LISTENER) {
    fail_queue(s, f->fd, &f->read_head, &f->read_tail, OS_ECANCELED);
    if (u->accept_armed[index]) {
      os_uring_cancel(u->ring, accept_tag(s, index), tag_of(TAG_CANCEL, 0, 0));
      u->cancelling++;
    }
    for (int fd; (fd = take_parked(s, index)) >= 0;) os_close(fd);
  }
  f->reads_armed = 0;
  if (u->read_polled[index]) {
    os_uring_cancel(u->ring, read_tag(s, index), tag_of(TAG_CANCEL, 0, 0));
    u->cancelling++;
  }
  s->bookkeeping += s->results - before;
  fdmap_erase(&s->fds, f);
}

static void request_io(shim *s, const seam_request *q) {
  SHIM_ASSERT(valid_io_request(s, q));
  fdstate *f = fdmap_find(&s->fds, q->fd);
  if (!f) {
    push_complete(s, q->fd, q->target, 0, OS_EBADF, -1);
    return;
  }
  shim_op *op = &s->ops[q->target];
  op->kind = q->kind;
  op->ptr = q->ptr;
  op->len = q->len;
  op->fd = q->fd;
  op->slot = f->slot;
  op->gen = f->gen;
  if (q->kind == REQ_SEND) {
    int idle = f->write_head < 0;
    queue_op(s, &f->write_head, &f->write_tail, q->target);
    if (idle) next_send(s, f);
  } else {
    int fd = take_parked(s, fdmap_index(&s->fds, f));
    if (fd >= 0) {
      push_complete(s, q->fd, q->target, 0, 0, fd);
      return;
    }
    queue_op(s, &f->read_head, &f->read_tail, q->target);
    arm_accept(s, f);
  }
}

/* A read armed on a slot, or resumed once buffers are back (its data is likely there already). */
static void request_read(shim *s, const seam_request *q) {
  SHIM_ASSERT(valid_read_request(s, q));
  fdstate *f = fdmap_find(&s->fds, q->fd);
  if (!f || f->slot != q->target || f->gen != q->gen) {
    fdstate gone = {.fd = q->fd, .slot = q->target, .gen = q->gen};
    push_recv(s, &gone, -1, 0, OS_EBADF);
    return;
  }
  if (q->kind == REQ_RECV) {
    f->reads_armed++;
  } else {
    f->starved = 0;
    perform_armed_reads(s, f);
  }
  watch_reads(s, f);
}

/* Takes up to the room left of completions, waiting up to timeout_ms; returns how many, or -errno. */
static int take_completions(shim *s, int timeout_ms) {
  uring_state *u = state_of(s);
  uint32_t room = s->cfg.result_capacity - (uint32_t)s->results;
  int max = room < OS_URING_BATCH_MAX ? (int)room : OS_URING_BATCH_MAX;
  if (max < 1) return 0; /* no room: the ring keeps the rest for the next wait */
  int n = os_uring_enter(u->ring, u->batch, max, timeout_ms);
  for (int i = 0; i < n; i++) on_completion(s, &u->batch[i]);
  return n;
}

/* The cancels must reach the kernel while the fds are open, and what they cancel must let go of
 * its file before apply returns: the app may close the fd next, and its peer must then see it
 * closed. An operation submitted from the wait thread ends on that thread, which the kernel
 * interrupts to run its completion. */
static void confirm_cancels(shim *s) {
  SHIM_ASSERT(state_of(s)->cancelling >= 0);
  while (state_of(s)->cancelling > 0) {
    int n = take_completions(s, -1);
    if (n == -OS_EINTR) continue;
    if (n <= 0) break;
  }
}

static int uring_apply(shim *s, int count) {
  s->results = 0;
  s->bookkeeping = 0;
  s->provided_taken = 0;
  int removed = 0;
  const seam_request *q = s->cfg.requests;
  for (int i = 0; i < count; i++, q++) {
    switch (q->kind) {
    case REQ_ADD: request_add(s, q); break;
    case REQ_REMOVE: {
      fdstate *f = fdmap_find(&s->fds, q->fd);
      if (f) {
        request_remove(s, f);
        removed = 1;
      }
      break;
    }
    case REQ_CLOSE: os_close(q->fd); break;
    case REQ_RECV:
    case REQ_RESUME: request_read(s, q); break;
    case REQ_MODIFY: break; /* the completion model has no interest to watch */
    case REQ_NONE: break;
    default: request_io(s, q); break;
    }
  }
  if (removed) confirm_cancels(s);
  return s->results;
}

/* ---- waiting ----------------------------------------------------------------------------- */

static int uring_harvest(shim *s, double timeout_ms) {
  uring_state *u = state_of(s);
  if (s->results > s->bookkeeping || u->wake_seen) timeout_ms = 0;
  double deadline = timeout_ms < 0 ? 0 : os_now_ms() + timeout_ms;
  for (;;) {
    if ((uint32_t)s->results >= s->cfg.result_capacity) break; /* the ring keeps the rest for the next wait */
    int ms = ms_left(timeout_ms, deadline, os_now_ms());
    int news_before = s->results - s->bookkeeping;
    int n = take_completions(s, ms);
    if (n == -OS_EINTR) {
      s->waits_interrupted++;
      continue;
    }
    if (n < 0) break;
    if (s->results - s->bookkeeping > news_before || u->wake_seen || ms == 0) break;
    if (timeout_ms >= 0 && os_now_ms() >= deadline) break;
    /* Only cancels confirmed, sends continued or connections parked: nothing for the app yet. */
  }
  s->woken = u->wake_seen;
  u->wake_seen = 0;
  return s->results;
}

/* ---- lifetime ---------------------------------------------------------------------------- */

static int uring_open(shim *s) {
  uring_state *u = calloc(1, sizeof *u);
  if (!u) return -OS_ENOMEM;
  s->mech_state = u;
  u->registration = calloc((size_t)s->cfg.max_sockets, sizeof(uint32_t));
  u->accept_armed = calloc((size_t)s->cfg.max_sockets, 1);
  u->read_polled = calloc((size_t)s->cfg.max_sockets, 1);
  u->parked = calloc((size_t)s->cfg.max_sockets, sizeof(parked_accept));
  if (!u->registration || !u->accept_armed || !u->read_polled || !u->parked) return -OS_ENOMEM;
  s->wake_fd = os_eventfd();
  if (s->wake_fd < 0) return s->wake_fd;
  int rc = os_uring_open(URING_ENTRIES, &u->ring);
  if (rc < 0) return rc;
  return os_uring_poll(u->ring, s->wake_fd, OS_IN, 1, tag_of(TAG_WAKE, 0, 0));
}

/* Also undoes an open that failed part way. Shutting the ring cancels what is in flight. */
static void uring_close(shim *s) {
  uring_state *u = state_of(s);
  if (!u) return;
  if (u->ring) os_uring_shut(u->ring);
  for (int i = 0; i < u->parked_count; i++) os_close(u->parked[i].fd);
  if (s->wake_fd >= 0) os_close(s->wake_fd);
  free(u->registration);
  free(u->accept_armed);
  free(u->read_polled);
  free(u->parked);
  free(u);
  s->mech_state = NULL;
}

static int uring_wake(shim *s) { return os_eventfd_signal(s->wake_fd); }

const shim_driver shim_driver_uring = {uring_open, uring_close, uring_apply, uring_harvest, uring_wake};
