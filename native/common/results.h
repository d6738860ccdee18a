/* Writing raw results into the core's result buffer, and the per-fd FIFO queues of operations
 * (linked through the shim's op table) whose failures become results, for both shim logics. */
#ifndef IO_REACTOR_RESULTS_H
#define IO_REACTOR_RESULTS_H
#include <string.h>
#include "shim.h"

static inline seam_result *result_slot(shim *s) {
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
  r->kind = RES_COMPLETE; r->fd = fd; r->target = ctx; r->value = bytes;
  r->os_code = os_code; r->accepted = accepted; r->buffer = -1;
}

static inline int has_room(const shim *s) {
  return (uint32_t)s->results < s->cfg.result_capacity;
}

/* The next provided buffer, not yet taken (NULL when the ring is spent). A read takes it only
 * once the OS gave it bytes, so a buffer never waits on an idle connection. */
static inline const seam_provided_entry *peek_provided(const shim *s) {
  const seam_provided *p = s->cfg.provided;
  return s->provided_taken < p->count ? &p->entries[s->provided_taken] : NULL;
}

static inline void push_recv(shim *s, const fdstate *f, int buffer, int bytes, int os_code) {
  seam_result *r = result_slot(s);
  if (!r) return;
  r->kind = RES_RECV; r->fd = f->fd; r->target = f->slot; r->gen = f->gen;
  r->value = bytes; r->os_code = os_code; r->accepted = -1; r->buffer = buffer;
  if (buffer >= 0) s->provided_taken++;
}

/* Data came for an armed read and the ring is empty: the core queues the fd for REQ_RESUME. */
static inline void report_starved(shim *s, fdstate *f) {
  seam_result *r = result_slot(s);
  if (!r) return;
  f->starved = 1;
  r->kind = RES_NO_BUFFER; r->fd = f->fd; r->target = f->slot; r->gen = f->gen; r->buffer = -1;
}

/* End of stream or a failure ends every armed read the same way, each with its own result
 * (those that find no room stay armed: the condition is reported again next wait). */
static inline void end_armed_reads(shim *s, fdstate *f, int os_code) {
  while (f->reads_armed > 0 && has_room(s)) {
    f->reads_armed--;
    push_recv(s, f, -1, 0, os_code);
  }
}

static inline void push_add_failed(shim *s, int fd, int slot, int gen, int os_code) {
  seam_result *r = result_slot(s);
  if (!r) return;
  r->kind = RES_ADD_FAILED; r->fd = fd; r->target = slot; r->gen = gen; r->os_code = os_code;
}

static inline void queue_op(shim *s, int *head, int *tail, int ctx) {
  s->ops[ctx].next = -1;
  if (*tail >= 0) s->ops[*tail].next = ctx; else *head = ctx;
  *tail = ctx;
}

static inline int pop_op(shim *s, int *head, int *tail) {
  int ctx = *head;
  *head = s->ops[ctx].next;
  if (*head < 0) *tail = -1;
  return ctx;
}

/* Ends every queued operation with os_code. */
static inline void fail_queue(shim *s, int fd, int *head, int *tail, int os_code) {
  while (*head >= 0) push_complete(s, fd, pop_op(s, head, tail), 0, os_code, -1);
}
#endif
