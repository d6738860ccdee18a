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

/* Completion flags, io_uring's numbering. OS_URING_BUFFER: the completion took a provided
 * buffer, whose id is flags >> OS_URING_BUFFER_SHIFT. OS_URING_SOCK_NONEMPTY: a receive left
 * more to read (bytes, or the end of the stream). */
enum {
  OS_URING_BUFFER = 1u << 0,
  OS_URING_MORE = 1u << 1,
  OS_URING_SOCK_NONEMPTY = 1u << 2,
  OS_URING_BUFFER_SHIFT = 16
};

/* What a poll's result (revents) says besides OS_IN, OS_OUT, OS_ERR and OS_HUP: the peer ended
 * its side of the stream (POLLRDHUP, reported whether asked or not). */
enum { OS_URING_RDHUP = 0x2000 };

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

/* Registered files: the ring keeps a table of up to `count` sockets, each submission naming
 * one by its place there, so the kernel skips the look-up (and the reference taken and dropped)
 * of the socket's file per submission. Only where the kernel lets a file go from the table once
 * its own requests are done (Linux 6.13; before, a removed file stayed open until every request
 * older than its removal had ended, a multishot poll of any socket included); elsewhere, and
 * past the table's size, submissions name the fd as usual. 0 or -errno. */
int os_uring_files_open(intptr_t ring, unsigned count);
/* The ring's later submissions for fd name it in the table (when there is room). */
void os_uring_file_register(intptr_t ring, int fd);
/* Later submissions for fd name the fd; what is queued or in flight for it keeps its place
 * (its file) until os_uring_files_retire, which the caller calls once those are done. */
void os_uring_file_release(intptr_t ring, int fd);
/* The places of released fds empty (closing such an fd then closes it) and serve again. */
void os_uring_files_retire(intptr_t ring);

/* Makes room for `count` submissions queued back to back (a linked chain must not be split by a
 * full queue going to the kernel), submitting what is queued when needed. 0 or -errno. */
int os_uring_reserve(intptr_t ring, unsigned count);
/* A send() of all of buf on a stream socket (MSG_NOSIGNAL | MSG_WAITALL: the kernel sends the
 * rest of a short send once there is room, so a short result means the socket failed part way).
 * `linked`: the next submission queued starts only once this one is done, and is cancelled
 * (-ECANCELED) when this one fails or completes short. */
int os_uring_send(intptr_t ring, int fd, const void *buf, uint32_t len, int linked, uint64_t tag);
/* Accepts every connection that arrives, one completion each (the new fd: non-blocking,
 * close-on-exec), until cancelled or failed. */
int os_uring_accept_multishot(intptr_t ring, int fd, uint64_t tag);
/* Reports `events` (OS_IN, OS_OUT) on fd once it has them (the result is the revents), or each
 * time it gets them when `multishot`, until cancelled. Streams (pipes, tty, files) are polled
 * this way and read or written by the caller: io_uring fails a non-blocking one's read at once. */
int os_uring_poll(intptr_t ring, int fd, uint32_t events, int multishot, uint64_t tag);
/* Cancels every submission tagged `target`; each completes with -ECANCELED (unless it finished
 * first), and the cancel itself completes with `tag`. */
int os_uring_cancel(intptr_t ring, uint64_t target, uint64_t tag);

/* The ring's provided buffers: a kernel buffer ring of `entries` (a power of two, at most
 * 32768) that receives take their buffers from, in the order added. 0 or -errno. */
int os_uring_buffers_open(intptr_t ring, unsigned entries);
/* Adds buffer `id` (len bytes at buf) to the provided buffers; the caller adds no more than fit. */
void os_uring_buffer_add(intptr_t ring, void *buf, uint32_t len, uint32_t id);
/* The last `count` buffers added leave the ring untaken; only while no receive can take one. */
void os_uring_buffers_drop(intptr_t ring, unsigned count);
/* A recv() on a socket into the next provided buffer that does not wait (MSG_DONTWAIT): it
 * completes with the byte count and OS_URING_BUFFER with the buffer's id (and
 * OS_URING_SOCK_NONEMPTY when there is more to read), 0 at the end of the
 * stream, -EAGAIN when there is nothing to read, or -ENOBUFS when no buffer was left. */
int os_uring_recv(intptr_t ring, int fd, uint32_t len, uint64_t tag);

/* Submits what is queued and waits up to timeout_ms (-1: forever) for at least one completion,
 * in one system call; takes up to max completions (max ≤ OS_URING_BATCH_MAX). Returns the count
 * (0 on timeout), or -errno (-EINTR: interrupted by a signal). */
int os_uring_enter(intptr_t ring, os_uring_cqe *out, int max, int timeout_ms);

/* For a thread other than the ring's (only the thread that opened the ring may enter it to
 * wait): blocks until the ring has completions or work for the next enter, or wake_fd is
 * readable, or timeout_ms passes (-1: never), touching nothing the ring's thread uses. Returns
 * >0 when something is there, 0 on timeout, or -errno (-EINTR: interrupted by a signal). */
int os_uring_await(intptr_t ring, int wake_fd, int timeout_ms);

/* What an accepted socket needs before use (TCP_NODELAY, as os_accept sets). */
void os_uring_accepted(int fd);
#endif
