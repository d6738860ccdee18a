/* libFuzzer target: the request ring as the shim reads it. The input's bytes are the choices of
 * the request driver (request_driver.h): which requests the ring carries, on which fds, for which
 * contexts, with what lengths, how many buffers are lent, what the peers do and when a cycle runs;
 * the first byte picks the mechanism. Built with -fsanitize=fuzzer,address,undefined by
 * scripts/build-harness.mjs: a sanitizer report, a shim assertion or a broken driver check (every
 * context back exactly once, every read in a lent buffer) is a crash. Run by
 * test/shim-fuzz.test.ts over the seed corpus in test/native/corpus/request_ring. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "request_driver.h"

typedef struct input {
  const uint8_t *data;
  size_t size, at;
} input;

/* One byte per choice, so a mutation changes one decision; the input spent, every choice is 0. */
static uint32_t next_byte(void *source) {
  input *in = source;
  return in->at < in->size ? in->data[in->at++] : 0;
}

static const int MECHANISMS[] = {MECH_EPOLL, MECH_POLL, MECH_IO_URING};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static driver d;
  if (size == 0) return 0;
  input in = {data, size, 1};
  int mechanism = MECHANISMS[data[0] % (sizeof MECHANISMS / sizeof MECHANISMS[0])];
  int ok = driver_open(&d, mechanism, next_byte, &in);
  while (ok && in.at < in.size) ok = driver_step(&d);
  if (!driver_close(&d, ok)) {
    fprintf(stderr, "request ring (mechanism %d): %s\n", mechanism, why);
    abort();
  }
  return 0;
}
