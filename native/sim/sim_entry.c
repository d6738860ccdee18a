/* Entry points of the shim when emscripten builds it for the simulation: the same shim code,
 * its OS calls answered by the simulated kernel (src/sim/). One module serves every simulated
 * reactor of a thread, one at a time, so they share one request and one result buffer (the host
 * copies entries across for each call, and the shim reads and writes them only within it); I/O
 * buffers stay in the core's memory, which the kernel reaches through pointers offset by
 * SIM_BUFFER_BASE. */
#include <emscripten.h>
#include <stdlib.h>
#include "common/shim.h"

#define SIM_BUFFER_BASE 0x80000000u

typedef struct sim_shim {
  shim s;
  seam_provided *provided; /* the host copies the core's ring here before each cycle */
} sim_shim;

/* The buffers every shim of this module shares, grown to the largest capacity opened so far. */
static seam_request *requests;
static uint32_t request_capacity;
static seam_result *results;
static uint32_t result_capacity;

static int reserve(uint32_t requests_wanted, uint32_t results_wanted) {
  if (requests_wanted > request_capacity) {
    seam_request *grown = realloc(requests, requests_wanted * sizeof *requests);
    if (!grown) return -1;
    requests = grown;
    request_capacity = requests_wanted;
  }
  if (results_wanted > result_capacity) {
    seam_result *grown = realloc(results, results_wanted * sizeof *results);
    if (!grown) return -1;
    results = grown;
    result_capacity = results_wanted;
  }
  return 0;
}

/* Points the shim at the shared buffers, which a later open may have moved. */
static shim *bound(sim_shim *x) {
  x->s.cfg.requests = requests;
  x->s.cfg.results = results;
  return &x->s;
}

EMSCRIPTEN_KEEPALIVE sim_shim *sim_shim_open(int model, int mechanism, int pool_size, int max_sockets,
                                             int request_count, int result_count) {
  if (reserve((uint32_t)request_count, (uint32_t)result_count) != 0) return NULL;
  sim_shim *x = calloc(1, sizeof *x);
  if (!x) return NULL;
  x->provided = calloc(1, sizeof(seam_provided) + (size_t)pool_size * sizeof(seam_provided_entry));
  shim_config cfg = {
      .model = model,
      .mechanism = mechanism,
      .pool_size = pool_size,
      .max_sockets = max_sockets,
      .buffers = (uint8_t *)(uintptr_t)SIM_BUFFER_BASE,
      .requests = requests,
      .results = results,
      .result_capacity = (uint32_t)result_count,
      .provided = x->provided,
  };
  if (!x->provided || shim_open(&x->s, &cfg) != 0) {
    free(x->provided);
    free(x);
    return NULL;
  }
  return x;
}

EMSCRIPTEN_KEEPALIVE seam_request *sim_shim_requests(void) { return requests; }
EMSCRIPTEN_KEEPALIVE seam_result *sim_shim_results(void) { return results; }
EMSCRIPTEN_KEEPALIVE seam_provided *sim_shim_provided(sim_shim *x) { return x->provided; }
EMSCRIPTEN_KEEPALIVE int sim_shim_wake_fd(sim_shim *x) { return x->s.wake_fd; }
/* The host reads it before a probe: with no always-ready fd, a cycle with nothing to apply and
 * no time to wait is one epoll_wait, which the host may make itself (src/sim/shim.ts). */
EMSCRIPTEN_KEEPALIVE int *sim_shim_always_count_at(sim_shim *x) { return &x->s.always_count; }
EMSCRIPTEN_KEEPALIVE int sim_shim_wake(sim_shim *x) { return shim_wake(bound(x)); }

EMSCRIPTEN_KEEPALIVE int sim_shim_apply(sim_shim *x, int count) { return shim_apply_alone(bound(x), count); }

/* timeout_ms: -1 forever. */
EMSCRIPTEN_KEEPALIVE int sim_shim_cycle(sim_shim *x, int count, double timeout_ms) {
  shim_apply(bound(x), count);
  return shim_harvest(&x->s, timeout_ms);
}

EMSCRIPTEN_KEEPALIVE void sim_shim_close(sim_shim *x) {
  shim_close(bound(x));
  free(x->provided);
  free(x);
}
