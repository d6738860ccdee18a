/* Invariants stated in the code, TigerBeetle style: checked in every test run and debug build,
 * compiled out of release builds (NDEBUG), where the condition is not even evaluated. A broken
 * one names its file and line on stderr and aborts: the shim's state can no longer be trusted. */
#ifndef IO_REACTOR_ASSERT_H
#define IO_REACTOR_ASSERT_H
#if defined(NDEBUG)
#define SHIM_ASSERT(cond) ((void)sizeof(cond))
#else
#include <stdio.h>
#include <stdlib.h>
static inline void shim_assert_failed(const char *cond, const char *file, int line) {
  fprintf(stderr, "io-reactor shim: assertion failed: %s (%s:%d)\n", cond, file, line);
  fflush(stderr);
  abort();
}
#define SHIM_ASSERT(cond) ((cond) ? (void)0 : shim_assert_failed(#cond, __FILE__, __LINE__))
#endif
#endif
