/* The io_uring shim: the completion model native on Linux, over one ring (os_uring.h). The sends
 * a cycle queues on a socket go as one linked chain, each tagged with its context id, and reach
 * the kernel with the wait in one io_uring_enter, so a write of many parts completes in one wait.
 * A fd with reads armed has one poll in the ring; the fds it reports readable have their armed
 * reads served together: one receive each, into provided buffers added to the kernel's buffer
 * ring in the core's order, submitted in one io_uring_enter that completes them all (they do not
 * wait, so no buffer is taken outside the wait the core lent it for). A listener keeps one
 * multishot accept armed while accepts are posted; the wakeup eventfd is watched by a multishot
 * poll in the same ring. Raw -errno results go to the core, which translates them. */
#include <stdlib.h>
#include "common/assert.h"
#include "common/os.h"
#include "common/deadline.h"
#include "common/requests.h"
#include "os_uring.h"

/* What a submission's tag names: its kind in the top byte, then a registration number, then an id. */
enum { TAG_OP = 1, TAG_ACCEPT = 2, TAG_WAKE = 3, TAG_CANCEL = 4, TAG_READ = 5, TAG_RECV = 6 };
/* Submission slots; a cycle with more submissions sends the full queue ahead of the wait. */
enum { URING_ENTRIES = 4096 };
/* The most buffers a kernel buffer ring holds (io_uring's limit). */
enum { BUFFER_RING_MAX = 32768 };
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
  uint8_t *read_ready;  /* per fdstate index: READY_*, what a socket's poll reported that no receive has drained */
  /* Fds the ring reported readable, to serve (each listed once, flagged per fdstate index). */
  uint32_t *readable;
  uint8_t *readable_listed;
  int readable_count;
  /* The batch of receives in progress: receives not completed yet, buffers added to the
   * kernel's ring for it, and those taken. */
  int batch_recvs, batch_added, batch_taken;
  int buffer_slots; /* the kernel's buffer ring: buffers it holds at most */
  /* Per fdstate index: sends of its chain in the ring (a stream's: its writable poll), the
   * failure that broke the chain (its cancelled parts fail with it), whether a part completed
   * short (the rest goes in a new chain), and whether it is in to_send. */
  uint32_t *sends_in_flight;
  int32_t *send_failure;
  uint8_t *send_short;
  uint8_t *send_listed;
  uint32_t *to_send;
  int to_send_count;
  uint32_t registrations;
  /* Tags of removed fds' submissions whose last completion has not come back, in the order
   * removed (a chain's parts in chain order), and the cancels sent for them not back yet. */
  uint64_t *owed;
  int owed_count, owed_capacity;
  int cancels_in_flight;
  int wake_seen; /* a wakeup came in while applying requests: the next harvest ends at once */
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

/* A removed fd's submission, in flight until its last completion (settle_owed) comes back. */
static void owe(shim *s, uint64_t tag) {
  uring_state *u = state_of(s);
  SHIM_ASSERT(u->owed_count < u->owed_capacity);
  u->owed[u->owed_count++] = tag;
}

static void settle_owed(shim *s, uint64_t tag) {
  uring_state *u = state_of(s);
  int i = 0;
  while (i < u->owed_count && u->owed[i] != tag) i++;
  SHIM_ASSERT(i < u->owed_count);
  for (; i + 1 < u->owed_count; i++) u->owed[i] = u->owed[i + 1];
  u->owed_count--;
}

static void on_completion(shim *s, const os_uring_cqe *c);

/* ---- reads: a poll watches each fd with reads armed; once the fd is readable, its armed reads
 * become receives that take provided buffers, submitted together and completed at once. A
 * socket's poll is multishot, armed with its first read and left armed while the fd is
 * registered: a poll armed again for each message cost a submission per round trip. It reports
 * new data, not data still there, so the socket stays ready from its report until a receive
 * finds no more, and reads armed meanwhile are served at once. A stream's poll is one-shot:
 * its reads (read()) do not tell when it is drained. -------------------------------------- */

static uint64_t read_tag(shim *s, uint32_t index) { return tag_of(TAG_READ, state_of(s)->registration[index], index); }
static uint64_t recv_tag(shim *s, uint32_t index) { return tag_of(TAG_RECV, state_of(s)->registration[index], index); }

/* A socket's readiness for reads since its poll last reported: data, or a failure or the end of
 * the stream (which the socket keeps: a receive that drains its bytes leaves it ready). */
enum { READY_NONE = 0, READY_DATA = 1, READY_ENDED = 2 };

static void list_readable(shim *s, fdstate *f);

/* While reads are armed and not starved, they are served if the socket is ready, and otherwise
 * a poll in the ring watches the fd for data. */
static void watch_reads(shim *s, fdstate *f) {
  uring_state *u = state_of(s);
  uint32_t index = fdmap_index(&s->fds, f);
  if (u->readable_listed[index] || f->reads_armed == 0 || f->starved) return;
  if (u->read_ready[index]) {
    list_readable(s, f);
    return;
  }
  if (u->read_polled[index]) return;
  int rc = os_uring_poll(u->ring, f->fd, OS_IN, f->kind != KIND_STREAM, read_tag(s, index));
  if (rc < 0) {
    end_armed_reads(s, f, -rc);
    return;
  }
  u->read_polled[index] = 1;
}

/* The fd has data (or its end) for its armed reads: served by serve_readable. */
static void list_readable(shim *s, fdstate *f) {
  uring_state *u = state_of(s);
  uint32_t index = fdmap_index(&s->fds, f);
  if (u->readable_listed[index]) return;
  u->readable_listed[index] = 1;
  u->readable[u->readable_count++] = index;
}

static void on_readable(shim *s, const os_uring_cqe *c) {
  uring_state *u = state_of(s);
  uint32_t index = tag_id(c->tag);
  SHIM_ASSERT(index < (uint32_t)s->fds.capacity);
  fdstate *f = &s->fds.states[index];
  if (f->fd < 0 || u->registration[index] != tag_registration(c->tag)) {
    if (!(c->flags & OS_URING_MORE)) settle_owed(s, c->tag); /* the poll of a removed fd */
    return;
  }
  if (!(c->flags & OS_URING_MORE)) u->read_polled[index] = 0;
  if (c->res >= 0 && f->kind == KIND_STREAM) {
    list_readable(s, f);
    return;
  }
  if (c->res >= 0 && u->read_ready[index] != READY_ENDED)
    u->read_ready[index] = (c->res & (OS_ERR | OS_HUP | OS_URING_RDHUP)) ? READY_ENDED : READY_DATA;
  else if (c->res < 0) end_armed_reads(s, f, -c->res);
  watch_reads(s, f);
}

/* A receive of the batch ended: bytes in the next provided buffer (the kernel takes them in the
 * order they were added, as the core expects), the end of the stream, a failure, or -EAGAIN
 * (another receive took the data). Nothing of a batch outlives it: no fd is removed meanwhile. */
static void on_recv(shim *s, const os_uring_cqe *c) {
  uring_state *u = state_of(s);
  uint32_t index = tag_id(c->tag);
  SHIM_ASSERT(index < (uint32_t)s->fds.capacity && u->batch_recvs > 0);
  fdstate *f = &s->fds.states[index];
  SHIM_ASSERT(f->fd >= 0 && u->registration[index] == tag_registration(c->tag));
  u->batch_recvs--;
  if (c->res > 0) {
    SHIM_ASSERT(c->flags & OS_URING_BUFFER);
    u->batch_taken++;
    f->reads_armed--;
    if (!(c->flags & OS_URING_SOCK_NONEMPTY) && u->read_ready[index] == READY_DATA) u->read_ready[index] = READY_NONE;
    push_recv(s, f, (int)(c->flags >> OS_URING_BUFFER_SHIFT), c->res, 0);
  } else if (c->res == -OS_ENOBUFS) {
    if (!f->starved) report_starved(s, f);
  } else if (c->res == -OS_EAGAIN) {
    u->read_ready[index] = READY_NONE;
  } else {
    f->reads_armed--;
    push_recv(s, f, -1, 0, -c->res);
  }
  watch_reads(s, f);
}

/* Whether a socket has something for a read now (or the look failed). Its poll can report data
 * after the receive that took it, and a socket with nothing to read is not starved. */
static int readable_now(int fd) {
  os_pollfd look = {fd, OS_IN, 0};
  return os_poll(&look, 1, 0) != 0;
}

/* A receive for each of a socket's armed reads, each with the next provided buffer added to the
 * kernel's ring; returns how many (the fd is starved when the provided ring is spent and it has
 * something to read). */
static int submit_recvs(shim *s, fdstate *f, int room) {
  uring_state *u = state_of(s);
  uint32_t index = fdmap_index(&s->fds, f);
  const seam_provided *p = s->cfg.provided;
  int n = 0;
  while (n < f->reads_armed && n < room) {
    int next = s->provided_taken + u->batch_added;
    SHIM_ASSERT(next <= p->count);
    if (next == p->count && n == 0 && !readable_now(f->fd)) {
      u->read_ready[index] = READY_NONE;
      watch_reads(s, f);
    } else if (next == p->count && n == 0) {
      report_starved(s, f);
    }
    if (next == p->count) break;
    if (u->batch_added == u->buffer_slots) {
      list_readable(s, f); /* the kernel's ring is full: in the next batch */
      break;
    }
    os_uring_buffer_add(u->ring, s->cfg.buffers + p->entries[next].offset, (uint32_t)p->length,
                        (uint32_t)p->entries[next].id);
    u->batch_added++;
    if (os_uring_recv(u->ring, f->fd, (uint32_t)p->length, recv_tag(s, index)) < 0) break;
    n++;
  }
  return n;
}

/* Submits the batch and takes its completions (and whatever else completed meanwhile); the
 * buffers no receive took leave the kernel's ring. */
static void collect_batch(shim *s) {
  uring_state *u = state_of(s);
  while (u->batch_recvs > 0) {
    uint32_t room = s->cfg.result_capacity - (uint32_t)s->results;
    int max = room < OS_URING_BATCH_MAX ? (int)room : OS_URING_BATCH_MAX;
    SHIM_ASSERT(max > 0);
    int n = os_uring_enter(u->ring, u->batch, max, 0);
    if (n == -OS_EINTR) continue;
    if (n < 0) break;
    for (int i = 0; i < n; i++) on_completion(s, &u->batch[i]);
  }
  SHIM_ASSERT(u->batch_recvs == 0 && u->batch_taken <= u->batch_added);
  os_uring_buffers_drop(u->ring, (unsigned)(u->batch_added - u->batch_taken));
  u->batch_added = 0;
  u->batch_taken = 0;
}

/* Reads for the fds found readable: a stream's by read() now (io_uring fails a non-blocking
 * stream's read at once); a socket's as a batch of receives that do not wait (MSG_DONTWAIT), so
 * no buffer is taken outside this wait, and no byte after a remove. */
static void serve_readable(shim *s) {
  uring_state *u = state_of(s);
  while (u->readable_count > 0 && u->batch_recvs == 0) {
    int count = u->readable_count;
    u->readable_count = 0;
    for (int i = 0; i < count; i++) u->readable_listed[u->readable[i]] = 0;
    for (int i = 0; i < count; i++) {
      fdstate *f = &s->fds.states[u->readable[i]];
      if (f->fd < 0 || f->kind != KIND_STREAM) continue;
      perform_armed_reads(s, f);
      watch_reads(s, f);
    }
    int room = s->cfg.result_capacity - s->results;
    for (int i = 0; i < count; i++) {
      fdstate *f = &s->fds.states[u->readable[i]];
      if (f->fd < 0 || f->kind == KIND_STREAM || f->starved) continue;
      if (room > u->batch_recvs) u->batch_recvs += submit_recvs(s, f, room - u->batch_recvs);
      else list_readable(s, f); /* no room for its results: the next wait serves it */
    }
    if (u->batch_recvs == 0) break;
    collect_batch(s);
  }
}

/* ---- sends: a socket's queued writes go as one linked chain; a stream's one at a time ----- */

/* A send's tag names its context, and its fd's registration: a removed fd's chain is told apart
 * from the next one's (confirm_cancels). */
static uint64_t send_tag(shim *s, uint32_t index, int ctx) {
  return tag_of(TAG_OP, state_of(s)->registration[index], (uint32_t)ctx);
}

/* The most parts one chain links: a chain must fit the submission queue whole. Parts beyond it
 * go in the next chain, once this one is done. */
enum { CHAIN_PARTS_MAX = URING_ENTRIES / 2 };

/* Queued sends whose chain goes to the ring at the end of apply, so that every part the core
 * queued in the cycle (a long write's, or several writes') joins one chain. */
static void list_for_sending(shim *s, fdstate *f) {
  uring_state *u = state_of(s);
  uint32_t index = fdmap_index(&s->fds, f);
  if (u->send_listed[index]) return;
  u->send_listed[index] = 1;
  u->to_send[u->to_send_count++] = index;
}

/* Submits the queued sends as one chain: the kernel sends each whole, in order, and a part that
 * fails or ends short cancels the parts linked after it. The head resumes after its bytes that
 * already left. */
static void submit_chain(shim *s, fdstate *f) {
  uring_state *u = state_of(s);
  uint32_t index = fdmap_index(&s->fds, f);
  SHIM_ASSERT(u->sends_in_flight[index] == 0 && f->write_head >= 0);
  int parts = 0;
  for (int ctx = f->write_head; ctx >= 0 && parts < CHAIN_PARTS_MAX; ctx = s->ops[ctx].next) parts++;
  int rc = os_uring_reserve(u->ring, (unsigned)parts);
  if (rc < 0) {
    end_head_write(s, f, -rc);
    return;
  }
  int done = f->write_done;
  int ctx = f->write_head;
  for (int i = 0; i < parts; i++, ctx = s->ops[ctx].next, done = 0) {
    const shim_op *op = &s->ops[ctx];
    os_uring_send(u->ring, f->fd, s->cfg.buffers + op->ptr + done, (uint32_t)(op->len - done), i < parts - 1,
                  send_tag(s, index, ctx));
  }
  u->sends_in_flight[index] = parts;
}

/* A stream's (pipe, tty) head writes: write() now, or once the ring reports it writable (io_uring
 * would fail a non-blocking stream's write at once). */
static void stream_send(shim *s, fdstate *f) {
  while (f->write_head >= 0) {
    const shim_op *op = &s->ops[f->write_head];
    long n = os_write(f->fd, 1, s->cfg.buffers + op->ptr + f->write_done, (size_t)(op->len - f->write_done));
    if (n == -OS_EAGAIN || n == 0) {
      int rc = os_uring_poll(state_of(s)->ring, f->fd, OS_OUT, 0, send_tag(s, fdmap_index(&s->fds, f), f->write_head));
      if (rc < 0) end_head_write(s, f, -rc);
      else state_of(s)->sends_in_flight[fdmap_index(&s->fds, f)] = 1;
      return;
    }
    if (n < 0) {
      end_head_write(s, f, (int)-n);
      return;
    }
    f->write_done += (int)n;
    if (f->write_done == op->len) complete_head_write(s, f);
  }
}

/* One part of a socket's chain finished (res: bytes, or -errno). Parts complete in chain order.
 * After a failure the parts cancelled behind it fail the same way; after a short part they stay
 * queued, and the rest goes in a new chain once the last part in flight is back. */
static void on_sent(shim *s, fdstate *f, int ctx, int32_t res) {
  uring_state *u = state_of(s);
  uint32_t index = fdmap_index(&s->fds, f);
  /* After a short part the head stays queued, and the parts behind it come back cancelled. */
  SHIM_ASSERT(u->sends_in_flight[index] > 0 && (f->write_head == ctx || u->send_short[index]));
  u->sends_in_flight[index]--;
  const shim_op *op = &s->ops[ctx];
  if (u->send_failure[index]) {
    push_complete(s, f->fd, pop_op(s, &f->write_head, &f->write_tail), 0, u->send_failure[index], -1);
  } else if (u->send_short[index]) {
    SHIM_ASSERT(res == -OS_ECANCELED);
  } else if (res < 0) {
    push_complete(s, f->fd, pop_op(s, &f->write_head, &f->write_tail), f->write_done, -res, -1);
    f->write_done = 0;
    u->send_failure[index] = -res;
  } else {
    f->write_done += res;
    SHIM_ASSERT(f->write_done <= op->len);
    if (f->write_done == op->len) complete_head_write(s, f);
    else u->send_short[index] = 1;
  }
  if (u->sends_in_flight[index] > 0) return;
  if (u->send_failure[index]) fail_queue(s, f->fd, &f->write_head, &f->write_tail, u->send_failure[index]);
  u->send_failure[index] = 0;
  u->send_short[index] = 0;
  if (f->write_head >= 0) submit_chain(s, f);
}

/* A socket's send part finished, or a stream became writable (res: revents). */
static void on_send(shim *s, fdstate *f, int ctx, int32_t res) {
  if (f->kind != KIND_STREAM) {
    on_sent(s, f, ctx, res);
    return;
  }
  state_of(s)->sends_in_flight[fdmap_index(&s->fds, f)] = 0;
  if (res < 0) end_head_write(s, f, -res);
  else stream_send(s, f);
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
    if (!(c->flags & OS_URING_MORE)) settle_owed(s, c->tag);
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
  fdstate *f = op_registration(s, op);
  if (!f) {
    /* The core only takes the context back. */
    settle_owed(s, c->tag);
    int before = s->results;
    push_complete(s, op->fd, ctx, 0, OS_ECANCELED, -1);
    s->bookkeeping += s->results - before;
    return;
  }
  SHIM_ASSERT(op->kind == REQ_SEND);
  on_send(s, f, ctx, c->res);
}

static void on_completion(shim *s, const os_uring_cqe *c) {
  switch (tag_kind(c->tag)) {
  case TAG_OP: on_op(s, c); break;
  case TAG_ACCEPT: on_accept(s, c); break;
  case TAG_READ: on_readable(s, c); break;
  case TAG_RECV: on_recv(s, c); break;
  case TAG_WAKE:
    os_eventfd_drain(s->wake_fd);
    state_of(s)->wake_seen = 1;
    if (!(c->flags & OS_URING_MORE)) os_uring_poll(state_of(s)->ring, s->wake_fd, OS_IN, 1, c->tag);
    break;
  case TAG_CANCEL: state_of(s)->cancels_in_flight--; break; /* what was cancelled reports itself */
  default: break;
  }
}

/* ---- requests ---------------------------------------------------------------------------- */

static void request_add(shim *s, const seam_request *q) {
  fdstate *f = add_target(s, q, OS_ENOSPC);
  if (!f) return;
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
  u->read_ready[index] = READY_NONE;
  u->sends_in_flight[index] = 0;
  u->send_failure[index] = 0;
  u->send_short[index] = 0;
  os_uring_file_register(u->ring, f->fd);
}

/* Writes still queued never reached the kernel, and posted accepts wait on no submission of
 * their own: they end now. Armed reads hold nothing: they just go. What is in flight is owed,
 * cancelled by confirm_cancels, and each context comes back with its completion. */
static void request_remove(shim *s, fdstate *f) {
  uring_state *u = state_of(s);
  uint32_t index = fdmap_index(&s->fds, f);
  int before = s->results;
  /* After a short part the head is back, and the parts in flight are the ones behind it. */
  if (u->send_short[index]) push_complete(s, f->fd, pop_op(s, &f->write_head, &f->write_tail), 0, OS_ECANCELED, -1);
  for (uint32_t i = 0; i < u->sends_in_flight[index]; i++)
    owe(s, send_tag(s, index, pop_op(s, &f->write_head, &f->write_tail)));
  u->sends_in_flight[index] = 0;
  fail_queue(s, f->fd, &f->write_head, &f->write_tail, OS_ECANCELED);
  if (f->kind == KIND_LISTENER) {
    fail_queue(s, f->fd, &f->read_head, &f->read_tail, OS_ECANCELED);
    if (u->accept_armed[index]) owe(s, accept_tag(s, index));
    for (int fd; (fd = take_parked(s, index)) >= 0;) os_close(fd);
  }
  f->reads_armed = 0;
  if (u->read_polled[index]) owe(s, read_tag(s, index));
  s->bookkeeping += s->results - before;
  os_uring_file_release(u->ring, f->fd);
  fdmap_erase(&s->fds, f);
}

static void request_io(shim *s, const seam_request *q) {
  fdstate *f = io_target(s, q, OS_EBADF);
  if (!f) return;
  if (q->kind == REQ_SEND) {
    int idle = queue_write(s, f, q->target);
    if (f->kind != KIND_STREAM) {
      if (state_of(s)->sends_in_flight[fdmap_index(&s->fds, f)] == 0) list_for_sending(s, f);
    } else if (idle) {
      stream_send(s, f);
    }
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
  fdstate *f = read_request(s, q, OS_EBADF);
  if (f && q->kind == REQ_RECV) watch_reads(s, f);
  else if (f) list_readable(s, f);
}

/* Takes up to the room left of completions, waiting up to timeout_ms; returns how many, or -errno. */
static int take_completions(shim *s, int timeout_ms) {
  uring_state *u = state_of(s);
  uint32_t room = s->cfg.result_capacity - (uint32_t)s->results;
  int max = room < OS_URING_BATCH_MAX ? (int)room : OS_URING_BATCH_MAX;
  if (max < 1) return 0; /* no room: the ring keeps the rest for the next wait */
  int n = os_uring_enter(u->ring, u->batch, max, timeout_ms);
  for (int i = 0; i < n; i++) on_completion(s, &u->batch[i]);
  serve_readable(s);
  return n;
}

/* What removed fds have in flight must let go of their files before apply returns: the app may
 * close an fd next, and its peer must then see it closed. A cancel finds only what has started:
 * the part of a chain whose previous part just completed waits as task work, which the ring
 * runs only when entered for completions (DEFER_TASKRUN); there it starts and completes, or
 * waits for room, where the next cancel finds it. So cancels go in rounds, each entering the
 * ring until its cancels are back, until every owed completion is. Only a chain's first owed
 * part can be in flight (the parts linked behind it end with it), so a round cancels that one,
 * and a chain ends within as many rounds as it has parts. */
enum { CANCEL_ROUNDS_MAX = CHAIN_PARTS_MAX + 2 };

static int same_chain(uint64_t a, uint64_t b) {
  return tag_kind(a) == TAG_OP && tag_kind(b) == TAG_OP && tag_registration(a) == tag_registration(b);
}

static void cancel_owed(shim *s) {
  uring_state *u = state_of(s);
  for (int i = 0; i < u->owed_count; i++) {
    if (i > 0 && same_chain(u->owed[i - 1], u->owed[i])) continue;
    if (os_uring_cancel(u->ring, u->owed[i], tag_of(TAG_CANCEL, 0, 0)) == 0) u->cancels_in_flight++;
  }
}

static void confirm_cancels(shim *s) {
  uring_state *u = state_of(s);
  int rounds = 0;
  while (u->owed_count > 0) {
    if (u->cancels_in_flight == 0) {
      /* Past the bound the kernel broke the contract above: say so (the completions still owed
       * return their contexts whenever they come). */
      SHIM_ASSERT(rounds < CANCEL_ROUNDS_MAX);
      if (rounds++ == CANCEL_ROUNDS_MAX) return;
      cancel_owed(s);
    }
    int n = take_completions(s, u->cancels_in_flight > 0 ? -1 : 0);
    if (n == -OS_EINTR) continue;
    if (n < 0 || (n == 0 && u->cancels_in_flight > 0)) return; /* failed, or no room for results */
  }
}

/* The chains of the sockets whose sends the cycle queued (a socket removed since, or whose index
 * a new registration took, has nothing queued or its own chain still in flight). */
static void submit_listed_chains(shim *s) {
  uring_state *u = state_of(s);
  for (int i = 0; i < u->to_send_count; i++) {
    uint32_t index = u->to_send[i];
    fdstate *f = &s->fds.states[index];
    u->send_listed[index] = 0;
    if (f->fd >= 0 && f->write_head >= 0 && u->sends_in_flight[index] == 0) submit_chain(s, f);
  }
  u->to_send_count = 0;
}
/* What taking completions or performing requests queued (a write's next part, a poll) reaches the
 * kernel before the app has control again: the app may remove an fd, close it and open another
 * with the same number, which a submission still queued would then reach, sending the removed
 * fd's bytes on the new connection. Nothing queued, no system call. An apply followed by a wait
 * needs none: the wait's io_uring_enter submits (shim_apply_alone calls this otherwise). */
static void submit_queued(shim *s) { os_uring_enter(state_of(s)->ring, state_of(s)->batch, 0, 0); }

static int uring_apply(shim *s, int count) {
  begin_cycle(s);
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
  submit_listed_chains(s);
  serve_readable(s); /* resumed reads: their data is likely there already */
  if (removed) {
    confirm_cancels(s);
    os_uring_files_retire(state_of(s)->ring); /* nothing of the removed fds is in flight now */
  }
  return s->results;
}

/* ---- waiting ----------------------------------------------------------------------------- */

static int uring_harvest(shim *s, double timeout_ms) {
  uring_state *u = state_of(s);
  if (s->results > s->bookkeeping || u->wake_seen || u->readable_count > 0) timeout_ms = 0;
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
  submit_queued(s);
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
  u->read_ready = calloc((size_t)s->cfg.max_sockets, 1);
  u->readable = calloc((size_t)s->cfg.max_sockets, sizeof(uint32_t));
  u->readable_listed = calloc((size_t)s->cfg.max_sockets, 1);
  u->parked = calloc((size_t)s->cfg.max_sockets, sizeof(parked_accept));
  u->sends_in_flight = calloc((size_t)s->cfg.max_sockets, sizeof(uint32_t));
  u->send_failure = calloc((size_t)s->cfg.max_sockets, sizeof(int32_t));
  u->send_short = calloc((size_t)s->cfg.max_sockets, 1);
  u->send_listed = calloc((size_t)s->cfg.max_sockets, 1);
  u->to_send = calloc((size_t)s->cfg.max_sockets, sizeof(uint32_t));
  /* Each context is in one send at most; each fd has a read poll and an accept at most. */
  u->owed_capacity = s->cfg.pool_size + 2 * s->cfg.max_sockets;
  u->owed = calloc((size_t)u->owed_capacity, sizeof(uint64_t));
  if (!u->registration || !u->accept_armed || !u->read_polled || !u->read_ready || !u->readable ||
      !u->readable_listed || !u->parked || !u->sends_in_flight || !u->send_failure || !u->send_short ||
      !u->send_listed || !u->to_send || !u->owed)
    return -OS_ENOMEM;
  s->wake_fd = os_eventfd();
  if (s->wake_fd < 0) return s->wake_fd;
  int rc = os_uring_open(URING_ENTRIES, &u->ring);
  if (rc < 0) return rc;
  u->buffer_slots = 1;
  while (u->buffer_slots < s->cfg.pool_size && u->buffer_slots < BUFFER_RING_MAX) u->buffer_slots <<= 1;
  rc = os_uring_buffers_open(u->ring, (unsigned)u->buffer_slots);
  if (rc < 0) return rc;
  rc = os_uring_files_open(u->ring, (unsigned)s->cfg.max_sockets);
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
  free(u->read_ready);
  free(u->readable);
  free(u->readable_listed);
  free(u->parked);
  free(u->sends_in_flight);
  free(u->send_failure);
  free(u->send_short);
  free(u->send_listed);
  free(u->to_send);
  free(u->owed);
  free(u);
  s->mech_state = NULL;
}

static int uring_wake(shim *s) { return os_eventfd_signal(s->wake_fd); }

/* waitAsync's thread waits here, not in the ring, which only the reactor's thread may enter to
 * wait (os_uring.c); that thread then harvests what is there. */
static int uring_await(shim *s, double timeout_ms) {
  double deadline = timeout_ms < 0 ? 0 : os_now_ms() + timeout_ms;
  for (;;) {
    int n = os_uring_await(state_of(s)->ring, s->wake_fd, ms_left(timeout_ms, deadline, os_now_ms()));
    if (n != -OS_EINTR) return n;
    s->waits_interrupted++;
  }
}

const shim_driver shim_driver_uring = {uring_open, uring_close,   uring_apply, uring_harvest,
                                       uring_wake, submit_queued, uring_await};
