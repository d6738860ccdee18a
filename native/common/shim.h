/* The shim: performs the core's requests on the OS, waits, and writes raw results. It holds no
 * policy, only OS handles and per-fd queues of the operations the core handed it. One API for
 * every mechanism: epoll and poll are served by unix/posix_driver.c, IOCP by win/iocp.c, io_uring
 * by unix/io_uring.c (see driver.c). */
#ifndef IO_REACTOR_SHIM_H
#define IO_REACTOR_SHIM_H
#include <stdint.h>
#include "seam.h"
#include "fdmap.h"

#define SHIM_IN  1u
#define SHIM_OUT 2u

struct shim;

/* One per POSIX mechanism (epoll.c, poll.c): what differs is only how fds are watched and waited on. */
typedef struct mechanism {
  int (*open)(struct shim *s);
  void (*close)(struct shim *s);
  /* Watch `f` for `bits` (readiness reports HUP/ERR even with 0 bits). 0 or -errno. */
  int (*watch)(struct shim *s, fdstate *f, unsigned bits);
  /* Stop watching `f` entirely (nothing is reported for it). */
  void (*unwatch)(struct shim *s, fdstate *f);
  /* Wait up to timeout_ms (-1: forever); calls shim_on_ready per ready fd. Returns ready
   * count, or -errno (-EINTR is retried by the caller). */
  int (*wait)(struct shim *s, int timeout_ms);
} mechanism;

/* One per shim logic: POSIX (posix_driver.c, over a mechanism) or IOCP (iocp.c). Same contracts as the
 * shim_* functions below; `open` may leave partial state, which `close` then undoes. */
typedef struct shim_driver {
  int (*open)(struct shim *s);
  void (*close)(struct shim *s);
  int (*apply)(struct shim *s, int count);
  int (*harvest)(struct shim *s, double timeout_ms);
  int (*wake)(struct shim *s);
  /* Hands the kernel what apply queued, for an apply no wait follows (a wait submits it with its
   * own system call); NULL where apply performs everything itself. */
  void (*flush)(struct shim *s);
  /* Where only the thread that opened the shim may harvest (io_uring): waits on another thread
   * up to timeout_ms (<0: forever) until a harvest would find something, touching nothing the
   * shim's thread uses; >0, 0 on timeout, or -errno. NULL where any thread may harvest. */
  int (*await)(struct shim *s, double timeout_ms);
} shim_driver;

typedef struct shim_op {
  int32_t next, kind, ptr, len;
  int32_t fd, slot, gen; /* the registration it was posted for (requests.h) */
  int32_t queued;        /* on a per-fd queue: a context is on at most one */
} shim_op;

typedef struct shim_config {
  int model, mechanism, pool_size, max_sockets;
  uint8_t *buffers; /* base of the I/O buffers: requests carry offsets from it */
  const seam_request *requests;
  seam_result *results;
  uint32_t result_capacity;
  const seam_provided *provided; /* refilled by the core before each cycle */
} shim_config;

typedef struct shim {
  shim_config cfg;
  const shim_driver *driver;
  const mechanism *mech; /* POSIX */
  void *mech_state;      /* the mechanism's own state; IOCP: the port's */
  int wake_fd;           /* POSIX */
  fdmap fds;
  shim_op *ops;       /* indexed by context id */
  int results;        /* written in this cycle */
  int provided_taken; /* entries of the provided ring taken in this cycle */
  int bookkeeping;    /* of which only return contexts of removed fds */
  int woken;
  int always_count; /* POSIX: fds epoll refuses (regular files), always ready */
  uint32_t *always; /* fdstate indexes */
  uint64_t waits_interrupted;
} shim;

/* 0, or a negative OS code (-errno; for IOCP, -Win32 code). */
int shim_open(shim *s, const shim_config *cfg);
void shim_close(shim *s);
/* Performs `count` queued requests; returns the results written so far in this cycle. */
int shim_apply(shim *s, int count);
/* shim_apply when no wait follows: what the requests queued reaches the kernel before it returns,
 * since the app may close an fd next and reuse its number. */
int shim_apply_alone(shim *s, int count);
/* Waits up to timeout_ms (<0: forever; fractions round up; EINTR resumes with the time left)
 * and harvests what became ready. Returns the results written in this cycle. */
int shim_harvest(shim *s, double timeout_ms);
/* Whether waitAsync must harvest on the shim's own thread, after shim_await on its own. */
int shim_harvests_at_home(const shim *s);
/* Waits on waitAsync's thread for what the shim's thread then harvests (with timeout 0). */
int shim_await(shim *s, double timeout_ms);
/* Ends the wait in progress, or the next one, at once; callable from any thread. 0 or negative. */
int shim_wake(shim *s);
void shim_on_ready(shim *s, fdstate *f, unsigned revents);

extern const mechanism mechanism_epoll;
extern const mechanism mechanism_poll;
extern const shim_driver shim_driver_posix;
extern const shim_driver shim_driver_iocp;
extern const shim_driver shim_driver_uring;
#endif
