/* Writing raw results into the core's result buffer, and the per-fd FIFO queues of operations
 * (linked through the shim's op table) whose failures become results, for both shim logics. */
#ifndef IO_REACTOR_RESULTS_H
#define IO_REACTOR_RESULTS_H
#include <string.h>
#include "assert.h"
#include "os.h"
#include "shim.h"

static inline seam_result *result_slot(shim *s) {
  SHIM_ASSERT(s->results >= 0 && (uint32_t)s->results <= s->cfg.result_capacity);
  if ((uint32_t)s->results >= s->cfg.result_capacity) return NULL;
  seam_result *r = s->cfg.results + s->results++;
  memset(r, 0, sizeof *r);
  return r;
}

/* The capacity covers every completion and failed add of a cycle (see assembly/layout.ts);
 * only readiness results can meet a full buffer, and they are reported again next wait. */
static inline void push_complete(shim *s, int fd, int ctx, int bytes, int os_code, int accepted) {
  seam_result *r = result_slot(s);
  if (!r) return;
  r->kind = RES_COMPLETE;
  r->fd = fd;
  r->target = ctx;
  r->value = bytes;
  r->os_code = os_code;
  r->accepted = accepted;
  r->buffer = -1;
}

static inline int has_room(const shim *s) { return (uint32_t)s->results < s->cfg.result_capacity; }

/* The next provided buffer, not yet taken (NULL when the ring is spent). A read takes it only
 * once the OS gave it bytes, so a buffer never waits on an idle connection. */
static inline const seam_provided_entry *peek_provided(const shim *s) {
  const seam_provided *p = s->cfg.provided;
  SHIM_ASSERT(p->count >= 0 && p->count <= s->cfg.pool_size && s->provided_taken <= p->count);
  return s->provided_taken < p->count ? &p->entries[s->provided_taken] : NULL;
}

static inline void push_recv(shim *s, const fdstate *f, int buffer, int bytes, int os_code) {
  SHIM_ASSERT(buffer < 0 || (bytes > 0 && buffer == s->cfg.provided->entries[s->provided_taken].id));
  seam_result *r = result_slot(s);
  if (!r) return;
  r->kind = RES_RECV;
  r->fd = f->fd;
  r->target = f->slot;
  r->gen = f->gen;
  r->value = bytes;
  r->os_code = os_code;
  r->accepted = -1;
  r->buffer = buffer;
  if (buffer >= 0) s->provided_taken++;
}

/* Data came for an armed read and the ring is empty: the core queues the fd for REQ_RESUME. */
static inline void report_starved(shim *s, fdstate *f) {
  seam_result *r = result_slot(s);
  if (!r) return;
  f->starved = 1;
  r->kind = RES_NO_BUFFER;
  r->fd = f->fd;
  r->target = f->slot;
  r->gen = f->gen;
  r->buffer = -1;
}

/* End of stream or a failure ends every armed read the same way, each with its own result
 * (those that find no room stay armed: the condition is reported again next wait). */
static inline void end_armed_reads(shim *s, fdstate *f, int os_code) {
  while (f->reads_armed > 0 && has_room(s)) {
    f->reads_armed--;
    push_recv(s, f, -1, 0, os_code);
  }
}

/* Armed reads while the fd has bytes, each into the next provided buffer, taken only once the
 * read returned data. The ring spent, the fd is starved until the core resumes it. For the POSIX
 * shim at readiness, and the io_uring shim for a stream once the ring reports data. */
static inline void perform_armed_reads(shim *s, fdstate *f) {
  while (f->reads_armed > 0 && !f->starved && has_room(s)) {
    const seam_provided_entry *b = peek_provided(s);
    if (!b) {
      report_starved(s, f);
      return;
    }
    long n = os_read(f->fd, f->kind == KIND_STREAM, s->cfg.buffers + b->offset, (size_t)s->cfg.provided->length);
    if (n == -OS_EAGAIN) return;
    if (n > 0) {
      f->reads_armed--;
      push_recv(s, f, b->id, (int)n, 0);
      continue;
    }
    end_armed_reads(s, f, n < 0 ? (int)-n : 0);
    return;
  }
}

static inline void push_add_failed(shim *s, int fd, int slot, int gen, int os_code) {
  seam_result *r = result_slot(s);
  if (!r) return;
  r->kind = RES_ADD_FAILED;
  r->fd = fd;
  r->target = slot;
  r->gen = gen;
  r->os_code = os_code;
}

static inline int valid_context(const shim *s, int ctx) { return ctx >= 0 && ctx < s->cfg.pool_size; }

/* A queue is empty at both ends or at neither. */
static inline int queue_consistent(int head, int tail) { return (head < 0) == (tail < 0); }

static inline void queue_op(shim *s, int *head, int *tail, int ctx) {
  SHIM_ASSERT(valid_context(s, ctx) && !s->ops[ctx].queued);
  SHIM_ASSERT(queue_consistent(*head, *tail));
  s->ops[ctx].queued = 1;
  s->ops[ctx].next = -1;
  if (*tail >= 0) s->ops[*tail].next = ctx;
  else *head = ctx;
  *tail = ctx;
}

/* Queues a send on its fd; returns whether none was queued before it (it is the head). */
static inline int queue_write(shim *s, fdstate *f, int ctx) {
  int idle = f->write_head < 0;
  queue_op(s, &f->write_head, &f->write_tail, ctx);
  return idle;
}

static inline int pop_op(shim *s, int *head, int *tail) {
  int ctx = *head;
  SHIM_ASSERT(valid_context(s, ctx) && s->ops[ctx].queued);
  *head = s->ops[ctx].next;
  if (*head < 0) {
    SHIM_ASSERT(*tail == ctx);
    *tail = -1;
  }
  s->ops[ctx].queued = 0;
  return ctx;
}

/* An I/O request the core may queue: a known kind, for one of its contexts, inside its memory. */
static inline int valid_io_request(const shim *s, const seam_request *q) {
  int io = q->kind == REQ_SEND || q->kind == REQ_ACCEPT;
  return io && valid_context(s, q->target) && q->ptr >= 0 && q->len >= 0;
}

/* A read armed (or resumed) on one of the core's slots: it names no buffer. */
static inline int valid_read_request(const shim *s, const seam_request *q) {
  int read = q->kind == REQ_RECV || q->kind == REQ_RESUME;
  return read && q->target >= 0 && q->target < s->cfg.max_sockets;
}

/* An add: a kind of fd (carried in len) for one of the core's slots. */
static inline int valid_add_request(const seam_request *q) {
  int kind = q->len == KIND_SOCKET || q->len == KIND_LISTENER || q->len == KIND_STREAM;
  return kind && q->fd >= 0 && q->target >= 0;
}

/* Ends every queued operation with os_code. */
static inline void fail_queue(shim *s, int fd, int *head, int *tail, int os_code) {
  while (*head >= 0) push_complete(s, fd, pop_op(s, head, tail), 0, os_code, -1);
}

/* The head write failed: it reports the bytes of it that did leave, and the queued ones fail
 * with it. */
static inline void end_head_write(shim *s, fdstate *f, int os_code) {
  int ctx = pop_op(s, &f->write_head, &f->write_tail);
  push_complete(s, f->fd, ctx, f->write_done, os_code, -1);
  f->write_done = 0;
  fail_queue(s, f->fd, &f->write_head, &f->write_tail, os_code);
}

/* Every byte of the head write has left. */
static inline void complete_head_write(shim *s, fdstate *f) {
  int ctx = pop_op(s, &f->write_head, &f->write_tail);
  SHIM_ASSERT(f->write_done == s->ops[ctx].len);
  push_complete(s, f->fd, ctx, f->write_done, 0, -1);
  f->write_done = 0;
}

#endif
