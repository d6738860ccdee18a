/* A driver of the shim through the request ring: well-formed requests in any order (closed fds,
 * peers gone, removes under queued operations, too few buffers lent), checking that every context
 * comes back exactly once and every read lands in a buffer lent to it. Every choice it makes comes
 * from `choose`: a seeded generator in posix_harness.c, the fuzzer's input in fuzz_request_ring.c. */
#ifndef IO_REACTOR_REQUEST_DRIVER_H
#define IO_REACTOR_REQUEST_DRIVER_H
#include "seam_core.h"

enum { PAIRS = 4 };

typedef struct driver {
  core c;
  int fds[PAIRS][2];
  int added[PAIRS];
  int held[LENT];   /* the fd a send context's operation is queued on, or -1 when the core holds it */
  int armed[PAIRS]; /* reads armed on the pair's slot */
  int starved[PAIRS];
  int gen[PAIRS];                 /* the slot's registration generation: each add a new one, as the core numbers them */
  long completions[3];            /* done, failed, canceled */
  long reads[3];                  /* with bytes, ended, starved */
  uint32_t (*next)(void *source); /* where the choices come from */
  void *source;
} driver;

/* A choice among n. */
static uint32_t choose(driver *d, uint32_t n) { return d->next(d->source) % n; }

static int random_free_context(driver *d) {
  int start = (int)choose(d, LENT);
  for (int i = 0; i < LENT; i++)
    if (d->held[(start + i) % LENT] < 0) return (start + i) % LENT;
  return -1;
}

/* A read's result: bytes in a buffer lent this cycle, or an end with none. */
static int take_read(driver *d, const seam_result *r) {
  if (r->target < 0 || r->target >= PAIRS) return fail("read result for slot %d", r->target);
  if (r->kind == RES_NO_BUFFER) {
    d->starved[r->target] = 1;
    d->reads[2]++;
    return 1;
  }
  if (r->value > 0 && (r->buffer < LENT || r->buffer >= LENT + d->c.lend || r->value > BUFFER_BYTES))
    return fail("read of %d bytes into buffer %d, %d lent from %d", r->value, r->buffer, d->c.lend, LENT);
  if (r->value <= 0 && r->buffer != -1) return fail("a read that ended names buffer %d", r->buffer);
  if (d->armed[r->target] > 0) d->armed[r->target]--;
  d->reads[r->value > 0 ? 0 : 1]++;
  return 1;
}

static int take_results(driver *d, int n) {
  for (int i = 0; i < n; i++) {
    seam_result *r = &d->c.results[i];
    if (r->kind == RES_RECV || r->kind == RES_NO_BUFFER) {
      if (!take_read(d, r)) return 0;
      continue;
    }
    if (r->kind != RES_COMPLETE) continue;
    if (r->target < 0 || r->target >= LENT || d->held[r->target] != r->fd)
      return fail("completion for context %d on fd %d, which holds %d", r->target, r->fd,
                  r->target >= 0 && r->target < LENT ? d->held[r->target] : -2);
    if (r->accepted >= 0) sock_close(r->accepted);
    d->held[r->target] = -1;
    d->completions[r->os_code == OS_ECANCELED ? 2 : r->os_code ? 1 : 0]++;
  }
  return 1;
}

/* A request for pair p's slot, carrying its registration's generation. */
static void slot_request(driver *d, int kind, int p, int len, int mask) {
  request(&d->c, kind, d->fds[p][0], p, len, mask);
  d->c.requests[d->c.queued - 1].gen = d->gen[p];
}

static void random_request(driver *d) {
  int p = (int)choose(d, PAIRS), fd = d->fds[p][0];
  int ctx = random_free_context(d), peer = d->fds[p][1];
  switch (choose(d, 8)) {
  case 0:
    if (!d->added[p]) d->gen[p]++, slot_request(d, REQ_ADD, p, fd_kind(fd), EV_READ), d->added[p] = 1;
    break;
  case 1:
    if (d->added[p]) {
      slot_request(d, REQ_REMOVE, p, 0, 0);
      d->added[p] = d->armed[p] = d->starved[p] = 0;
    }
    break;
  case 2:
    if (d->added[p] && d->starved[p]) slot_request(d, REQ_RESUME, p, 0, 0), d->starved[p] = 0;
    break;
  case 3:
    if (d->added[p]) slot_request(d, REQ_RECV, p, 0, 0), d->armed[p]++;
    break;
  case 4:
    if (ctx >= 0 && d->added[p]) request(&d->c, REQ_SEND, fd, ctx, (int)choose(d, BUFFER_BYTES), 0), d->held[ctx] = fd;
    d->c.lend = (int)choose(d, LENT + 1); /* sometimes too few buffers, or none */
    break;
  case 5:
    if (peer >= 0) sock_send(peer, d->c.buffers, 1 + choose(d, 64));
    break;
  case 6: {
    char sink[512];
    if (peer >= 0) sock_recv(peer, sink, sizeof sink);
    break;
  }
  default:
    if (peer >= 0 && choose(d, 16) == 0) { /* the peer goes away; a fresh pair takes its place once removed */
      sock_close(peer);
      d->fds[p][1] = -1;
    }
    break;
  }
}

static int replace_dead_pairs(driver *d) {
  for (int p = 0; p < PAIRS; p++) {
    if (d->fds[p][1] >= 0 || d->added[p]) continue;
    for (int ctx = 0; ctx < LENT; ctx++)
      if (d->held[ctx] == d->fds[p][0]) return 1; /* wait until its cancellations are back */
    sock_close(d->fds[p][0]);
    if (!pair(d->fds[p])) return 0;
  }
  return 1;
}

/* A driver over a fresh shim of `mechanism` (completion model) and PAIRS socket pairs. 1, or 0 with why. */
static int driver_open(driver *d, int mechanism, uint32_t (*next)(void *source), void *source) {
  memset(d, 0, sizeof *d);
  d->next = next;
  d->source = source;
  for (int p = 0; p < PAIRS; p++) d->fds[p][0] = d->fds[p][1] = -1;
  for (int ctx = 0; ctx < LENT; ctx++) d->held[ctx] = -1;
  int ok = open_core(&d->c, MODEL_COMPLETION, mechanism);
  for (int p = 0; p < PAIRS && ok; p++) ok = pair(d->fds[p]);
  return ok;
}

/* One request (or peer action); sometimes, or when the ring is full, a cycle that checks its results. */
static int driver_step(driver *d) {
  random_request(d);
  if (d->c.queued < REQUESTS && choose(d, 4) != 0) return 1;
  return take_results(d, cycle(&d->c, 0)) && replace_dead_pairs(d);
}

/* Removes every registration and checks every context came back; then closes everything. */
static int driver_close(driver *d, int ok) {
  /* The removes need room in the ring, as the core's would. */
  if (ok && d->c.queued + PAIRS > REQUESTS) ok = take_results(d, cycle(&d->c, 0));
  for (int p = 0; p < PAIRS && ok; p++)
    if (d->added[p]) slot_request(d, REQ_REMOVE, p, 0, 0), d->added[p] = 0;
  if (ok) ok = take_results(d, cycle(&d->c, 0));
  for (int ctx = 0; ctx < LENT && ok; ctx++)
    if (d->held[ctx] >= 0) ok = fail("context %d never came back", ctx);
  shim_close(&d->c.s);
  for (int p = 0; p < PAIRS; p++)
    for (int side = 0; side < 2; side++)
      if (d->fds[p][side] >= 0) sock_close(d->fds[p][side]);
  return ok;
}
#endif
