/* The POSIX shim: performs the core's requests, waits on epoll or poll, and writes raw results
 * into the core's memory. In the completion model it emulates IOCP: armed reads, queued writes
 * and accepts are performed by the shim when their fd is ready, and each reports one completion;
 * a read takes its buffer from the provided ring only then. */
/* Built for Linux, and by emscripten for the simulation (scripts/build.mjs). */
#include <stdlib.h>
#include "common/assert.h"
#include "common/os.h"
#include "common/deadline.h"
#include "common/requests.h"

static void add_always(shim *s, fdstate *f) {
  SHIM_ASSERT(f->always_index < 0 && s->always_count < s->cfg.max_sockets);
  f->always_ready = 1;
  f->always_index = s->always_count;
  s->always[s->always_count++] = fdmap_index(&s->fds, f);
}

static void remove_always(shim *s, fdstate *f) {
  if (f->always_index < 0) return;
  SHIM_ASSERT(f->always_index < s->always_count && s->always[f->always_index] == fdmap_index(&s->fds, f));
  uint32_t last = s->always[--s->always_count];
  s->always[f->always_index] = last;
  s->fds.states[last].always_index = f->always_index;
  f->always_index = -1;
}

/* Completion model: watch what the queued operations wait for. Bits are added as soon as an
 * operation is queued, but dropped only when the fd reports readiness with nothing queued: the
 * usual complete-then-repost cycle costs no epoll_ctl, and an idle fd (even a hung-up one)
 * wakes at most one wait. */
static unsigned wanted_bits(const fdstate *f) {
  int reading = f->read_head >= 0 || (f->reads_armed > 0 && !f->starved);
  return (reading ? SHIM_IN : 0) | (f->write_head >= 0 ? SHIM_OUT : 0);
}

/* EPERM: an fd the mechanism cannot watch (a regular file, /dev/null) is always ready. Any other
 * refusal ends the queued operations with it, rather than leaving them waiting forever. */
static void watch_bits(shim *s, fdstate *f, unsigned bits) {
  int rc = s->mech->watch(s, f, bits);
  if (rc == 0) return;
  if (rc == -OS_EPERM) {
    add_always(s, f);
    return;
  }
  fail_queue(s, f->fd, &f->read_head, &f->read_tail, -rc);
  fail_queue(s, f->fd, &f->write_head, &f->write_tail, -rc);
  end_armed_reads(s, f, -rc);
}

static void arm_for_queued(shim *s, fdstate *f) {
  unsigned want = wanted_bits(f);
  if (f->always_ready || want == 0) return;
  if (!f->watched) watch_bits(s, f, want);
  else if (want & ~f->watched_bits) watch_bits(s, f, f->watched_bits | want);
}

/* After a readiness report: keep each bit that had an operation queued (its repost is likely on
 * the way) or still has one; drop the bits that woke us with nothing to do, and the read bit of
 * an fd starved of buffers (its data would wake every wait until REQ_RESUME). */
static void settle_after_ready(shim *s, fdstate *f, unsigned queued_before) {
  if (f->always_ready || !f->watched) return;
  if (f->starved && f->read_head < 0) queued_before &= ~SHIM_IN;
  unsigned keep = f->watched_bits & (queued_before | wanted_bits(f));
  if (keep == f->watched_bits) return;
  if (keep == 0) s->mech->unwatch(s, f);
  else watch_bits(s, f, keep);
}

/* A listener's accepts while connections wait; each finished one is a completion. */
static void perform_accepts(shim *s, fdstate *f) {
  while (f->read_head >= 0) {
    int nfd = os_accept(f->fd);
    /* A connection reset before accept is not the listener's failure: wait for the next. */
    if (nfd == -OS_EAGAIN || nfd == -OS_ECONNABORTED) return;
    int ctx = pop_op(s, &f->read_head, &f->read_tail);
    push_complete(s, f->fd, ctx, 0, nfd < 0 ? -nfd : 0, nfd);
  }
}

/* Sends queued writes in order; a short send keeps the rest for when the fd is writable. */
static void perform_writes(shim *s, fdstate *f) {
  while (f->write_head >= 0) {
    shim_op *op = &s->ops[f->write_head];
    SHIM_ASSERT(f->write_done >= 0 && f->write_done <= op->len);
    int left = op->len - f->write_done;
    long n = os_write(f->fd, f->kind == KIND_STREAM, s->cfg.buffers + op->ptr + f->write_done, (size_t)left);
    if (n == -OS_EAGAIN) return;
    if (n < 0) {
      end_head_write(s, f, (int)-n);
      return;
    }
    f->write_done += (int)n;
    if (f->write_done < op->len) return;
    complete_head_write(s, f);
  }
}

/* ---- requests ---------------------------------------------------------------------------- */

static void request_add(shim *s, const seam_request *q) {
  fdstate *f = add_target(s, q, OS_ENOSPC);
  if (!f) return;
  f->interest = (unsigned)q->mask;
  int open = os_is_regular_file(q->fd); /* the fd may have closed since add() checked it */
  if (open < 0) {
    fdmap_erase(&s->fds, f);
    push_add_failed(s, q->fd, q->target, q->gen, -open);
    return;
  }
  if (s->cfg.model == MODEL_COMPLETION) return; /* watched once operations are queued */
  int rc = s->mech->watch(s, f, f->interest);
  if (rc == -OS_EPERM) {
    add_always(s, f);
    return;
  }
  if (rc < 0) {
    fdmap_erase(&s->fds, f);
    push_add_failed(s, q->fd, q->target, q->gen, -rc);
  }
}

static void request_remove(shim *s, fdstate *f) {
  /* The core drops these (the fd is gone); they only return contexts, so they must not end
   * the wait that follows. Armed reads hold nothing: they just go. */
  int before = s->results;
  fail_queue(s, f->fd, &f->read_head, &f->read_tail, OS_ECANCELED);
  fail_queue(s, f->fd, &f->write_head, &f->write_tail, OS_ECANCELED);
  s->bookkeeping += s->results - before;
  f->reads_armed = 0;
  if (f->watched) s->mech->unwatch(s, f);
  remove_always(s, f);
  fdmap_erase(&s->fds, f);
}

static void request_read(shim *s, const seam_request *q) {
  fdstate *f = read_target(s, q, OS_EBADF);
  if (!f) return;
  if (q->kind == REQ_RECV) f->reads_armed++;
  else f->starved = 0; /* REQ_RESUME: its data is likely there already */
  if (q->kind == REQ_RESUME) perform_armed_reads(s, f);
  arm_for_queued(s, f);
}

static void request_io(shim *s, const seam_request *q) {
  fdstate *f = io_target(s, q, OS_EBADF);
  if (!f) return;
  if (q->kind == REQ_SEND) {
    if (queue_write(s, f, q->target)) perform_writes(s, f); /* most sends finish at once, as IOCP's often do */
  } else {
    queue_op(s, &f->read_head, &f->read_tail, q->target);
  }
  arm_for_queued(s, f);
}

static int posix_apply(shim *s, int count) {
  begin_cycle(s);
  const seam_request *q = s->cfg.requests;
  for (int i = 0; i < count; i++, q++) {
    switch (q->kind) {
    case REQ_ADD: request_add(s, q); break;
    case REQ_MODIFY: {
      fdstate *f = fdmap_find(&s->fds, q->fd);
      if (!f) break;
      f->interest = (unsigned)q->mask;
      if (!f->always_ready) s->mech->watch(s, f, f->interest);
      break;
    }
    case REQ_REMOVE: {
      fdstate *f = fdmap_find(&s->fds, q->fd);
      if (f) request_remove(s, f);
      break;
    }
    case REQ_CLOSE: os_close(q->fd); break;
    case REQ_RECV:
    case REQ_RESUME: request_read(s, q); break;
    case REQ_NONE: break;
    default: request_io(s, q); break;
    }
  }
  return s->results;
}

/* ---- waiting ----------------------------------------------------------------------------- */

void shim_on_ready(shim *s, fdstate *f, unsigned revents) {
  SHIM_ASSERT(fdmap_find(&s->fds, f->fd) == f); /* a live registration, never an erased state */
  if (s->cfg.model == MODEL_READINESS) {
    seam_result *r = result_slot(s);
    if (!r) return;
    r->kind = RES_READY;
    r->fd = f->fd;
    r->target = f->slot;
    r->gen = f->gen;
    r->value = (int32_t)revents;
    r->os_code = (revents & OS_ERR) && f->kind != KIND_STREAM ? os_socket_error(f->fd) : 0;
    return;
  }
  /* Completion: an error or hang-up also ends the queued operations, with the syscall's word. */
  unsigned queued_before = wanted_bits(f);
  perform_accepts(s, f);
  if (revents & (OS_IN | OS_ERR | OS_HUP)) perform_armed_reads(s, f);
  perform_writes(s, f);
  settle_after_ready(s, f, queued_before);
}

static void report_always_ready(shim *s) {
  for (int i = 0; i < s->always_count; i++) {
    fdstate *f = &s->fds.states[s->always[i]];
    unsigned bits = s->cfg.model == MODEL_READINESS ? f->interest : SHIM_IN | SHIM_OUT;
    if (s->cfg.model == MODEL_COMPLETION || bits)
      shim_on_ready(s, f, (bits & SHIM_IN ? OS_IN : 0) | (bits & SHIM_OUT ? OS_OUT : 0));
  }
}

static int has_always_work(shim *s) {
  if (s->cfg.model == MODEL_READINESS) {
    for (int i = 0; i < s->always_count; i++)
      if (s->fds.states[s->always[i]].interest) return 1;
    return 0;
  }
  for (int i = 0; i < s->always_count; i++) {
    fdstate *f = &s->fds.states[s->always[i]];
    if (wanted_bits(f)) return 1;
  }
  return 0;
}

static int posix_harvest(shim *s, double timeout_ms) {
  if (s->results > s->bookkeeping || has_always_work(s)) timeout_ms = 0;
  double deadline = timeout_ms < 0 ? 0 : os_now_ms() + timeout_ms;
  s->woken = 0;
  for (;;) {
    int ms = ms_left(timeout_ms, deadline, os_now_ms());
    int before = s->results;
    int n = s->mech->wait(s, ms);
    if (n == -OS_EINTR) {
      s->waits_interrupted++;
      continue;
    }
    if (n < 0) break;
    if (s->results > before || s->woken || ms == 0) break;
    if (timeout_ms >= 0 && os_now_ms() >= deadline) break;
    /* Nothing for the app (woken only by an fd whose op was not ready): wait out the rest. */
  }
  report_always_ready(s);
  return s->results;
}

/* ---- lifetime ---------------------------------------------------------------------------- */

static int posix_wake(shim *s) { return os_eventfd_signal(s->wake_fd); }

static int posix_open(shim *s) {
  s->always = calloc((size_t)s->cfg.max_sockets, sizeof(uint32_t));
  if (!s->always) return -OS_ENOMEM;
  s->wake_fd = os_eventfd();
  if (s->wake_fd < 0) return s->wake_fd;
  s->mech = s->cfg.mechanism == MECH_POLL ? &mechanism_poll : &mechanism_epoll;
  return s->mech->open(s);
}

/* Also undoes a posix_open that failed part way (the mechanisms' close ignores a missing state). */
static void posix_close(shim *s) {
  if (s->mech) s->mech->close(s);
  if (s->wake_fd >= 0) os_close(s->wake_fd);
  free(s->always);
}

const shim_driver shim_driver_posix = {posix_open, posix_close, posix_apply, posix_harvest, posix_wake, NULL, NULL};
