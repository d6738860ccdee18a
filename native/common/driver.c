/* The shim API, forwarded to the logic that serves the reactor's mechanism in this build: POSIX
 * (epoll, poll) and io_uring natively on Linux, IOCP natively on Windows, all of them in the
 * simulation. */
#include <stdlib.h>
#include <string.h>
#include "assert.h"
#include "os.h"
#include "shim.h"

static const shim_driver *driver_for(int mechanism) {
#if !defined(_WIN32)
  if (mechanism == MECH_EPOLL || mechanism == MECH_POLL) return &shim_driver_posix;
#endif
#if defined(__linux__) || defined(__EMSCRIPTEN__)
  if (mechanism == MECH_IO_URING) return &shim_driver_uring;
#endif
#if defined(_WIN32) || defined(__EMSCRIPTEN__)
  if (mechanism == MECH_IOCP) return &shim_driver_iocp;
#endif
  return NULL;
}

int shim_open(shim *s, const shim_config *cfg) {
  /* The core sizes everything at create, and never with zero. */
  SHIM_ASSERT(cfg->model == MODEL_READINESS || cfg->model == MODEL_COMPLETION);
  SHIM_ASSERT(cfg->pool_size > 0 && cfg->max_sockets > 0 && cfg->result_capacity > 0);
  SHIM_ASSERT(cfg->requests != NULL && cfg->results != NULL);
  memset(s, 0, sizeof *s);
  s->cfg = *cfg;
  s->wake_fd = -1;
  s->driver = driver_for(cfg->mechanism);
  if (!s->driver) return -OS_EINVAL;
  s->ops = calloc((size_t)cfg->pool_size, sizeof(shim_op));
  if (!s->ops || fdmap_open(&s->fds, cfg->max_sockets) != 0) {
    shim_close(s);
    return -OS_ENOMEM;
  }
  int rc = s->driver->open(s);
  if (rc < 0) {
    shim_close(s);
    return rc;
  }
  return 0;
}

void shim_close(shim *s) {
  if (s->driver) s->driver->close(s);
  free(s->ops);
  fdmap_close(&s->fds);
  memset(s, 0, sizeof *s);
  s->wake_fd = -1;
}

int shim_apply(shim *s, int count) {
  SHIM_ASSERT(s->driver != NULL && count >= 0);
  return s->driver->apply(s, count);
}

int shim_apply_alone(shim *s, int count) {
  int results = shim_apply(s, count);
  if (s->driver->flush) s->driver->flush(s);
  return results;
}

int shim_harvest(shim *s, double timeout_ms) {
  SHIM_ASSERT(s->driver != NULL);
  int results = s->driver->harvest(s, timeout_ms);
  SHIM_ASSERT(results >= s->bookkeeping && (uint32_t)results <= s->cfg.result_capacity);
  return results;
}

int shim_harvests_at_home(const shim *s) { return s->driver->await != NULL; }

int shim_await(shim *s, double timeout_ms) {
  SHIM_ASSERT(s->driver->await != NULL);
  return s->driver->await(s, timeout_ms);
}

int shim_wake(shim *s) { return s->driver->wake(s); }
