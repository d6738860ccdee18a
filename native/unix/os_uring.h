/* The io_uring calls the io_uring shim (io_uring.c) makes, and nothing else. os_uring.c answers
 * them with liburing over the real kernel; the simulation answers them with its simulated ring,
 * so one io_uring.c runs in both.
 *
 * Each call but open, shut and enter queues one submission; queued submissions reach the kernel
 * at the next os_uring_enter, with the wait, in one system call. Every submission carries a
 * 64-bit tag chosen by the shim, which its completions carry back. A queued
 * submission produces at least one completion; a multishot one produces completions flagged
 * OS_URING_MORE until its last. Failures are -errno, in Linux numbering (os.h). */
#ifndef IO_REACTOR_OS_URING_H
#define IO_REACTOR_OS_URING_H
#include <stdint.h>

/* Completion flags, io_uring's numbering. */
enum { OS_URING_MORE = 1u << 1 };

/* Completions one os_uring_enter takes at most; more stay in the ring for the next call. */
#define OS_URING_BATCH_MAX 256

typedef struct os_uring_cqe {
  uint64_t tag;
  int32_t res;    /* bytes, an accepted fd, or -errno */
  uint32_t flags; /* OS_URING_* */
} os_uring_cqe;

/* A ring of `entries` submission slots (a power of two; completions twice that). 0 or -errno:
 * -ENOSYS or -EPERM when the kernel lacks or refuses io_uring (io_uring_disabled, seccomp). */
int os_uring_open(unsigned entries, intptr_t *ring);
void os_uring_shut(intptr_t ring);

/* A send() of buf on a socket (MSG_NOSIGNAL). It may complete short: the caller sends the rest. */
int os_uring_send(intptr_t ring, int fd, const void *buf, uint32_t len, uint64_t tag);
/* Accepts every connection that arrives, one completion each (the new fd: non-blocking,
 * close-on-exec), until cancelled or failed. */
int os_uring_accept_multishot(intptr_t ring, int fd, uint64_t tag);
/* Reports `events` (OS_IN, OS_OUT) on fd once it has them (the result is the revents), or each
 * time it gets them when `multishot`, until cancelled. Streams (pipes, tty, files) are polled
 * this way and read or written by the caller: io_uring fails a non-blocking one's read at once. */
int os_uring_poll(intptr_t ring, int fd, uint32_t events, int multishot, uint64_t tag);
/* Cancels the submission tagged `target`; it completes with -ECANCELED (unless it finished first),
 * and the cancel itself completes with `tag`. */
int os_uring_cancel(intptr_t ring, uint64_t target, uint64_t tag);

/* Submits what is queued and waits up to timeout_ms (-1: forever) for at least one completion,
 * in one system call; takes up to max completions (max ≤ OS_URING_BATCH_MAX). Returns the count
 * (0 on timeout), or -errno (-EINTR: interrupted by a signal). */
int os_uring_enter(intptr_t ring, os_uring_cqe *out, int max, int timeout_ms);

/* What an accepted socket needs before use (TCP_NODELAY, as os_accept sets). */
void os_uring_accepted(int fd);
#endif
