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
  r->os_code = os_code; r->accepted = accepted;
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
