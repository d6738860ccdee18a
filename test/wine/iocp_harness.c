/* The IOCP shim on a real completion port, without Node: its OS layer (native/win/os_win32.c) call by
 * call, then the shim logic (native/win/iocp.c) through the shim API. One line per case, "ok - name"
 * or "not ok - name: why", exit status 1 if any failed. Run under Wine by test/windows.test.ts,
 * which reports each case as its own test. */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "common/os.h"
#include "win/os_iocp.h"
#include "common/shim.h"
#include "common/sockets.h"

#define OPS 8
/* A completion must wake a blocked wait at once; Neolith's came up to 100 ms late. */
#define PROMPT_MS 50

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

/* One completion within timeout_ms, or a failure. */
static int take(intptr_t port, os_completion *c, int timeout_ms) {
  int n = os_iocp_wait(port, c, 1, timeout_ms);
  if (n == 1) return 1;
  return fail("wait returned %d, expected one completion", n);
}

static int expect_quiet(intptr_t port, int timeout_ms) {
  os_completion c;
  int n = os_iocp_wait(port, &c, 1, timeout_ms);
  return n == 0 ? 1 : fail("expected no completion, got %d (op %u error %u)", n, c.op, c.error);
}

typedef struct fixture {
  intptr_t port;
  int a, b; /* a connected loopback pair; `a` is associated */
} fixture;

static int setup(fixture *f) {
  int fds[2];
  if (os_iocp_open(OPS, &f->port) != 0) return fail("os_iocp_open failed");
  if (sock_pair(fds) != 0) return fail("sock_pair failed");
  f->a = fds[0];
  f->b = fds[1];
  if (os_iocp_associate(f->port, f->a, 0) != 0) return fail("associate failed");
  return 1;
}

static void teardown(fixture *f) {
  sock_close(f->a);
  sock_close(f->b);
  os_iocp_shut(f->port);
}

static int wakeup_ends_wait(void) {
  fixture f;
  if (!setup(&f)) return 0;
  os_completion c;
  int ok = os_iocp_post(f.port) == 0 && take(f.port, &c, 1000) &&
           (c.op == OS_IOCP_WAKE_OP || fail("op %u, expected the wakeup op", c.op)) && expect_quiet(f.port, 20);
  teardown(&f);
  return ok;
}

static int timeout_waits(void) {
  fixture f;
  if (!setup(&f)) return 0;
  double start = os_now_ms();
  int ok = expect_quiet(f.port, 100);
  double elapsed = os_now_ms() - start;
  teardown(&f);
  return ok && (elapsed >= 95 || fail("wait(100) returned after %.1f ms", elapsed));
}

static int recv_completes_with_bytes(void) {
  fixture f;
  if (!setup(&f)) return 0;
  char buf[64] = {0};
  os_completion c;
  int ok = os_iocp_recv(f.port, f.a, buf, sizeof buf, 3) == 0 && expect_quiet(f.port, 20) &&
           sock_send(f.b, "IOCP test data", 14) == 14 && take(f.port, &c, 1000) &&
           ((c.op == 3 && c.bytes == 14 && c.error == 0) || fail("op %u bytes %u error %u", c.op, c.bytes, c.error)) &&
           (memcmp(buf, "IOCP test data", 14) == 0 || fail("buffer holds '%.14s'", buf));
  teardown(&f);
  return ok;
}

typedef struct delayed_send {
  int fd;
  DWORD delay_ms;
  volatile double sent_ms;
} delayed_send;

static DWORD WINAPI send_later(void *arg) {
  delayed_send *d = arg;
  Sleep(d->delay_ms);
  d->sent_ms = os_now_ms();
  sock_send(d->fd, "x", 1);
  return 0;
}

static int completion_wakes_blocked_wait_at_once(void) {
  fixture f;
  if (!setup(&f)) return 0;
  char buf[8];
  delayed_send d = {f.b, 100, 0};
  os_completion c;
  int ok = os_iocp_recv(f.port, f.a, buf, sizeof buf, 1) == 0;
  HANDLE t = CreateThread(NULL, 0, send_later, &d, 0, NULL);
  ok = ok && take(f.port, &c, 5000);
  double late = os_now_ms() - d.sent_ms;
  WaitForSingleObject(t, INFINITE);
  CloseHandle(t);
  teardown(&f);
  return ok && ((c.op == 1 && c.bytes == 1) || fail("op %u bytes %u", c.op, c.bytes)) &&
         (late < PROMPT_MS || fail("the completion woke the wait %.1f ms after the send", late));
}

static int send_completes(void) {
  fixture f;
  if (!setup(&f)) return 0;
  char got[16] = {0};
  os_completion c;
  int ok = os_iocp_send(f.port, f.a, "hello", 5, 2) == 0 && take(f.port, &c, 1000) &&
           ((c.op == 2 && c.bytes == 5 && c.error == 0) || fail("op %u bytes %u error %u", c.op, c.bytes, c.error));
  Sleep(20);
  ok = ok && (sock_recv(f.b, got, sizeof got) == 5 || fail("the peer did not receive 5 bytes")) &&
       (memcmp(got, "hello", 5) == 0 || fail("the peer got '%.5s'", got));
  teardown(&f);
  return ok;
}

static int peer_close_completes_with_zero_bytes(void) {
  fixture f;
  if (!setup(&f)) return 0;
  char buf[8];
  os_completion c;
  int ok = os_iocp_recv(f.port, f.a, buf, sizeof buf, 0) == 0 && sock_close(f.b) == 0 && take(f.port, &c, 1000) &&
           ((c.op == 0 && c.bytes == 0 && c.error == 0) || fail("op %u bytes %u error %u", c.op, c.bytes, c.error));
  sock_close(f.a);
  os_iocp_shut(f.port);
  return ok;
}

static int dissociate_cancels_everything(void) {
  fixture f;
  if (!setup(&f)) return 0;
  char buf[8];
  os_completion c[2];
  int ok = os_iocp_recv(f.port, f.a, buf, sizeof buf, 6) == 0 && os_iocp_dissociate(f.port, f.a) == 0 &&
           take(f.port, c, 1000) &&
           ((c[0].op == 6 && c[0].error != 0) || fail("op %u error %u", c[0].op, c[0].error)) &&
           os_iocp_associate(f.port, f.a, 0) == 0 && os_iocp_recv(f.port, f.a, buf, sizeof buf, 7) == 0 &&
           sock_send(f.b, "again", 5) == 5 && take(f.port, c, 1000) &&
           ((c[0].op == 7 && c[0].bytes == 5) || fail("re-associated read: op %u bytes %u", c[0].op, c[0].bytes));
  teardown(&f);
  return ok;
}

/* Windows binds a socket to its first port for life: another port is refused, not handed a
 * socket whose completions would still go to the first. */
static int another_port_is_refused(void) {
  fixture f;
  if (!setup(&f)) return 0;
  intptr_t other;
  if (os_iocp_open(OPS, &other) != 0) return fail("second os_iocp_open failed");
  char buf[8];
  os_completion c;
  int ok =
      os_iocp_dissociate(f.port, f.a) == 0 &&
      (os_iocp_associate(other, f.a, 0) == OS_WIN_ERROR_INVALID_PARAMETER || fail("the second port took the socket")) &&
      os_iocp_associate(f.port, f.a, 0) == 0 && os_iocp_recv(f.port, f.a, buf, sizeof buf, 1) == 0 &&
      sock_send(f.b, "back", 4) == 4 && take(f.port, &c, 1000) &&
      ((c.op == 1 && c.bytes == 4) || fail("op %u bytes %u", c.op, c.bytes));
  os_iocp_shut(other);
  teardown(&f);
  return ok;
}

/* Windows reports 995, Wine 676 (or 64): only that it fails is the contract. */
static int local_close_fails_the_read(void) {
  fixture f;
  if (!setup(&f)) return 0;
  char buf[8];
  os_completion c;
  int ok = os_iocp_recv(f.port, f.a, buf, sizeof buf, 4) == 0 && sock_close(f.a) == 0 && take(f.port, &c, 1000) &&
           ((c.op == 4 && c.error != 0) || fail("op %u bytes %u error %u", c.op, c.bytes, c.error));
  sock_close(f.b);
  os_iocp_shut(f.port);
  return ok;
}

static int accept_names_a_ready_socket(void) {
  intptr_t port;
  int bound;
  if (os_iocp_open(OPS, &port) != 0) return fail("open failed");
  int listener = sock_listen("127.0.0.1", 0, 8, &bound);
  char buf[8] = {0};
  os_completion c;
  int ok = listener >= 0 && os_iocp_associate(port, listener, 0) == 0 && os_iocp_accept(port, listener, 2) == 0 &&
           expect_quiet(port, 20);
  int client = ok ? sock_connect("127.0.0.1", bound) : -1;
  ok = ok && client >= 0 && take(port, &c, 2000) &&
       ((c.op == 2 && c.error == 0 && c.accepted >= 0) ||
        fail("op %u error %u accepted %d", c.op, c.error, c.accepted)) &&
       os_iocp_recv(port, c.accepted, buf, sizeof buf, 3) == 0 && sock_send(client, "hi", 2) == 2;
  int accepted = ok ? c.accepted : -1;
  ok = ok && take(port, &c, 1000) &&
       ((c.op == 3 && c.bytes == 2) || fail("read on accepted: op %u bytes %u", c.op, c.bytes));
  if (accepted >= 0) sock_close(accepted);
  if (client >= 0) sock_close(client);
  if (listener >= 0) sock_close(listener);
  os_iocp_shut(port);
  return ok;
}

static int batch_takes_several(void) {
  fixture f;
  if (!setup(&f)) return 0;
  os_completion c[4];
  int ok = os_iocp_post(f.port) == 0 && os_iocp_post(f.port) == 0 && os_iocp_post(f.port) == 0;
  int n = os_iocp_wait(f.port, c, 4, 1000);
  teardown(&f);
  return ok && (n == 3 || fail("one wait took %d of 3 completions", n));
}

/* stdin is a pipe or console: served by a reader thread; here an anonymous pipe stands in. */
static int stream_reads_complete_and_end(void) {
  intptr_t port;
  HANDLE read_end, write_end;
  if (os_iocp_open(OPS, &port) != 0 || !CreatePipe(&read_end, &write_end, NULL, 0)) return fail("setup failed");
  int fd = _open_osfhandle((intptr_t)read_end, _O_RDONLY);
  char buf[4] = {0};
  os_completion c;
  DWORD wrote;
  int ok =
      os_iocp_associate(port, fd, 1) == 0 && os_iocp_recv(port, fd, buf, sizeof buf, 1) == 0 &&
      expect_quiet(port, 20) && WriteFile(write_end, "abcdef", 6, &wrote, NULL) && take(port, &c, 1000) &&
      ((c.op == 1 && c.bytes == 4 && c.error == 0 && memcmp(buf, "abcd", 4) == 0) ||
       fail("first: op %u bytes %u error %u", c.op, c.bytes, c.error)) &&
      os_iocp_recv(port, fd, buf, sizeof buf, 2) == 0 && take(port, &c, 1000) &&
      ((c.op == 2 && c.bytes == 2 && c.error == 0 && memcmp(buf, "ef", 2) == 0) ||
       fail("rest: op %u bytes %u error %u", c.op, c.bytes, c.error)) &&
      os_iocp_recv(port, fd, buf, sizeof buf, 3) == 0 && os_iocp_dissociate(port, fd) == 0 && take(port, &c, 1000) &&
      ((c.op == 3 && c.error == OS_WIN_ERROR_OPERATION_ABORTED) || fail("cancel: op %u error %u", c.op, c.error)) &&
      os_iocp_associate(port, fd, 1) == 0 && CloseHandle(write_end) &&
      os_iocp_recv(port, fd, buf, sizeof buf, 4) == 0 && take(port, &c, 1000) &&
      ((c.op == 4 && c.bytes == 0 && c.error == 0) || fail("end: op %u bytes %u error %u", c.op, c.bytes, c.error));
  os_iocp_shut(port);
  _close(fd);
  return ok;
}

/* A reactor that goes away leaves the stream's bytes to the next one. */
static int stream_outlives_its_port(void) {
  intptr_t first, second;
  HANDLE read_end, write_end;
  if (os_iocp_open(OPS, &first) != 0 || os_iocp_open(OPS, &second) != 0 || !CreatePipe(&read_end, &write_end, NULL, 0))
    return fail("setup failed");
  int fd = _open_osfhandle((intptr_t)read_end, _O_RDONLY);
  char buf[8] = {0};
  os_completion c;
  DWORD wrote;
  int ok = os_iocp_associate(first, fd, 1) == 0 && os_iocp_recv(first, fd, buf, sizeof buf, 1) == 0 &&
           (os_iocp_recv(first, fd, buf, sizeof buf, 2) == OS_WIN_ERROR_INVALID_PARAMETER ||
            fail("a second read was taken")) &&
           expect_quiet(first, 20);
  os_iocp_shut(first);
  ok = ok && WriteFile(write_end, "xyz", 3, &wrote, NULL) && os_iocp_associate(second, fd, 1) == 0 &&
       os_iocp_recv(second, fd, buf, sizeof buf, 5) == 0 && take(second, &c, 1000) &&
       ((c.op == 5 && c.bytes == 3 && c.error == 0 && memcmp(buf, "xyz", 3) == 0) ||
        fail("op %u bytes %u error %u", c.op, c.bytes, c.error));
  CloseHandle(write_end);
  os_iocp_shut(second);
  _close(fd);
  return ok;
}

/* The provided-buffer model's OS half: a zero-byte receive waits for data without a buffer, and
 * a non-blocking receive then takes it (or says it would block). */
static int zero_byte_recv_waits_for_data(void) {
  fixture f;
  if (!setup(&f)) return 0;
  char buf[16] = {0};
  os_completion c;
  int ok = (os_iocp_recv_now(f.port, f.a, buf, sizeof buf) == -OS_WIN_WSAEWOULDBLOCK ||
            fail("recv_now without data did not say it would block")) &&
           os_iocp_recv(f.port, f.a, buf, 0, 5) == 0 && expect_quiet(f.port, 20) && sock_send(f.b, "probe", 5) == 5 &&
           take(f.port, &c, 1000) &&
           ((c.op == 5 && c.bytes == 0 && c.error == 0) || fail("op %u bytes %u error %u", c.op, c.bytes, c.error)) &&
           (os_iocp_recv_now(f.port, f.a, buf, sizeof buf) == 5 || fail("recv_now did not take the 5 bytes")) &&
           (memcmp(buf, "probe", 5) == 0 || fail("buffer holds '%.5s'", buf));
  teardown(&f);
  return ok;
}

static int shut_with_reads_in_flight(void) {
  fixture f;
  if (!setup(&f)) return 0;
  char buf[2][8];
  int ok = os_iocp_recv(f.port, f.a, buf[0], 8, 0) == 0 && os_iocp_send(f.port, f.a, "z", 1, 1) == 0;
  os_iocp_shut(f.port);
  sock_close(f.a);
  sock_close(f.b);
  return ok;
}

/* ---- the shim logic (iocp.c) over it ------------------------------------------------------- */

enum { SHIM_POOL = 4, SHIM_BUFFER_BYTES = 64, SHIM_RESULTS = 16 };

typedef struct shim_fixture {
  shim s;
  uint8_t buffers[SHIM_POOL * SHIM_BUFFER_BYTES];
  seam_request requests[8];
  seam_result results[SHIM_RESULTS];
  seam_provided provided;
  seam_provided_entry entries[SHIM_POOL]; /* the ring's entries follow its header */
  int a, b;
} shim_fixture;

/* Lends the first `count` buffers, as the core does before a wait. */
static void provide(shim_fixture *x, int count) {
  x->provided.count = count;
  x->provided.length = SHIM_BUFFER_BYTES;
  for (int i = 0; i < count; i++)
    x->provided.entries[i] = (seam_provided_entry){.id = i, .offset = i * SHIM_BUFFER_BYTES};
}

static int shim_setup(shim_fixture *x) {
  memset(x, 0, sizeof *x);
  shim_config cfg = {
      .model = MODEL_COMPLETION,
      .mechanism = MECH_IOCP,
      .pool_size = SHIM_POOL,
      .max_sockets = 8,
      .buffers = x->buffers,
      .requests = x->requests,
      .results = x->results,
      .result_capacity = SHIM_RESULTS,
      .provided = &x->provided,
  };
  int fds[2];
  if (shim_open(&x->s, &cfg) != 0) return fail("shim_open refused mechanism iocp");
  if (sock_pair(fds) != 0) return fail("sock_pair failed");
  x->a = fds[0];
  x->b = fds[1];
  return 1;
}

static void shim_teardown(shim_fixture *x) {
  shim_close(&x->s);
  sock_close(x->a);
  sock_close(x->b);
}

static seam_request request(int kind, int fd, int target, int len) {
  seam_request q = {.kind = kind, .fd = fd, .target = target, .ptr = target * SHIM_BUFFER_BYTES, .len = len};
  return q;
}

/* Adds `a` (slot 0) and arms a read on it: no buffer is named yet. */
static int shim_add_and_read(shim_fixture *x) {
  x->requests[0] = request(REQ_ADD, x->a, 0, KIND_SOCKET);
  x->requests[1] = request(REQ_RECV, x->a, 0, 0);
  int n = shim_apply(&x->s, 2);
  return n == 0 ? 1 : fail("add and read gave %d results at once", n);
}

static int shim_read_completes(void) {
  shim_fixture x;
  if (!shim_setup(&x)) return 0;
  provide(&x, 2);
  int ok = shim_add_and_read(&x) && sock_send(x.b, "hello", 5) == 5;
  int n = ok ? shim_harvest(&x.s, 2000) : 0;
  const seam_result *r = &x.results[0];
  ok = ok && (n == 1 || fail("harvest gave %d results", n)) &&
       ((r->kind == RES_RECV && r->fd == x.a && r->target == 0 && r->value == 5 && r->os_code == 0 && r->buffer == 0) ||
        fail("result kind %d fd %d slot %d bytes %d code %d buffer %d", r->kind, r->fd, r->target, r->value, r->os_code,
             r->buffer)) &&
       (memcmp(x.buffers, "hello", 5) == 0 || fail("the first provided buffer lacks the bytes"));
  shim_teardown(&x);
  return ok;
}

static int shim_read_waits_for_a_buffer(void) {
  shim_fixture x;
  if (!shim_setup(&x)) return 0;
  provide(&x, 0);
  int ok = shim_add_and_read(&x) && sock_send(x.b, "late", 4) == 4;
  int n = ok ? shim_harvest(&x.s, 2000) : 0;
  const seam_result *r = &x.results[0];
  ok = ok && (n == 1 || fail("harvest gave %d results", n)) &&
       ((r->kind == RES_NO_BUFFER && r->target == 0) || fail("result kind %d slot %d", r->kind, r->target));
  provide(&x, 1);
  x.requests[0] = request(REQ_RESUME, x.a, 0, 0);
  n = ok ? shim_apply(&x.s, 1) : 0;
  ok = ok && (n == 1 || fail("resume gave %d results", n)) &&
       ((r->kind == RES_RECV && r->value == 4 && r->buffer == 0) ||
        fail("result kind %d bytes %d buffer %d", r->kind, r->value, r->buffer)) &&
       (memcmp(x.buffers, "late", 4) == 0 || fail("the provided buffer lacks the bytes"));
  shim_teardown(&x);
  return ok;
}

static int shim_remove_of_an_armed_read_gives_nothing_back(void) {
  shim_fixture x;
  if (!shim_setup(&x)) return 0;
  int ok = shim_add_and_read(&x);
  x.requests[0] = request(REQ_REMOVE, x.a, 0, 0);
  ok = ok && shim_apply(&x.s, 1) == 0;
  int n = ok ? shim_harvest(&x.s, 200) : 0;
  ok = ok && (n == 0 || fail("harvest gave %d results (kind %d) for a read that held no buffer", n, x.results[0].kind));
  shim_teardown(&x);
  return ok;
}

typedef struct waker {
  shim *s;
  DWORD delay_ms;
} waker;

static DWORD WINAPI wake_later(void *arg) {
  waker *w = arg;
  Sleep(w->delay_ms);
  shim_wake(w->s);
  return 0;
}

static int shim_wake_ends_harvest(void) {
  shim_fixture x;
  if (!shim_setup(&x)) return 0;
  waker w = {&x.s, 100};
  HANDLE t = CreateThread(NULL, 0, wake_later, &w, 0, NULL);
  double start = os_now_ms();
  int n = shim_harvest(&x.s, -1);
  double elapsed = os_now_ms() - start;
  WaitForSingleObject(t, INFINITE);
  CloseHandle(t);
  shim_teardown(&x);
  return (n == 0 || fail("harvest gave %d results", n)) &&
         ((elapsed >= 90 && elapsed < 5000) || fail("ended after %.0f ms, the wake came at 100", elapsed));
}

int main(void) {
  report("a posted wakeup ends a wait with the wakeup op", wakeup_ends_wait());
  report("a wait with nothing posted times out after its timeout", timeout_waits());
  report("a posted read completes with its bytes in the buffer", recv_completes_with_bytes());
  report("a zero-byte receive waits for data, and a receive now takes it", zero_byte_recv_waits_for_data());
  report("a completion wakes a blocked wait at once", completion_wakes_blocked_wait_at_once());
  report("a posted send completes and the peer receives it", send_completes());
  report("a graceful peer close completes the read with 0 bytes", peer_close_completes_with_zero_bytes());
  report("dissociate cancels the fd's reads; it can be associated again", dissociate_cancels_everything());
  report("a socket bound to one port is refused by another; its own port takes it back", another_port_is_refused());
  report("a local close under a pending read completes it with an error", local_close_fails_the_read());
  report("accept completes with a socket ready for overlapped reads", accept_names_a_ready_socket());
  report("one wait takes a batch of completions", batch_takes_several());
  report("a stream (pipe) read completes, keeps what the buffer cannot take, cancels and ends",
         stream_reads_complete_and_end());
  report("a stream outlives a port: what its reader took after the shut goes to the next port",
         stream_outlives_its_port());
  report("shut with operations in flight returns", shut_with_reads_in_flight());
  report("shim: an armed read completes into the first provided buffer", shim_read_completes());
  report("shim: an armed read that finds the ring empty waits, and resume serves it", shim_read_waits_for_a_buffer());
  report("shim: remove of an armed read gives nothing back, as it held no buffer",
         shim_remove_of_an_armed_read_gives_nothing_back());
  report("shim: shim_wake from another thread ends a harvest with no timeout", shim_wake_ends_harvest());
  return failures ? 1 : 0;
}
