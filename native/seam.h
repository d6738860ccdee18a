/* The core⇄shim seam: entry layout and numbers shared with assembly/constants.ts. */
#ifndef IO_REACTOR_SEAM_H
#define IO_REACTOR_SEAM_H
#include <stdint.h>

enum { MODEL_READINESS = 0, MODEL_COMPLETION = 1 };
enum { MECH_EPOLL = 0, MECH_POLL = 1, MECH_IOCP = 2, MECH_IO_URING = 3 };
enum { KIND_SOCKET = 0, KIND_LISTENER = 1, KIND_STREAM = 2 };
enum { EV_READ = 1, EV_WRITE = 2 };
enum { REQ_NONE = 0, REQ_ADD = 1, REQ_MODIFY = 2, REQ_REMOVE = 3, REQ_RECV = 4, REQ_SEND = 5, REQ_ACCEPT = 6, REQ_CLOSE = 7 };
enum { RES_READY = 1, RES_COMPLETE = 2, RES_ADD_FAILED = 3 };

/* A request (core → shim). `target` is a context id for I/O, a slot for add/modify/remove;
 * `ptr` is an offset into the core's memory. For REQ_ADD, `len` carries the fd kind. */
typedef struct seam_request {
  int32_t kind, fd, target, ptr, len, mask, gen, reserved;
} seam_request;

/* A raw result (shim → core): revents or bytes in `value`, the OS error code untranslated. */
typedef struct seam_result {
  int32_t kind, fd, target, value, os_code, accepted, gen, reserved;
} seam_result;

#endif
