/* The time a wait has left: both shim logics wait in slices (EINTR, wakeups that bring nothing
 * for the app) and resume with what remains of the caller's timeout. */
#ifndef IO_REACTOR_DEADLINE_H
#define IO_REACTOR_DEADLINE_H
#include <math.h>

/* What is left of a wait that ends at `deadline` (timeout_ms < 0: none), in whole ms (-1: forever). */
static inline int ms_left(double timeout_ms, double deadline, double now) {
  if (timeout_ms < 0) return -1;
  double left = deadline - now;
  if (left <= 0) return 0;
  return (int)ceil(left < 2147483647.0 ? left : 2147483647.0);
}
#endif
