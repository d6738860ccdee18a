/* The Windows OS calls the IOCP shim (iocp.c) makes, and nothing else. os_win32.c answers them
 * with Win32 (a completion port, overlapped WSARecv/WSASend/AcceptEx, GetQueuedCompletionStatusEx);
 * the simulation answers them with its simulated kernel, so one iocp.c runs in both.
 *
 * Handles are the reactor's fd numbers (a SOCKET fits in 32 bits; stdin is fd 0). Every posted
 * operation carries an `op` id chosen by the shim (a context id, below `max_ops`); the OS side
 * keeps the OVERLAPPED for it. A post that returns 0 will produce exactly one completion, even
 * when the operation finished at once; a post that returns an error code produces none.
 * Error codes are positive Win32/WSA numbers (OS_WIN_* in seam.h), 0 is success. */
#ifndef IO_REACTOR_OS_IOCP_H
#define IO_REACTOR_OS_IOCP_H
#include <stdint.h>
#include "common/seam.h"

/* Completions one os_iocp_wait takes at most; more stay in the port for the next call. */
#define OS_IOCP_BATCH_MAX 256

/* The op id of a wakeup posted with os_iocp_post. */
#define OS_IOCP_WAKE_OP 0xffffffffu

typedef struct os_completion {
  uint32_t op;      /* the id given at post, or OS_IOCP_WAKE_OP */
  uint32_t bytes;   /* bytes transferred */
  uint32_t error;   /* 0, or the Win32 code GetQueuedCompletionStatusEx's entry reported */
  int32_t accepted; /* accepts: the new socket's fd, else -1 */
} os_completion;

/* A completion port for up to max_ops operations in flight at once; concurrency 1. */
int os_iocp_open(int max_ops, intptr_t *port);
void os_iocp_shut(intptr_t port);

/* Associates fd with the port, once per fd. `stream`: a pipe or console (stdin), which the OS
 * side may serve with a reader thread that posts its completions, rather than overlapped I/O. */
int os_iocp_associate(intptr_t port, int fd, int stream);
/* Forgets fd: cancels what is in flight on it (each still completes, typically with 995). */
int os_iocp_dissociate(intptr_t port, int fd);

/* len 0: a zero-byte receive, which completes (0 bytes, no error) once fd has data or its end. */
int os_iocp_recv(intptr_t port, int fd, void *buf, uint32_t len, uint32_t op);
/* A receive now, without blocking: bytes (0 at end of stream), or -code (-WSAEWOULDBLOCK: none). */
int os_iocp_recv_now(intptr_t port, int fd, void *buf, uint32_t len);
int os_iocp_send(intptr_t port, int fd, const void *buf, uint32_t len, uint32_t op);
/* AcceptEx with a fresh socket; the completion's `accepted` names it, ready to use. */
int os_iocp_accept(intptr_t port, int listener, uint32_t op);

/* PostQueuedCompletionStatus of a wakeup; callable from any thread. */
int os_iocp_post(intptr_t port);
/* GetQueuedCompletionStatusEx: up to max completions, waiting up to timeout_ms (-1 forever).
 * max is at most OS_IOCP_BATCH_MAX. Returns the count (0 on timeout), or -code. */
int os_iocp_wait(intptr_t port, os_completion *out, int max, int timeout_ms);
#endif
