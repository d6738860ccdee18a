/* The POSIX shim over real loopback sockets, without Node: every request kind, the completion
 * emulation, wakeups and cancellation on epoll and poll, then a seeded random driver that feeds the
 * request ring well-formed requests in any order (closed fds, peers gone, removes under queued
 * operations, too few buffers lent) and checks every context comes back exactly once and every
 * read lands in a buffer lent to it. Built with -fsanitize=address,
 * undefined and plainly for valgrind (scripts/build-harness.mjs); run by test/posix-harness.test.ts.
 * One line per case, "ok - name" or "not ok - name: why"; exit status 1 if any failed.
 * Usage: posix_harness [random-ops [seed]] */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common/os.h"
#include "common/shim.h"
#include "common/sockets.h"

enum { POOL = 16, SOCKETS = 16, BUFFER_BYTES = 256, RESULTS = 4 * POOL + 2 * SOCKETS, REQUESTS = 64 };
/* Contexts below LENT are the core's for sends and accepts; buffers from LENT up are lent to reads. */
enum { LENT = POOL / 2 };

static int failures;
static char why[256];

static int fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(why, sizeof why, format, args);
  va_end(args);
  return 0;
}

static void report(const char *name, int passed) {
  if (passed) printf("ok - %s\n", name);
  else printf("not ok - %s: %s\n", name, why);
  if (!passed) failures++;
  fflush(stdout);
}

/* The core's side of the seam, as the core lays it out: requests, results, buffers. */
typedef struct core {
  shim s;
  seam_request requests[REQUESTS];
  seam_result results[RESULTS];
  uint8_t buffers[POOL * BUFFER_BYTES];
  /* The provided ring, a header and its entries, as the core lays it out. */
  _Alignas(seam_provided) uint8_t provided_bytes[sizeof(seam_provided) + LENT * sizeof(seam_provided_entry)];
  seam_provided *provided;
  int lend; /* buffers lent to reads each cycle */
  int queued;
} core;

static int open_core(core *c, int model, int mechanism) {
  memset(c, 0, sizeof *c);
  c->lend = LENT;
  c->provided = (seam_provided *)c->provided_bytes;
  shim_config cfg = {model, mechanism, POOL, SOCKETS, c->buffers, c->requests, c->results, RESULTS, c->provided};
  int rc = shim_open(&c->s, &cfg);
  return rc == 0 ? 1 : fail("shim_open: %d", rc);
}

static void request(core *c, int kind, int fd, int target, int len, int mask) {
  seam_request *q = &c->requests[c->queued++];
  memset(q, 0, sizeof *q);
  q->kind = kind;
  q->fd = fd;
  q->target = target;
  q->ptr = kind == REQ_SEND ? target * BUFFER_BYTES : 0;
  q->len = len;
  q->mask = mask;
}

static void add(core *c, int fd, int slot, int mask) { request(c, REQ_ADD, fd, slot, fd_kind(fd), mask); }

/* Applies the queued requests, then waits up to timeout_ms: the results of the cycle. Reads
 * take buffers LENT.. from the ring; the core has consumed the last cycle's, so they are free. */
static int cycle(core *c, double timeout_ms) {
  c->provided->count = c->lend;
  c->provided->length = BUFFER_BYTES;
  for (int i = 0; i < c->lend; i++)
    c->provided->entries[i] = (seam_provided_entry){LENT + i, (LENT + i) * BUFFER_BYTES};
  shim_apply(&c->s, c->queued);
  c->queued = 0;
  return shim_harvest(&c->s, timeout_ms);
}

/* Cycles until a result of `kind` arrives (within about a second); its index, or -1. */
static int await_result(core *c, int kind) {
  for (int round = 0; round < 20; round++) {
    int n = cycle(c, 50);
    for (int i = 0; i < n; i++)
      if (c->results[i].kind == kind) return i;
  }
  fail("no result of kind %d within a second", kind);
  return -1;
}

static int pair(int fds[2]) { return sock_pair(fds) == 0 ? 1 : fail("sock_pair failed"); }

static int readiness_reports_readable(int mechanism) {
  core c;
  int fds[2];
  if (!open_core(&c, MODEL_READINESS, mechanism) || !pair(fds)) return 0;
  add(&c, fds[0], 3, EV_READ);
  int quiet = cycle(&c, 10) == 0 || fail("a ready result before any data");
  sock_send(fds[1], "hi", 2);
  int i = quiet ? await_result(&c, RES_READY) : -1;
  int ok = i >= 0 && (c.results[i].fd == fds[0] || fail("ready fd %d", c.results[i].fd)) &&
           (c.results[i].target == 3 || fail("slot %d", c.results[i].target)) &&
           ((c.results[i].value & OS_IN) || fail("revents %#x lack IN", c.results[i].value));
  shim_close(&c.s);
  sock_close(fds[0]);
  sock_close(fds[1]);
  return ok;
}

static int modify_changes_interest(int mechanism) {
  core c;
  int fds[2];
  if (!open_core(&c, MODEL_READINESS, mechanism) || !pair(fds)) return 0;
  add(&c, fds[0], 0, 0);
  int ok = cycle(&c, 10) == 0 || fail("a result with no interest");
  request(&c, REQ_MODIFY, fds[0], 0, 0, EV_WRITE);
  int i = ok ? await_result(&c, RES_READY) : -1;
  ok = i >= 0 && ((c.results[i].value & OS_OUT) || fail("revents %#x lack OUT", c.results[i].value));
  shim_close(&c.s);
  sock_close(fds[0]);
  sock_close(fds[1]);
  return ok;
}

static int add_of_closed_fd_fails(int mechanism) {
  core c;
  int fds[2];
  if (!open_core(&c, MODEL_READINESS, mechanism) || !pair(fds)) return 0;
  sock_close(fds[0]);
  request(&c, REQ_ADD, fds[0], 1, KIND_SOCKET, EV_READ);
  int n = cycle(&c, 0);
  int ok = (n == 1 && c.results[0].kind == RES_ADD_FAILED)
               ? (c.results[0].os_code == OS_EBADF || fail("os code %d", c.results[0].os_code))
               : fail("%d results, expected one failed add", n);
  shim_close(&c.s);
  sock_close(fds[1]);
  return ok;
}

static int completion_recv_and_send(int mechanism) {
  core c;
  int fds[2];
  if (!open_core(&c, MODEL_COMPLETION, mechanism) || !pair(fds)) return 0;
  add(&c, fds[0], 0, EV_READ);
  request(&c, REQ_RECV, fds[0], 0, 0, 0);
  memcpy(c.buffers + 5 * BUFFER_BYTES, "pong!", 5);
  request(&c, REQ_SEND, fds[0], 5, 5, 0);
  int sent = await_result(&c, RES_COMPLETE);
  int ok = sent >= 0 && ((c.results[sent].target == 5 && c.results[sent].value == 5) ||
                         fail("send result ctx %d bytes %d", c.results[sent].target, c.results[sent].value));
  char got[8] = {0};
  ok = ok && ((sock_recv(fds[1], got, sizeof got) == 5 && memcmp(got, "pong!", 5) == 0) || fail("peer got %s", got));
  sock_send(fds[1], "ping", 4);
  int read = ok ? await_result(&c, RES_RECV) : -1;
  ok = read >= 0 &&
       ((c.results[read].target == 0 && c.results[read].value == 4 && c.results[read].buffer == LENT) ||
        fail("recv result slot %d bytes %d buffer %d", c.results[read].target, c.results[read].value,
             c.results[read].buffer)) &&
       (memcmp(c.buffers + LENT * BUFFER_BYTES, "ping", 4) == 0 || fail("the lent buffer lacks the bytes"));
  shim_close(&c.s);
  sock_close(fds[0]);
  sock_close(fds[1]);
  return ok;
}

static int completion_peer_close_reads_zero(int mechanism) {
  core c;
  int fds[2];
  if (!open_core(&c, MODEL_COMPLETION, mechanism) || !pair(fds)) return 0;
  add(&c, fds[0], 0, EV_READ);
  request(&c, REQ_RECV, fds[0], 0, 0, 0);
  request(&c, REQ_RECV, fds[0], 0, 0, 0);
  sock_close(fds[1]);
  int seen = 0, ok = 1;
  for (int round = 0; round < 20 && seen < 2; round++) {
    int n = cycle(&c, 50);
    for (int i = 0; i < n; i++, seen++)
      if (c.results[i].kind != RES_RECV || c.results[i].value != 0 || c.results[i].buffer != -1)
        ok = fail("result kind %d bytes %d buffer %d, expected an end of stream", c.results[i].kind, c.results[i].value,
                  c.results[i].buffer);
  }
  ok = ok && (seen == 2 || fail("%d of 2 reads ended", seen));
  shim_close(&c.s);
  sock_close(fds[0]);
  return ok;
}

static int completion_accept(int mechanism) {
  core c;
  int port = 0;
  int listener = sock_listen("127.0.0.1", 0, 8, &port);
  if (!open_core(&c, MODEL_COMPLETION, mechanism) || listener < 0)
    return listener < 0 ? fail("listen: %d", listener) : 0;
  add(&c, listener, 0, EV_READ);
  request(&c, REQ_ACCEPT, listener, 7, 0, 0);
  int client = sock_connect("127.0.0.1", port);
  int i = await_result(&c, RES_COMPLETE);
  int ok = i >= 0 && ((c.results[i].target == 7 && c.results[i].accepted >= 0) ||
                      fail("accept ctx %d fd %d", c.results[i].target, c.results[i].accepted));
  if (i >= 0 && c.results[i].accepted >= 0) sock_close(c.results[i].accepted);
  shim_close(&c.s);
  sock_close(client);
  sock_close(listener);
  return ok;
}

/* The contexts of a removed fd's queued operations come back as bookkeeping: canceled, and
 * not enough on their own to end the wait that follows. Its armed reads hold nothing and go. */
static int remove_cancels_queued(int mechanism) {
  core c;
  int fds[2], port = 0;
  int listener = sock_listen("127.0.0.1", 0, 8, &port);
  if (!open_core(&c, MODEL_COMPLETION, mechanism) || !pair(fds) || listener < 0)
    return listener < 0 ? fail("listen: %d", listener) : 0;
  add(&c, listener, 0, EV_READ);
  add(&c, fds[0], 1, EV_READ);
  request(&c, REQ_ACCEPT, listener, 1, 0, 0);
  request(&c, REQ_ACCEPT, listener, 2, 0, 0);
  request(&c, REQ_RECV, fds[0], 1, 0, 0);
  int ok = cycle(&c, 0) == 0 || fail("a result before any connection or data");
  request(&c, REQ_REMOVE, listener, 0, 0, 0);
  request(&c, REQ_REMOVE, fds[0], 1, 0, 0);
  sock_send(fds[1], "late", 4); /* the armed read went with the registration: nothing reads this */
  double start = os_now_ms();
  int n = cycle(&c, 30);
  ok = ok && (n == 2 || fail("%d results, expected the two canceled accepts", n)) &&
       ((c.results[0].os_code == OS_ECANCELED && c.results[1].os_code == OS_ECANCELED) ||
        fail("codes %d %d", c.results[0].os_code, c.results[1].os_code)) &&
       (os_now_ms() - start >= 25 || fail("cancellations alone ended the wait"));
  shim_close(&c.s);
  sock_close(listener);
  sock_close(fds[0]);
  sock_close(fds[1]);
  return ok;
}

/* With no buffer lent, data for an armed read reports the fd starved; resumed with buffers, the
 * read completes into the first of them. */
static int starved_read_resumes(int mechanism) {
  core c;
  int fds[2];
  if (!open_core(&c, MODEL_COMPLETION, mechanism) || !pair(fds)) return 0;
  c.lend = 0;
  add(&c, fds[0], 4, EV_READ);
  request(&c, REQ_RECV, fds[0], 4, 0, 0);
  sock_send(fds[1], "wait", 4);
  int i = await_result(&c, RES_NO_BUFFER);
  int ok = i >= 0 && (c.results[i].target == 4 || fail("starved slot %d", c.results[i].target));
  c.lend = LENT;
  request(&c, REQ_RESUME, fds[0], 4, 0, 0);
  i = ok ? await_result(&c, RES_RECV) : -1;
  ok = i >= 0 && ((c.results[i].value == 4 && c.results[i].buffer == LENT) ||
                  fail("resumed read: bytes %d buffer %d", c.results[i].value, c.results[i].buffer));
  shim_close(&c.s);
  sock_close(fds[0]);
  sock_close(fds[1]);
  return ok;
}

static int close_request_closes(int mechanism) {
  core c;
  int fds[2];
  if (!open_core(&c, MODEL_READINESS, mechanism) || !pair(fds)) return 0;
  request(&c, REQ_CLOSE, fds[0], 0, 0, 0);
  cycle(&c, 0);
  int ok = fd_kind(fds[0]) == -OS_EBADF || fail("fd still open");
  shim_close(&c.s);
  sock_close(fds[1]);
  return ok;
}

static void *wake_later(void *arg) {
  usleep(20000);
  shim_wake(arg);
  return NULL;
}

static int wakeup_ends_wait(int mechanism) {
  core c;
  if (!open_core(&c, MODEL_READINESS, mechanism)) return 0;
  pthread_t t;
  pthread_create(&t, NULL, wake_later, &c.s);
  double start = os_now_ms();
  int n = cycle(&c, 5000);
  double took = os_now_ms() - start;
  pthread_join(t, NULL);
  int ok = (n == 0 || fail("%d results", n)) && (took < 1000 || fail("the wait lasted %.0f ms", took));
  shim_close(&c.s);
  return ok;
}

/* ---- the random driver ------------------------------------------------------------------- */

static uint64_t rng;
static uint32_t next_random(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 16);
}

enum { PAIRS = 4 };

typedef struct driver {
  core c;
  int fds[PAIRS][2];
  int added[PAIRS];
  int held[LENT];   /* the fd a send context's operation is queued on, or -1 when the core holds it */
  int armed[PAIRS]; /* reads armed on the pair's slot */
  int starved[PAIRS];
  long completions[3]; /* done, failed, canceled */
  long reads[3];       /* with bytes, ended, starved */
} driver;

static int random_free_context(driver *d) {
  int start = (int)(next_random() % LENT);
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

static void random_request(driver *d) {
  int p = (int)(next_random() % PAIRS), fd = d->fds[p][0];
  int ctx = random_free_context(d), peer = d->fds[p][1];
  switch (next_random() % 8) {
  case 0:
    if (!d->added[p]) add(&d->c, fd, p, EV_READ), d->added[p] = 1;
    break;
  case 1:
    if (d->added[p]) {
      request(&d->c, REQ_REMOVE, fd, p, 0, 0);
      d->added[p] = d->armed[p] = d->starved[p] = 0;
    }
    break;
  case 2:
    if (d->added[p] && d->starved[p]) request(&d->c, REQ_RESUME, fd, p, 0, 0), d->starved[p] = 0;
    break;
  case 3:
    if (d->added[p]) request(&d->c, REQ_RECV, fd, p, 0, 0), d->armed[p]++;
    break;
  case 4:
    if (ctx >= 0 && d->added[p])
      request(&d->c, REQ_SEND, fd, ctx, (int)(next_random() % BUFFER_BYTES), 0), d->held[ctx] = fd;
    d->c.lend = (int)(next_random() % (LENT + 1)); /* sometimes too few buffers, or none */
    break;
  case 5:
    if (peer >= 0) sock_send(peer, d->c.buffers, 1 + next_random() % 64);
    break;
  case 6: {
    char sink[512];
    if (peer >= 0) sock_recv(peer, sink, sizeof sink);
    break;
  }
  default:
    if (peer >= 0 && next_random() % 16 == 0) { /* the peer goes away; a fresh pair takes its place once removed */
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

static int random_requests(int mechanism, long ops, uint64_t seed) {
  driver *d = calloc(1, sizeof *d);
  rng = seed ? seed : 1;
  int ok = open_core(&d->c, MODEL_COMPLETION, mechanism);
  for (int ctx = 0; ctx < LENT; ctx++) d->held[ctx] = -1;
  for (int p = 0; p < PAIRS && ok; p++) ok = pair(d->fds[p]);
  for (long op = 0; op < ops && ok; op++) {
    random_request(d);
    if (d->c.queued == REQUESTS || next_random() % 4 == 0)
      ok = take_results(d, cycle(&d->c, 0)) && replace_dead_pairs(d);
  }
  for (int p = 0; p < PAIRS && ok; p++)
    if (d->added[p]) request(&d->c, REQ_REMOVE, d->fds[p][0], p, 0, 0), d->added[p] = 0;
  if (ok) ok = take_results(d, cycle(&d->c, 0));
  for (int ctx = 0; ctx < LENT && ok; ctx++)
    if (d->held[ctx] >= 0) ok = fail("context %d never came back (seed %llu)", ctx, (unsigned long long)seed);
  printf("# completions: %ld done, %ld failed, %ld canceled; reads: %ld with bytes, %ld ended, %ld starved\n",
         d->completions[0], d->completions[1], d->completions[2], d->reads[0], d->reads[1], d->reads[2]);
  if (!ok) snprintf(why + strlen(why), sizeof why - strlen(why), " (seed %llu)", (unsigned long long)seed);
  shim_close(&d->c.s);
  for (int p = 0; p < PAIRS; p++)
    for (int side = 0; side < 2; side++)
      if (d->fds[p][side] >= 0) sock_close(d->fds[p][side]);
  free(d);
  return ok;
}

int main(int argc, char **argv) {
  long ops = argc > 1 ? atol(argv[1]) : 20000;
  uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
  static const struct {
    int mechanism;
    const char *name;
  } mechanisms[] = {{MECH_EPOLL, "epoll"}, {MECH_POLL, "poll"}};
  for (int m = 0; m < 2; m++) {
    int mech = mechanisms[m].mechanism;
    char name[128];
#define CASE(fn, label)                                                                                                \
  snprintf(name, sizeof name, "%s: %s", mechanisms[m].name, label);                                                    \
  report(name, fn(mech))
    CASE(readiness_reports_readable, "readiness reports a readable socket");
    CASE(modify_changes_interest, "modify changes what readiness reports");
    CASE(add_of_closed_fd_fails, "add of a closed fd fails with EBADF");
    CASE(completion_recv_and_send, "completion: send and recv complete with their bytes");
    CASE(completion_peer_close_reads_zero, "completion: every queued read ends with 0 bytes when the peer closes");
    CASE(completion_accept, "completion: accept completes with the new fd");
    CASE(remove_cancels_queued, "remove cancels queued operations without ending the wait");
    CASE(starved_read_resumes, "completion: a read with no buffer lent is starved, and resumed it completes");
    CASE(close_request_closes, "a close request closes the fd");
    CASE(wakeup_ends_wait, "wakeup from another thread ends a wait");
#undef CASE
    snprintf(name, sizeof name, "%s: %ld random requests keep every context accounted for", mechanisms[m].name, ops);
    report(name, random_requests(mech, ops, seed + (uint64_t)m));
  }
  return failures ? 1 : 0;
}
