/* The IOCP shim: the completion model over a completion port (os_iocp.h). Accepts are posted to
 * the OS at once, with the context id as the op id; sends go one at a time per socket. An armed
 * read holds no buffer: a zero-byte receive (a "probe", as IOCP servers with many idle sockets
 * post) waits for data, then a non-blocking receive fills the next provided buffer. The port
 * reports each operation when it ends, and the raw Win32 status goes to the core, which
 * translates it with the table the simulation uses too. */
/* Built for Windows, and by emscripten for the simulation (scripts/build.mjs). */
#include <stdatomic.h>
#include <stdlib.h>
#include "common/assert.h"
#include "common/os.h" /* os_now_ms, os_close */
#include "os_iocp.h"
#include "common/deadline.h"
#include "common/requests.h"

typedef struct iocp_state {
  intptr_t port;
  /* Zero-byte receives in flight: op ids pool_size + index. An index comes back only with its
   * completion, so a cancelled probe's id is never reused while the OS still holds it. */
  shim_op *probes;
  int32_t *probes_idle;
  int probes_idle_count;
  /* A wakeup is in the port and not yet harvested: more wakeups merge into it, as an eventfd's
   * do, rather than each ending a later wait early. */
  atomic_int wake_pending;
  os_completion batch[OS_IOCP_BATCH_MAX];
} iocp_state;

static intptr_t port_of(shim *s) { return ((iocp_state *)s->mech_state)->port; }

/* ---- sends: one in flight per socket, continued until every byte has left ----------------- */

/* Posts the rest of the head send. A second send in flight could overtake the rest of a first
 * one that completed short, so the queue waits behind the head. */
static void post_head_send(shim *s, fdstate *f) {
  SHIM_ASSERT(f->write_head >= 0);
  const shim_op *op = &s->ops[f->write_head];
  SHIM_ASSERT(f->write_done >= 0 && f->write_done <= op->len);
  int rc = os_iocp_send(port_of(s), f->fd, s->cfg.buffers + op->ptr + f->write_done,
                        (uint32_t)(op->len - f->write_done), (uint32_t)f->write_head);
  if (rc != 0) end_head_write(s, f, rc);
}

static void on_send(shim *s, fdstate *f, const os_completion *c) {
  SHIM_ASSERT(f->write_head == (int)c->op); /* one send in flight per socket: the head */
  f->write_done += (int)c->bytes;
  if (c->error != 0) {
    end_head_write(s, f, (int)c->error);
    return;
  }
  const shim_op *op = &s->ops[f->write_head];
  if (f->write_done < op->len) {
    post_head_send(s, f);
    return;
  }
  complete_head_write(s, f);
  if (f->write_head >= 0) post_head_send(s, f);
}

/* ---- reads: a zero-byte receive waits for data, a provided buffer takes it ---------------- */

static void post_probe(shim *s, fdstate *f) {
  iocp_state *st = s->mech_state;
  if (f->probe >= 0 || f->reads_armed == 0 || f->starved) return;
  /* More probes than registrations: only while cancelled ones have not completed yet. */
  if (st->probes_idle_count == 0) {
    end_armed_reads(s, f, OS_WIN_WSAENOBUFS);
    return;
  }
  int k = st->probes_idle[--st->probes_idle_count];
  shim_op *p = &st->probes[k];
  p->kind = REQ_RECV;
  p->fd = f->fd;
  p->slot = f->slot;
  p->gen = f->gen;
  int rc = os_iocp_recv(st->port, f->fd, s->cfg.buffers, 0, (uint32_t)(s->cfg.pool_size + k));
  if (rc != 0) {
    st->probes_idle[st->probes_idle_count++] = k;
    end_armed_reads(s, f, rc);
    return;
  }
  f->probe = k;
}

/* The fd has data (or its end): armed reads take provided buffers until it runs dry. */
static void serve_reads(shim *s, fdstate *f) {
  while (f->reads_armed > 0 && !f->starved && has_room(s)) {
    const seam_provided_entry *b = peek_provided(s);
    if (!b) {
      report_starved(s, f);
      return;
    }
    int n = os_iocp_recv_now(port_of(s), f->fd, s->cfg.buffers + b->offset, (uint32_t)s->cfg.provided->length);
    if (n == -OS_WIN_WSAEWOULDBLOCK) break;
    if (n > 0) {
      f->reads_armed--;
      push_recv(s, f, b->id, n, 0);
      continue;
    }
    end_armed_reads(s, f, -n);
    break; /* reads left armed for want of room meet the end again through the next probe */
  }
  post_probe(s, f);
}

static void on_probe(shim *s, const os_completion *c) {
  iocp_state *st = s->mech_state;
  int k = (int)c->op - s->cfg.pool_size;
  SHIM_ASSERT(k >= 0 && k < s->cfg.max_sockets && st->probes_idle_count < s->cfg.max_sockets);
  st->probes_idle[st->probes_idle_count++] = k;
  fdstate *f = op_registration(s, &st->probes[k]);
  if (!f) return; /* removed: the OS confirmed the cancel */
  f->probe = -1;
  if (c->error == 0) serve_reads(s, f);
  else {
    end_armed_reads(s, f, (int)c->error);
    post_probe(s, f);
  }
}

/* ---- completions ------------------------------------------------------------------------- */

/* A connection reset before AcceptEx took it is not the listener's failure: wait for the next. */
static int reposted_accept(shim *s, const shim_op *op, const os_completion *c) {
  if (c->error != OS_WIN_ERROR_NETNAME_DELETED && c->error != OS_WIN_ERROR_CONNECTION_ABORTED) return 0;
  return os_iocp_accept(port_of(s), op->fd, c->op) == 0;
}

static void on_completion(shim *s, const os_completion *c) {
  if (c->op == OS_IOCP_WAKE_OP) {
    s->woken = 1;
    atomic_store(&((iocp_state *)s->mech_state)->wake_pending, 0);
    return;
  }
  if (c->op >= (uint32_t)s->cfg.pool_size && c->op < (uint32_t)(s->cfg.pool_size + s->cfg.max_sockets)) {
    on_probe(s, c);
    return;
  }
  /* Not an op of this port's (a handle bound elsewhere reported through it): nothing to index. */
  if (c->op >= (uint32_t)s->cfg.pool_size) return;
  const shim_op *op = &s->ops[c->op];
  fdstate *f = op_registration(s, op);
  if (!f) {
    /* The core only takes the context back (and closes a socket accepted for nobody). */
    int before = s->results;
    push_complete(s, op->fd, (int)c->op, (int)c->bytes, (int)c->error, c->error == 0 ? c->accepted : -1);
    s->bookkeeping += s->results - before;
    return;
  }
  SHIM_ASSERT(op->kind == REQ_RECV || op->kind == REQ_SEND || op->kind == REQ_ACCEPT);
  if (op->kind == REQ_SEND) {
    on_send(s, f, c);
    return;
  }
  if (op->kind == REQ_ACCEPT) {
    if (reposted_accept(s, op, c)) return;
    push_complete(s, op->fd, (int)c->op, 0, (int)c->error, c->error == 0 ? c->accepted : -1);
    return;
  }
  push_complete(s, op->fd, (int)c->op, c->error == 0 ? (int)c->bytes : 0, (int)c->error, -1);
}

/* ---- requests ---------------------------------------------------------------------------- */

/* Listeners are only associated: the core posts their accepts. */
static void request_add(shim *s, const seam_request *q) {
  fdstate *f = add_target(s, q, OS_WIN_WSAENOBUFS);
  if (!f) return;
  int rc = os_iocp_associate(port_of(s), q->fd, q->len == KIND_STREAM);
  if (rc != 0) {
    fdmap_erase(&s->fds, f);
    push_add_failed(s, q->fd, q->target, q->gen, rc);
  }
}

/* Sends still queued here never reached the OS: they end now. What is in flight is cancelled
 * by the OS, and each context comes back with its completion. */
static void request_remove(shim *s, fdstate *f) {
  int before = s->results;
  if (f->write_head >= 0) {
    pop_op(s, &f->write_head, &f->write_tail);
    fail_queue(s, f->fd, &f->write_head, &f->write_tail, OS_WIN_ERROR_OPERATION_ABORTED);
  }
  s->bookkeeping += s->results - before;
  f->reads_armed = 0; /* they hold nothing; a probe in flight is cancelled with the rest */
  os_iocp_dissociate(port_of(s), f->fd);
  fdmap_erase(&s->fds, f);
}

static void request_read(shim *s, const seam_request *q) {
  fdstate *f = read_request(s, q, OS_WIN_ERROR_INVALID_HANDLE);
  if (f && q->kind == REQ_RECV) post_probe(s, f);
  else if (f) serve_reads(s, f);
}

static void request_io(shim *s, const seam_request *q) {
  fdstate *f = io_target(s, q, OS_WIN_ERROR_INVALID_HANDLE);
  if (!f) return;
  if (q->kind == REQ_SEND) {
    if (queue_write(s, f, q->target)) post_head_send(s, f);
    return;
  }
  int rc = os_iocp_accept(port_of(s), q->fd, (uint32_t)q->target);
  if (rc != 0) push_complete(s, q->fd, q->target, 0, rc, -1);
}

static int iocp_apply(shim *s, int count) {
  begin_cycle(s);
  const seam_request *q = s->cfg.requests;
  for (int i = 0; i < count; i++, q++) {
    switch (q->kind) {
    case REQ_ADD: request_add(s, q); break;
    case REQ_REMOVE: {
      fdstate *f = fdmap_find(&s->fds, q->fd);
      if (f) request_remove(s, f);
      break;
    }
    case REQ_CLOSE: os_close(q->fd); break;
    case REQ_RECV:
    case REQ_RESUME: request_read(s, q); break;
    case REQ_SEND:
    case REQ_ACCEPT: request_io(s, q); break;
    default: /* REQ_MODIFY: the completion model has no interest to watch */
      SHIM_ASSERT(q->kind == REQ_MODIFY || q->kind == REQ_NONE);
      break;
    }
  }
  return s->results;
}

/* ---- waiting ----------------------------------------------------------------------------- */

static int iocp_harvest(shim *s, double timeout_ms) {
  iocp_state *st = s->mech_state;
  if (s->results > s->bookkeeping) timeout_ms = 0;
  double deadline = timeout_ms < 0 ? 0 : os_now_ms() + timeout_ms;
  s->woken = 0;
  for (;;) {
    uint32_t room = s->cfg.result_capacity - (uint32_t)s->results;
    int max = room < OS_IOCP_BATCH_MAX ? (int)room : OS_IOCP_BATCH_MAX;
    if (max < 1) break; /* no room: the port keeps the rest for the next wait */
    int ms = ms_left(timeout_ms, deadline, os_now_ms());
    int news_before = s->results - s->bookkeeping;
    int n = os_iocp_wait(st->port, st->batch, max, ms);
    if (n < 0) break;
    SHIM_ASSERT(n <= max);
    for (int i = 0; i < n; i++) on_completion(s, &st->batch[i]);
    if (s->results - s->bookkeeping > news_before || s->woken || ms == 0) break;
    if (timeout_ms >= 0 && os_now_ms() >= deadline) break;
    /* Only cancels confirmed, or sends continued: nothing for the app yet. */
  }
  return s->results;
}

/* ---- lifetime ---------------------------------------------------------------------------- */

static int iocp_open(shim *s) {
  iocp_state *st = calloc(1, sizeof *st);
  if (!st) return -OS_WIN_ERROR_NOT_ENOUGH_MEMORY;
  s->mech_state = st;
  int probes = s->cfg.max_sockets;
  st->probes = calloc((size_t)probes, sizeof *st->probes);
  st->probes_idle = calloc((size_t)probes, sizeof *st->probes_idle);
  if (!st->probes || !st->probes_idle) return -OS_WIN_ERROR_NOT_ENOUGH_MEMORY;
  for (int k = 0; k < probes; k++) st->probes_idle[k] = probes - 1 - k;
  st->probes_idle_count = probes;
  int rc = os_iocp_open(s->cfg.pool_size + probes, &st->port);
  if (rc != 0) {
    st->port = 0;
    return -rc;
  }
  return 0;
}

static void iocp_close(shim *s) {
  iocp_state *st = s->mech_state;
  if (!st) return;
  if (st->port) os_iocp_shut(st->port);
  free(st->probes);
  free(st->probes_idle);
  free(st);
  s->mech_state = NULL;
}

static int iocp_wake(shim *s) {
  iocp_state *st = s->mech_state;
  if (atomic_exchange(&st->wake_pending, 1)) return 0;
  int rc = os_iocp_post(st->port);
  if (rc != 0) atomic_store(&st->wake_pending, 0);
  return -rc;
}

const shim_driver shim_driver_iocp = {iocp_open, iocp_close, iocp_apply, iocp_harvest, iocp_wake, NULL, NULL};
