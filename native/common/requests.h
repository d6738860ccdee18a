/* Which registration a request or a completed operation names, for every shim logic (POSIX,
 * io_uring, IOCP): a slot's fd may have been removed, or closed and added again, since the core
 * queued it. */
#ifndef IO_REACTOR_REQUESTS_H
#define IO_REACTOR_REQUESTS_H
#include "results.h"

/* A cycle's results start empty, and no provided buffer is taken yet. */
static inline void begin_cycle(shim *s) {
  s->results = 0;
  s->bookkeeping = 0;
  s->provided_taken = 0;
}

/* The new registration an add request makes; NULL once the add has failed with `full_code`
 * (every registration taken). */
static inline fdstate *add_target(shim *s, const seam_request *q, int full_code) {
  SHIM_ASSERT(valid_add_request(q));
  fdstate *f = fdmap_insert(&s->fds, q->fd);
  if (!f) {
    push_add_failed(s, q->fd, q->target, q->gen, full_code);
    return NULL;
  }
  f->kind = q->len;
  f->slot = q->target;
  f->gen = q->gen;
  return f;
}

/* The registration a read request's slot still holds; NULL once its read has ended with
 * `gone_code` (the fd removed, or the slot holding a newer one). */
static inline fdstate *read_target(shim *s, const seam_request *q, int gone_code) {
  SHIM_ASSERT(valid_read_request(s, q));
  fdstate *f = fdmap_find(&s->fds, q->fd);
  if (f && f->slot == q->target && f->gen == q->gen) return f;
  fdstate gone = {.fd = q->fd, .slot = q->target, .gen = q->gen};
  push_recv(s, &gone, -1, 0, gone_code);
  return NULL;
}

/* read_target, for a completion shim that then serves the read its own way: REQ_RECV arms one
 * more read on the registration, REQ_RESUME ends its starvation (the data that found no buffer
 * is there). */
static inline fdstate *read_request(shim *s, const seam_request *q, int gone_code) {
  fdstate *f = read_target(s, q, gone_code);
  if (f && q->kind == REQ_RECV) f->reads_armed++;
  else if (f) f->starved = 0;
  return f;
}

/* The registration a send or accept is for, the operation recorded on its context (with the
 * registration, see op_registration); NULL once it has ended with `gone_code`. */
static inline fdstate *io_target(shim *s, const seam_request *q, int gone_code) {
  SHIM_ASSERT(valid_io_request(s, q));
  fdstate *f = fdmap_find(&s->fds, q->fd);
  if (!f) {
    push_complete(s, q->fd, q->target, 0, gone_code, -1);
    return NULL;
  }
  shim_op *op = &s->ops[q->target];
  op->kind = q->kind;
  op->ptr = q->ptr;
  op->len = q->len;
  op->fd = q->fd;
  op->slot = f->slot;
  op->gen = f->gen;
  return f;
}

/* The registration a completed operation was posted for, or NULL: after a remove (and maybe a
 * new add of the same fd) its completion only confirms the cancel. */
static inline fdstate *op_registration(shim *s, const shim_op *op) {
  fdstate *f = fdmap_find(&s->fds, op->fd);
  return f && f->slot == op->slot && f->gen == op->gen ? f : NULL;
}
#endif
