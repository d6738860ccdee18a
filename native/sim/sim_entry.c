/* Entry points of the shim when emscripten builds it for the simulation: the same shim code,
 * its OS calls answered by the simulated kernel (src/sim/). Requests and results live in this
 * module's memory (the host copies them across); I/O buffers stay in the core's memory, which
 * the kernel reaches through pointers offset by SIM_BUFFER_BASE. */
#include <emscripten.h>
#include <stdlib.h>
#include "common/shim.h"

#define SIM_BUFFER_BASE 0x80000000u

typedef struct sim_shim {
  shim s;
  seam_request *requests;
  seam_result *results;
  seam_provided *provided; /* the host copies the core's ring here before each cycle */
} sim_shim;

EMSCRIPTEN_KEEPALIVE sim_shim *sim_shim_open(int model, int mechanism, int pool_size, int max_sockets,
                                             int request_capacity, int result_capacity) {
  sim_shim *x = calloc(1, sizeof *x);
  if (!x) return NULL;
  x->requests = calloc((size_t)request_capacity, sizeof(seam_request));
  x->results = calloc((size_t)result_capacity, sizeof(seam_result));
  x->provided = calloc(1, sizeof(seam_provided) + (size_t)pool_size * sizeof(seam_provided_entry));
  shim_config cfg = {
      .model = model,
      .mechanism = mechanism,
      .pool_size = pool_size,
      .max_sockets = max_sockets,
      .buffers = (uint8_t *)(uintptr_t)SIM_BUFFER_BASE,
      .requests = x->requests,
      .results = x->results,
      .result_capacity = (uint32_t)result_capacity,
      .provided = x->provided,
  };
  if (!x->requests || !x->results || !x->provided || shim_open(&x->s, &cfg) != 0) {
    free(x->requests);
    free(x->results);
    free(x->provided);
    free(x);
    return NULL;
  }
  return x;
}

EMSCRIPTEN_KEEPALIVE seam_request *sim_shim_requests(sim_shim *x) { return x->requests; }
EMSCRIPTEN_KEEPALIVE seam_result *sim_shim_results(sim_shim *x) { return x->results; }
EMSCRIPTEN_KEEPALIVE seam_provided *sim_shim_provided(sim_shim *x) { return x->provided; }
EMSCRIPTEN_KEEPALIVE int sim_shim_wake_fd(sim_shim *x) { return x->s.wake_fd; }
EMSCRIPTEN_KEEPALIVE int sim_shim_wake(sim_shim *x) { return shim_wake(&x->s); }

EMSCRIPTEN_KEEPALIVE int sim_shim_apply(sim_shim *x, int requests) { return shim_apply(&x->s, requests); }

/* timeout_ms: -1 forever. */
EMSCRIPTEN_KEEPALIVE int sim_shim_cycle(sim_shim *x, int requests, double timeout_ms) {
  shim_apply(&x->s, requests);
  return shim_harvest(&x->s, timeout_ms);
}

EMSCRIPTEN_KEEPALIVE void sim_shim_close(sim_shim *x) {
  shim_close(&x->s);
  free(x->requests);
  free(x->results);
  free(x->provided);
  free(x);
}
