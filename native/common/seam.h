/* The core⇄shim seam: entry layout and numbers shared with assembly/constants.ts. */
#ifndef IO_REACTOR_SEAM_H
#define IO_REACTOR_SEAM_H
#include <stdint.h>

enum { MODEL_READINESS = 0, MODEL_COMPLETION = 1 };
enum { MECH_EPOLL = 0, MECH_POLL = 1, MECH_IOCP = 2 };
enum { KIND_SOCKET = 0, KIND_LISTENER = 1, KIND_STREAM = 2 };
enum { EV_READ = 1, EV_WRITE = 2 };
/* REQ_RECV arms one read on a slot (no buffer yet); REQ_RESUME: buffers are back, serve the
 * slot's armed reads that found the provided ring empty. */
enum { REQ_NONE = 0, REQ_ADD = 1, REQ_MODIFY = 2, REQ_REMOVE = 3, REQ_RECV = 4, REQ_SEND = 5, REQ_ACCEPT = 6, REQ_CLOSE = 7,
       REQ_RESUME = 8 };
/* RES_RECV: an armed read ended, its bytes in provided buffer `buffer` (or -1: end of stream or
 * failure). RES_NO_BUFFER: an armed read found data and the ring empty; it waits for REQ_RESUME. */
enum { RES_READY = 1, RES_COMPLETE = 2, RES_ADD_FAILED = 3, RES_RECV = 4, RES_NO_BUFFER = 5 };

/* A request (core → shim). `target` is a context id for sends and accepts, a slot for the rest;
 * `ptr` is an offset into the core's memory. For REQ_ADD, `len` carries the fd kind. */
typedef struct seam_request {
  int32_t kind, fd, target, ptr, len, mask, gen, reserved;
} seam_request;

/* A raw result (shim → core): revents or bytes in `value`, the OS error code untranslated. */
typedef struct seam_result {
  int32_t kind, fd, target, value, os_code, accepted, gen, buffer;
} seam_result;

/* The provided-buffer ring (assembly/provided.ts), io_uring's "provided buffers" for every
 * mechanism: before each wait the core lends its free buffers here; the shim takes them in
 * order, only when the OS has data for an armed read, and names each in a RES_RECV. So a read
 * waiting on an idle connection holds no buffer. */
typedef struct seam_provided_entry {
  int32_t id, offset;   /* the buffer's context id, and where it lies in the core's memory */
} seam_provided_entry;

typedef struct seam_provided {
  int32_t count, length;          /* buffers lent for this wait, and the bytes each holds */
  seam_provided_entry entries[];
} seam_provided;

#endif
