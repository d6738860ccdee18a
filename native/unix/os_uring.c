/* The io_uring calls (os_uring.h) answered by the real kernel through liburing, linked statically
 * (see CMakeLists.txt). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include "os_uring.h"

_Static_assert(OS_URING_MORE == IORING_CQE_F_MORE && OS_URING_BUFFER == IORING_CQE_F_BUFFER &&
                   OS_URING_SOCK_NONEMPTY == IORING_CQE_F_SOCK_NONEMPTY &&
                   (unsigned)OS_URING_BUFFER_SHIFT == (unsigned)IORING_CQE_BUFFER_SHIFT,
               "io_uring's completion flag numbering");
_Static_assert(OS_URING_RDHUP == POLLRDHUP, "poll's numbering");

/* The one group of provided buffers every receive selects from. */
enum { BUFFER_GROUP = 0 };

/* The kernel lets a registered file go once its own requests are done from Linux 6.13 on; the
 * first feature flag after that change (RW_ATTR, 6.14, newer than liburing 2.3) marks such a kernel. */
enum { FEAT_FILES_FREED_ALONE = 1u << 16 };

typedef struct uring {
  struct io_uring ring; /* first: a ring handle is also its io_uring */
  struct io_uring_buf_ring *buffers;
  size_t buffers_bytes;
  unsigned buffers_mask;
  int news_fd; /* an eventfd the kernel signals when the ring has completions, or work to run */
  unsigned features;
  /* Registered files: per fd below fds_known, its place in the table + 1 (0: not there); the
   * table's places: free ones from the bottom, as a stack, released ones from the top down. */
  uint32_t *file_of_fd;
  unsigned fds_known;
  uint32_t *places;
  unsigned places_count, free_count, released_count;
} uring;

static struct io_uring *ring_of(intptr_t ring) { return &((uring *)ring)->ring; }

/* Completions are run only when the ring is entered to take them (DEFER_TASKRUN, which needs
 * SINGLE_ISSUER): the kernel never interrupts the reactor's thread at work to run one, an
 * interrupt (an IPI when it runs on another core) that cost more than the rest of a round trip
 * (bench: rescheduling interrupts per round trip). TASKRUN_FLAG tells liburing when an enter
 * has completions to run. A kernel without them (before 6.1) gets the ring without. */
enum { RUN_AT_ENTER = IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_TASKRUN_FLAG };

static int ring_init(uring *u, unsigned entries, unsigned flags) {
  /* A completion queue with room for multishot bursts. */
  struct io_uring_params params = {
      .flags = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL | flags,
      .cq_entries = entries * 4,
  };
  int rc = io_uring_queue_init_params(entries, &u->ring, &params);
  u->features = params.features;
  return rc;
}

int os_uring_open(unsigned entries, intptr_t *out) {
  uring *u = calloc(1, sizeof *u);
  if (!u) return -ENOMEM;
  int rc = ring_init(u, entries, RUN_AT_ENTER);
  if (rc == -EINVAL) rc = ring_init(u, entries, 0);
  if (rc < 0) {
    free(u);
    return rc;
  }
  /* Each enter names the ring by its place in the thread's table, not by its fd: the kernel skips
   * the look-up of the ring's file (60-100 ns of an enter's ~500, measured with nops). Only the
   * ring's thread enters it (SINGLE_ISSUER), the thread that registers it here. A refusal (a
   * kernel before 5.18, or a thread with 16 rings registered already) leaves enters naming the fd. */
  io_uring_register_ring_fd(&u->ring);
  /* Another thread waits for the ring's news on this (os_uring_await): only the ring's issuer
   * may enter it to wait. */
  u->news_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  rc = u->news_fd < 0 ? -errno : io_uring_register_eventfd(&u->ring, u->news_fd);
  if (rc < 0) {
    os_uring_shut((intptr_t)u);
    return rc;
  }
  *out = (intptr_t)u;
  return 0;
}

void os_uring_shut(intptr_t ring) {
  uring *u = (uring *)ring;
  io_uring_queue_exit(&u->ring);
  if (u->news_fd >= 0) close(u->news_fd);
  if (u->buffers) munmap(u->buffers, u->buffers_bytes);
  free(u->file_of_fd);
  free(u->places);
  free(u);
}

int os_uring_files_open(intptr_t ring, unsigned count) {
  uring *u = (uring *)ring;
  if (!(u->features & FEAT_FILES_FREED_ALONE)) return 0;
  /* No process has more sockets open than its limit of open files, nor can the table. */
  struct rlimit open_max;
  if (getrlimit(RLIMIT_NOFILE, &open_max) == 0 && open_max.rlim_cur < count) count = (unsigned)open_max.rlim_cur;
  u->places = calloc(count, sizeof *u->places);
  if (!u->places) return -ENOMEM;
  /* A table the kernel refuses leaves fds named as usual. */
  if (io_uring_register_files_sparse(&u->ring, count) < 0) return 0;
  for (unsigned i = 0; i < count; i++) u->places[i] = count - 1 - i;
  u->places_count = count;
  u->free_count = count;
  return 0;
}

void os_uring_file_register(intptr_t ring, int fd) {
  uring *u = (uring *)ring;
  if (fd < 0 || u->free_count == 0) return;
  if ((unsigned)fd >= u->fds_known) {
    unsigned known = u->fds_known ? u->fds_known : 64;
    while (known <= (unsigned)fd) known *= 2;
    uint32_t *grown = realloc(u->file_of_fd, known * sizeof *grown);
    if (!grown) return;
    for (unsigned i = u->fds_known; i < known; i++) grown[i] = 0;
    u->file_of_fd = grown;
    u->fds_known = known;
  }
  if (u->file_of_fd[fd]) return;
  uint32_t place = u->places[--u->free_count];
  if (io_uring_register_files_update(&u->ring, place, &fd, 1) < 0) {
    u->free_count++;
    return;
  }
  u->file_of_fd[fd] = place + 1;
}

void os_uring_file_release(intptr_t ring, int fd) {
  uring *u = (uring *)ring;
  if (fd < 0 || (unsigned)fd >= u->fds_known || !u->file_of_fd[fd]) return;
  u->places[u->places_count - 1 - u->released_count++] = u->file_of_fd[fd] - 1;
  u->file_of_fd[fd] = 0;
}

void os_uring_files_retire(intptr_t ring) {
  uring *u = (uring *)ring;
  int none = -1;
  for (; u->released_count > 0; u->released_count--) {
    uint32_t place = u->places[u->places_count - u->released_count];
    io_uring_register_files_update(&u->ring, place, &none, 1);
    u->places[u->free_count++] = place;
  }
}

/* A submission for fd names its place in the table when it has one. */
static void name_file(uring *u, struct io_uring_sqe *sqe, int fd) {
  if (fd < 0 || (unsigned)fd >= u->fds_known || !u->file_of_fd[fd]) return;
  sqe->fd = (int)(u->file_of_fd[fd] - 1);
  sqe->flags |= IOSQE_FIXED_FILE;
}

int os_uring_buffers_open(intptr_t ring, unsigned entries) {
  uring *u = (uring *)ring;
  size_t bytes = entries * sizeof(struct io_uring_buf);
  void *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  if (mem == MAP_FAILED) return -errno;
  struct io_uring_buf_reg reg = {.ring_addr = (uint64_t)(uintptr_t)mem, .ring_entries = entries, .bgid = BUFFER_GROUP};
  int rc = io_uring_register_buf_ring(&u->ring, &reg, 0);
  if (rc < 0) {
    munmap(mem, bytes);
    return rc;
  }
  u->buffers = mem;
  u->buffers_bytes = bytes;
  u->buffers_mask = (unsigned)io_uring_buf_ring_mask(entries);
  io_uring_buf_ring_init(u->buffers);
  return 0;
}

void os_uring_buffer_add(intptr_t ring, void *buf, uint32_t len, uint32_t id) {
  uring *u = (uring *)ring;
  io_uring_buf_ring_add(u->buffers, buf, len, (unsigned short)id, (int)u->buffers_mask, 0);
  io_uring_buf_ring_advance(u->buffers, 1);
}

void os_uring_buffers_drop(intptr_t ring, unsigned count) {
  uring *u = (uring *)ring;
  io_uring_smp_store_release(&u->buffers->tail, (unsigned short)(u->buffers->tail - count));
}

/* A full submission queue goes to the kernel ahead of the wait, making room. */
static struct io_uring_sqe *next_sqe(struct io_uring *ring) {
  struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
  if (sqe) return sqe;
  io_uring_submit(ring);
  return io_uring_get_sqe(ring);
}

#define WITH_SQE(ring, fd, tag, prep)                                                                                  \
  do {                                                                                                                 \
    struct io_uring_sqe *sqe = next_sqe(ring_of(ring));                                                                \
    if (!sqe) return -EBUSY;                                                                                           \
    prep;                                                                                                              \
    name_file((uring *)(ring), sqe, fd);                                                                               \
    io_uring_sqe_set_data64(sqe, tag);                                                                                 \
    return 0;                                                                                                          \
  } while (0)

int os_uring_reserve(intptr_t ring, unsigned count) {
  struct io_uring *r = ring_of(ring);
  if (count > r->sq.ring_entries) return -EINVAL;
  if (io_uring_sq_space_left(r) >= count) return 0;
  int rc = io_uring_submit(r);
  if (rc < 0) return rc;
  return io_uring_sq_space_left(r) >= count ? 0 : -EBUSY;
}

int os_uring_send(intptr_t ring, int fd, const void *buf, uint32_t len, int linked, uint64_t tag) {
  WITH_SQE(ring, fd, tag, {
    io_uring_prep_send(sqe, fd, buf, len, MSG_NOSIGNAL | MSG_WAITALL);
    if (linked) io_uring_sqe_set_flags(sqe, IOSQE_IO_LINK);
  });
}

int os_uring_accept_multishot(intptr_t ring, int fd, uint64_t tag) {
  WITH_SQE(ring, fd, tag, io_uring_prep_multishot_accept(sqe, fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
}

int os_uring_poll(intptr_t ring, int fd, uint32_t events, int multishot, uint64_t tag) {
  WITH_SQE(ring, fd, tag,
           multishot ? io_uring_prep_poll_multishot(sqe, fd, events) : io_uring_prep_poll_add(sqe, fd, events));
}

int os_uring_cancel(intptr_t ring, uint64_t target, uint64_t tag) {
  WITH_SQE(ring, -1, tag, io_uring_prep_cancel64(sqe, target, IORING_ASYNC_CANCEL_ALL));
}

int os_uring_recv(intptr_t ring, int fd, uint32_t len, uint64_t tag) {
  WITH_SQE(ring, fd, tag, {
    io_uring_prep_recv(sqe, fd, NULL, len, MSG_DONTWAIT);
    io_uring_sqe_set_flags(sqe, IOSQE_BUFFER_SELECT);
    sqe->buf_group = BUFFER_GROUP;
  });
}

/* Submits what is queued, then runs the ring's task work (the next part of a chain, what became
 * ready) while the kernel flags some and fewer than `want` completions are there: each enter for
 * events runs what is queued, and a plain submit leaves all but the first step to later enters.
 * (A zero timeout with `want` as the least to wait for does it in one call, but the kernel then
 * sleeps on its expired timer: the echo server's context switches per round trip fell by a third
 * without it.) The flag can outlive the work it announced (the kernel sets it after queueing
 * work that the ring's thread may already have run): a run that completes nothing ends the loop,
 * which otherwise spins until more work comes (a slow server, under callgrind, spun ~12,000
 * enters per wait). Nothing to do: no system call. */
static int submit_and_run(struct io_uring *r, unsigned want) {
  int rc = io_uring_submit(r);
  unsigned ready = io_uring_cq_ready(r);
  while (rc >= 0 && ready < want && (IO_URING_READ_ONCE(*r->sq.kflags) & IORING_SQ_TASKRUN)) {
    unsigned before = ready;
    rc = io_uring_get_events(r);
    ready = io_uring_cq_ready(r);
    if (ready == before) break;
  }
  return rc;
}

int os_uring_enter(intptr_t ring, os_uring_cqe *out, int max, int timeout_ms) {
  struct io_uring *r = ring_of(ring);
  struct io_uring_cqe *cqe;
  int rc;
  /* Completions already in the ring need no wait. */
  if (timeout_ms == 0 || io_uring_cq_ready(r) > 0) {
    rc = submit_and_run(r, (unsigned)(max < OS_URING_BATCH_MAX ? max : OS_URING_BATCH_MAX));
  } else if (timeout_ms < 0) {
    rc = io_uring_submit_and_wait(r, 1);
  } else {
    struct __kernel_timespec ts = {.tv_sec = timeout_ms / 1000, .tv_nsec = (long long)(timeout_ms % 1000) * 1000000};
    rc = io_uring_submit_and_wait_timeout(r, &cqe, 1, &ts, NULL);
    if (rc == -ETIME) rc = 0;
  }
  if (rc < 0 && rc != -EBUSY) return rc; /* EBUSY: the completion queue is full; drain it */
  struct io_uring_cqe *ready[OS_URING_BATCH_MAX];
  unsigned n = io_uring_peek_batch_cqe(r, ready, (unsigned)(max < OS_URING_BATCH_MAX ? max : OS_URING_BATCH_MAX));
  for (unsigned i = 0; i < n; i++) {
    out[i].tag = io_uring_cqe_get_data64(ready[i]);
    out[i].res = ready[i]->res;
    out[i].flags = ready[i]->flags;
  }
  io_uring_cq_advance(r, n);
  return (int)n;
}

void os_uring_accepted(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int os_uring_await(intptr_t ring, int wake_fd, int timeout_ms) {
  uring *u = (uring *)ring;
  /* News the last enter left behind (no room to take it all) signals nothing new. */
  if (io_uring_cq_ready(&u->ring) > 0 || (IO_URING_READ_ONCE(*u->ring.sq.kflags) & IORING_SQ_TASKRUN)) return 1;
  struct pollfd fds[2] = {{.fd = u->news_fd, .events = POLLIN}, {.fd = wake_fd, .events = POLLIN}};
  int n = poll(fds, 2, timeout_ms);
  if (n < 0) return -errno;
  uint64_t count;
  if (fds[0].revents && read(u->news_fd, &count, sizeof count) < 0 && errno != EAGAIN) return -errno;
  return n;
}
