/* The core's side of the seam for the C harnesses (posix_harness.c, fuzz_request_ring.c): the
 * request ring, result buffer, I/O buffers and provided ring laid out as the core lays them out,
 * and the requests the core would queue. A check that fails records why (fail) and returns 0. */
#ifndef IO_REACTOR_SEAM_CORE_H
#define IO_REACTOR_SEAM_CORE_H
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "common/os.h"
#include "common/shim.h"
#include "common/sockets.h"

enum { POOL = 16, SOCKETS = 16, BUFFER_BYTES = 256, RESULTS = 4 * POOL + 2 * SOCKETS, REQUESTS = 64 };
/* Contexts below LENT are the core's for sends and accepts; buffers from LENT up are lent to reads. */
enum { LENT = POOL / 2 };

static char why[256];

static int fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(why, sizeof why, format, args);
  va_end(args);
  return 0;
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

static int pair(int fds[2]) { return sock_pair(fds) == 0 ? 1 : fail("sock_pair failed"); }
#endif
