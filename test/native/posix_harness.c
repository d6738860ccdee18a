/* The POSIX shim over real loopback sockets, without Node: every request kind, the completion
 * emulation, wakeups and cancellation on epoll and poll, then a seeded random driver that feeds the
 * request ring well-formed requests in any order (closed fds, peers gone, removes under queued
 * operations, too few buffers lent) and checks every context comes back exactly once and every
 * read lands in a buffer lent to it; and one case of the io_uring calls (os_uring.h) that no socket
 * can bring about at will. Built with -fsanitize=address,
 * undefined and plainly for valgrind (scripts/build-harness.mjs); run by test/posix-harness.test.ts.
 * One line per case, "ok - name" or "not ok - name: why"; exit status 1 if any failed.
 * Usage: posix_harness [random-ops [seed]] */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <liburing.h>
#include "request_driver.h"
#include "unix/os_uring.h"

static int failures;

static void add(core *c, int fd, int slot, int mask) { request(c, REQ_ADD, fd, slot, fd_kind(fd), mask); }

static uint64_t rng;
static uint32_t next_random(void *unused) {
  (void)unused;
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 16);
}

static void report(const char *name, int passed) {
  if (passed) printf("ok - %s\n", name);
  else printf("not ok - %s: %s\n", name, why);
  if (!passed) failures++;
  fflush(stdout);
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

static int random_requests(int mechanism, long ops, uint64_t seed) {
  driver *d = malloc(sizeof *d);
  rng = seed ? seed : 1;
  int ok = driver_open(d, mechanism, next_random, NULL);
  for (long op = 0; op < ops && ok; op++) ok = driver_step(d);
  ok = driver_close(d, ok);
  printf("# completions: %ld done, %ld failed, %ld canceled; reads: %ld with bytes, %ld ended, %ld starved\n",
         d->completions[0], d->completions[1], d->completions[2], d->reads[0], d->reads[1], d->reads[2]);
  if (!ok) snprintf(why + strlen(why), sizeof why - strlen(why), " (seed %llu)", (unsigned long long)seed);
  free(d);
  return ok;
}

/* io_uring: the kernel flags task work after queueing it, so the ring's thread can run the work
 * first and the flag stays up with nothing behind it. An enter that does not wait must still
 * return (it entered the ring until more work came: a slow echo server stalled its peers). */
#define STALE_TASKRUN "io_uring: an enter that does not wait returns when the task work it is told of is done"
enum { STALE_TASKRUN_LIMIT_S = 5 };

static void enter_stuck(int sig) {
  (void)sig;
  static const char line[] = "not ok - " STALE_TASKRUN ": it had not returned when its alarm rang\n";
  (void)!write(STDOUT_FILENO, line, sizeof line - 1);
  _exit(1);
}

static int enter_returns_with_stale_taskrun(void) {
  intptr_t ring;
  int rc = os_uring_open(64, &ring);
  if (rc < 0) return fail("os_uring_open: %d", rc);
  struct io_uring *r = (struct io_uring *)ring; /* os_uring.c: a ring handle is also its io_uring */
  int flagged = (r->flags & IORING_SETUP_TASKRUN_FLAG) != 0;
  if (flagged) __atomic_fetch_or(r->sq.kflags, IORING_SQ_TASKRUN, __ATOMIC_RELEASE);
  signal(SIGALRM, enter_stuck);
  alarm(STALE_TASKRUN_LIMIT_S);
  os_uring_cqe out[8];
  int n = flagged ? os_uring_enter(ring, out, 8, 0) : -1;
  alarm(0);
  os_uring_shut(ring);
  return (flagged || fail("the ring has no IORING_SETUP_TASKRUN_FLAG (a kernel before 6.1)")) &&
         (n == 0 || fail("the enter returned %d, not 0 completions", n));
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
  report(STALE_TASKRUN, enter_returns_with_stale_taskrun());
  return failures ? 1 : 0;
}
