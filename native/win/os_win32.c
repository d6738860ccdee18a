/* The IOCP shim's OS calls (os_iocp.h, and os_close/os_now_ms of os.h) answered by Win32: one
 * completion port, an OVERLAPPED per op id, overlapped WSARecv/WSASend/AcceptEx, and for stdin
 * (a pipe or console cannot be read overlapped portably) a reader thread that posts each
 * completion to the port that posted the read. */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <mswsock.h>
#include <windows.h>
#include <winternl.h>
#include <io.h>
#include <stdlib.h>
#include <string.h>
#include "common/os.h"
#include "os_iocp.h"
#include "common/sockets.h"
#include "sockets_win32.h"

/* Bytes a stream's reader holds between reads; what the op's buffer cannot take stays here. */
#define WIN32_STREAM_BUFFER_BYTES 4096
/* How long shut waits for cancelled socket operations to complete before freeing their memory. */
#define WIN32_SHUT_DRAIN_MS 2000

enum { KEY_SOCKET = 0, KEY_WAKE = 1, KEY_STREAM = 2 };

/* AcceptEx writes both addresses after the data, each with 16 bytes of slack. */
#define ACCEPT_ADDRESS_BYTES (sizeof(SOCKADDR_STORAGE) + 16)

typedef struct win_op {
  OVERLAPPED ov;
  SOCKET socket; /* what a socket operation in flight runs on */
  int in_flight;
  SOCKET accepted; /* AcceptEx's fresh socket, INVALID_SOCKET otherwise */
  SOCKET listener;
  uint32_t stream_error; /* set by the stdin reader for its own completions */
  char addresses[2 * ACCEPT_ADDRESS_BYTES];
} win_op;

struct win_port;

/* A stream (stdin) has one reader thread for the life of the process, shared by every port that
 * reads it: a reactor that goes away neither takes bytes already read with it nor leaves a thread
 * reading for nobody. One read is posted at a time, into the posting port's op. */
typedef struct win_stream {
  struct win_stream *next;
  CRITICAL_SECTION lock;
  CONDITION_VARIABLE changed;
  HANDLE handle;
  int fd, ended;
  uint32_t end_error;     /* why reading stopped: ERROR_HANDLE_EOF, or what ReadFile said */
  struct win_port *owner; /* the port of the posted read, NULL when none is posted */
  uint32_t op, len;
  uint8_t *buf;
  uint32_t held; /* bytes read ahead of a request (kept, never dropped) */
  uint8_t data[WIN32_STREAM_BUFFER_BYTES];
} win_stream;

static SRWLOCK streams_lock = SRWLOCK_INIT;
static win_stream *streams;

typedef struct win_port {
  HANDLE iocp;
  int max_ops;
  int in_flight; /* socket operations posted and not yet harvested */
  win_op *ops;
} win_port;

static win_port *port_of(intptr_t port) { return (win_port *)port; }

/* Which port each socket was bound to. Windows binds a handle to one completion port for life
 * and refuses a second binding without saying whose the first is: this tells a re-add to the
 * same port (fine) from a move to another, whose completions would still go to the first
 * (refused; Wine has no FileReplaceCompletionInformation to unbind). A socket that reuses a
 * closed one's handle value binds afresh and overwrites its entry. */
#define WIN32_BOUND_BUCKETS 1024

typedef struct win_bound {
  struct win_bound *next;
  SOCKET socket;
  win_port *port;
} win_bound;

static SRWLOCK bound_lock = SRWLOCK_INIT;
static win_bound *bound[WIN32_BOUND_BUCKETS];

/* Handle values are multiples of 4. */
static win_bound **bound_bucket(SOCKET s) { return &bound[(s / 4) % WIN32_BOUND_BUCKETS]; }

static int bound_set(SOCKET s, win_port *p) {
  AcquireSRWLockExclusive(&bound_lock);
  win_bound *b = *bound_bucket(s);
  while (b && b->socket != s) b = b->next;
  if (!b && (b = malloc(sizeof *b))) {
    b->socket = s;
    b->next = *bound_bucket(s);
    *bound_bucket(s) = b;
  }
  if (b) b->port = p;
  ReleaseSRWLockExclusive(&bound_lock);
  return b ? 0 : OS_WIN_ERROR_NOT_ENOUGH_MEMORY;
}

static win_port *bound_port(SOCKET s) {
  AcquireSRWLockShared(&bound_lock);
  win_bound *b = *bound_bucket(s);
  while (b && b->socket != s) b = b->next;
  win_port *p = b ? b->port : NULL;
  ReleaseSRWLockShared(&bound_lock);
  return p;
}

/* A shut port's sockets stay bound to its dead handle: no later port may take them. */
static void bound_forget(win_port *p) {
  AcquireSRWLockExclusive(&bound_lock);
  for (int i = 0; i < WIN32_BOUND_BUCKETS; i++) {
    for (win_bound **at = &bound[i]; *at;) {
      win_bound *b = *at;
      if (b->port != p) {
        at = &b->next;
        continue;
      }
      *at = b->next;
      free(b);
    }
  }
  ReleaseSRWLockExclusive(&bound_lock);
}

static uint32_t ntstatus_to_win32(ULONG_PTR status) { return (uint32_t)RtlNtStatusToDosError((NTSTATUS)status); }

int os_iocp_open(int max_ops, intptr_t *port) {
  if (winsock_ready() != 0) return OS_WIN_WSAENOBUFS;
  win_port *p = calloc(1, sizeof *p);
  win_op *ops = calloc((size_t)max_ops, sizeof *ops);
  HANDLE iocp = p && ops ? CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1) : NULL;
  if (!iocp) {
    uint32_t err = p && ops ? GetLastError() : OS_WIN_ERROR_NOT_ENOUGH_MEMORY;
    free(ops);
    free(p);
    return (int)err;
  }
  for (int i = 0; i < max_ops; i++) ops[i].accepted = INVALID_SOCKET;
  p->iocp = iocp;
  p->max_ops = max_ops;
  p->ops = ops;
  *port = (intptr_t)p;
  return 0;
}

/* ---- streams: a reader thread each ---------------------------------------------------------- */

static HANDLE stream_handle(int fd) { return fd == 0 ? GetStdHandle(STD_INPUT_HANDLE) : (HANDLE)_get_osfhandle(fd); }

/* The stream for fd, if it was associated as one (and fd still names the same handle). */
static win_stream *stream_of(int fd) {
  AcquireSRWLockShared(&streams_lock);
  win_stream *st = streams;
  while (st && st->fd != fd) st = st->next;
  ReleaseSRWLockShared(&streams_lock);
  return st && st->handle == stream_handle(fd) ? st : NULL;
}

/* Under the lock: completes the posted read from held bytes, or with the end of the stream. */
static void stream_deliver(win_stream *st) {
  if (!st->owner || (st->held == 0 && !st->ended)) return;
  uint32_t n = st->held < st->len ? st->held : st->len;
  memcpy(st->buf, st->data, n);
  memmove(st->data, st->data + n, st->held - n);
  st->held -= n;
  win_op *op = &st->owner->ops[st->op];
  op->stream_error = n == 0 && st->end_error != ERROR_HANDLE_EOF ? st->end_error : 0;
  PostQueuedCompletionStatus(st->owner->iocp, n, KEY_STREAM, &op->ov);
  st->owner = NULL;
}

static DWORD WINAPI stream_reader(void *arg) {
  win_stream *st = arg;
  EnterCriticalSection(&st->lock);
  while (!st->ended) {
    /* Read only for a posted read: bytes nobody asked for stay in the pipe. */
    if (!st->owner || st->held > 0) {
      SleepConditionVariableCS(&st->changed, &st->lock, INFINITE);
      continue;
    }
    LeaveCriticalSection(&st->lock);
    DWORD n = 0;
    BOOL ok = ReadFile(st->handle, st->data, sizeof st->data, &n, NULL);
    DWORD err = ok ? 0 : GetLastError();
    EnterCriticalSection(&st->lock);
    if (ok && n == 0) {
      st->ended = 1;
      st->end_error = ERROR_HANDLE_EOF;
    } else if (!ok) {
      st->ended = 1;
      st->end_error = err == ERROR_BROKEN_PIPE ? ERROR_HANDLE_EOF : err;
    }
    st->held = n;
    stream_deliver(st);
  }
  LeaveCriticalSection(&st->lock);
  return 0;
}

static int stream_open(int fd) {
  if (stream_of(fd)) return 0;
  HANDLE h = stream_handle(fd);
  if (h == INVALID_HANDLE_VALUE || h == NULL) return OS_WIN_ERROR_INVALID_HANDLE;
  win_stream *st = calloc(1, sizeof *st);
  if (!st) return OS_WIN_ERROR_NOT_ENOUGH_MEMORY;
  InitializeCriticalSection(&st->lock);
  InitializeConditionVariable(&st->changed);
  st->handle = h;
  st->fd = fd;
  HANDLE thread = CreateThread(NULL, 64 * 1024, stream_reader, st, 0, NULL);
  if (!thread) {
    DeleteCriticalSection(&st->lock);
    free(st);
    return (int)GetLastError();
  }
  CloseHandle(thread);
  AcquireSRWLockExclusive(&streams_lock);
  st->next = streams;
  streams = st;
  ReleaseSRWLockExclusive(&streams_lock);
  return 0;
}

static int stream_recv(win_port *p, win_stream *st, void *buf, uint32_t len, uint32_t op) {
  EnterCriticalSection(&st->lock);
  int busy = st->owner != NULL;
  if (!busy) {
    st->owner = p;
    st->buf = buf;
    st->len = len;
    st->op = op;
    stream_deliver(st);
  }
  LeaveCriticalSection(&st->lock);
  WakeConditionVariable(&st->changed);
  return busy ? OS_WIN_ERROR_INVALID_PARAMETER : 0;
}

/* Takes what the reader holds, without waiting: a zero-byte read's completion said it is there. */
static int stream_recv_now(win_stream *st, void *buf, uint32_t len) {
  EnterCriticalSection(&st->lock);
  int n;
  if (st->held > 0) {
    n = (int)(st->held < len ? st->held : len);
    memcpy(buf, st->data, (size_t)n);
    memmove(st->data, st->data + n, st->held - (uint32_t)n);
    st->held -= (uint32_t)n;
  } else if (st->ended) {
    n = st->end_error == ERROR_HANDLE_EOF ? 0 : -(int)st->end_error;
  } else {
    n = -OS_WIN_WSAEWOULDBLOCK;
  }
  LeaveCriticalSection(&st->lock);
  WakeConditionVariable(&st->changed);
  return n;
}

/* A posted read still waiting completes as aborted (or, with `quietly`, is just forgotten);
 * bytes the thread reads later are kept for the next read. */
static int stream_cancel(win_port *p, win_stream *st, int quietly) {
  EnterCriticalSection(&st->lock);
  int found = st->owner == p;
  if (found && !quietly) {
    win_op *op = &p->ops[st->op];
    op->stream_error = OS_WIN_ERROR_OPERATION_ABORTED;
    PostQueuedCompletionStatus(p->iocp, 0, KEY_STREAM, &op->ov);
  }
  if (found) st->owner = NULL;
  LeaveCriticalSection(&st->lock);
  return found ? 0 : OS_WIN_ERROR_NOT_FOUND;
}

/* ---- sockets ------------------------------------------------------------------------------- */

int os_iocp_associate(intptr_t port, int fd, int stream) {
  win_port *p = port_of(port);
  if (stream) return stream_open(fd);
  SOCKET s = (SOCKET)fd;
  if (CreateIoCompletionPort((HANDLE)s, p->iocp, KEY_SOCKET, 0)) return bound_set(s, p);
  DWORD err = GetLastError();
  if (err != ERROR_INVALID_PARAMETER) return (int)err;
  return bound_port(s) == p ? 0 : OS_WIN_ERROR_INVALID_PARAMETER;
}

int os_iocp_dissociate(intptr_t port, int fd) {
  win_port *p = port_of(port);
  win_stream *st = stream_of(fd);
  if (st) {
    stream_cancel(p, st, 0);
    return 0;
  }
  if (CancelIoEx((HANDLE)(uintptr_t)fd, NULL)) return 0;
  DWORD err = GetLastError();
  return err == ERROR_NOT_FOUND ? 0 : (int)err;
}

static win_op *fresh_op(win_port *p, uint32_t op, int fd) {
  win_op *o = &p->ops[op];
  memset(&o->ov, 0, sizeof o->ov);
  o->socket = (SOCKET)fd;
  o->accepted = INVALID_SOCKET;
  o->stream_error = 0;
  return o;
}

/* WSA calls either pend or fail; a call that finished at once still queues its completion. */
static int posted(win_port *p, win_op *o, int rc) {
  int err = rc == 0 ? 0 : WSAGetLastError();
  if (err == WSA_IO_PENDING) err = 0;
  if (err == 0) {
    o->in_flight = 1;
    p->in_flight++;
  }
  return err;
}

int os_iocp_recv(intptr_t port, int fd, void *buf, uint32_t len, uint32_t op) {
  win_port *p = port_of(port);
  if (op >= (uint32_t)p->max_ops) return OS_WIN_ERROR_INVALID_PARAMETER;
  win_stream *st = stream_of(fd);
  if (st) return stream_recv(p, st, buf, len, op);
  win_op *o = fresh_op(p, op, fd);
  WSABUF b = {.len = len, .buf = buf};
  DWORD flags = 0;
  return posted(p, o, WSARecv((SOCKET)fd, &b, 1, NULL, &flags, &o->ov, NULL));
}

/* Sockets are non-blocking (sockets_win.c makes them so, and adopts accepted ones). */
int os_iocp_recv_now(intptr_t port, int fd, void *buf, uint32_t len) {
  (void)port;
  win_stream *st = stream_of(fd);
  if (st) return stream_recv_now(st, buf, len);
  int n = recv((SOCKET)fd, buf, (int)len, 0);
  return n >= 0 ? n : -WSAGetLastError();
}

int os_iocp_send(intptr_t port, int fd, const void *buf, uint32_t len, uint32_t op) {
  win_port *p = port_of(port);
  if (op >= (uint32_t)p->max_ops) return OS_WIN_ERROR_INVALID_PARAMETER;
  win_op *o = fresh_op(p, op, fd);
  WSABUF b = {.len = len, .buf = (char *)buf};
  return posted(p, o, WSASend((SOCKET)fd, &b, 1, NULL, 0, &o->ov, NULL));
}

int os_iocp_accept(intptr_t port, int listener, uint32_t op) {
  win_port *p = port_of(port);
  if (op >= (uint32_t)p->max_ops) return OS_WIN_ERROR_INVALID_PARAMETER;
  SOCKADDR_STORAGE local;
  int local_len = sizeof local;
  if (getsockname((SOCKET)listener, (struct sockaddr *)&local, &local_len) != 0) return WSAGetLastError();
  SOCKET s =
      WSASocketW(local.ss_family, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET) return WSAGetLastError();
  win_op *o = fresh_op(p, op, listener);
  o->accepted = s;
  o->listener = (SOCKET)listener;
  DWORD bytes;
  BOOL ok = AcceptEx((SOCKET)listener, s, o->addresses, 0, ACCEPT_ADDRESS_BYTES, ACCEPT_ADDRESS_BYTES, &bytes, &o->ov);
  int err = posted(p, o, ok ? 0 : SOCKET_ERROR);
  if (err != 0) {
    closesocket(s);
    o->accepted = INVALID_SOCKET;
  }
  return err;
}

int os_iocp_post(intptr_t port) {
  return PostQueuedCompletionStatus(port_of(port)->iocp, 0, KEY_WAKE, NULL) ? 0 : (int)GetLastError();
}

/* The accepted socket becomes a full socket of its own: inherits the listener's options, joins
 * the port, sends without Nagle (interactive servers want each line out at once), and is
 * non-blocking for reactor.os's own calls, like every socket sockets_win32.c makes. */
static int32_t finish_accept(win_port *p, win_op *o, uint32_t *error) {
  SOCKET s = o->accepted;
  o->accepted = INVALID_SOCKET;
  if (*error == 0 &&
      setsockopt(s, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (char *)&o->listener, sizeof o->listener) != 0) {
    *error = (uint32_t)WSAGetLastError();
  }
  if (*error == 0 && !CreateIoCompletionPort((HANDLE)s, p->iocp, KEY_SOCKET, 0)) *error = GetLastError();
  if (*error == 0) *error = (uint32_t)bound_set(s, p);
  if (*error != 0) {
    closesocket(s);
    return -1;
  }
  sock_adopt(s);
  return (int32_t)s;
}

static void harvest_entry(win_port *p, const OVERLAPPED_ENTRY *e, os_completion *c) {
  c->accepted = -1;
  if (e->lpCompletionKey == KEY_WAKE) {
    c->op = OS_IOCP_WAKE_OP;
    c->bytes = 0;
    c->error = 0;
    return;
  }
  win_op *o = (win_op *)e->lpOverlapped;
  uintptr_t at = (uintptr_t)o - (uintptr_t)p->ops;
  if ((uintptr_t)o < (uintptr_t)p->ops || at >= (uintptr_t)p->max_ops * sizeof *o) {
    /* Not ours: an op id out of range, which iocp.c ignores. */
    c->op = (uint32_t)p->max_ops;
    c->bytes = 0;
    c->error = 0;
    return;
  }
  c->op = (uint32_t)(at / sizeof *o);
  if (o->in_flight) {
    o->in_flight = 0;
    p->in_flight--;
  }
  c->bytes = e->dwNumberOfBytesTransferred;
  c->error = e->lpCompletionKey == KEY_STREAM ? o->stream_error
             : e->lpOverlapped->Internal != 0 ? ntstatus_to_win32(e->lpOverlapped->Internal)
                                              : 0;
  if (o->accepted != INVALID_SOCKET) c->accepted = finish_accept(p, o, &c->error);
}

int os_iocp_wait(intptr_t port, os_completion *out, int max, int timeout_ms) {
  win_port *p = port_of(port);
  OVERLAPPED_ENTRY entries[OS_IOCP_BATCH_MAX];
  ULONG count = 0;
  ULONG want = (ULONG)(max < OS_IOCP_BATCH_MAX ? max : OS_IOCP_BATCH_MAX);
  DWORD timeout = timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms;
  if (!GetQueuedCompletionStatusEx(p->iocp, entries, want, &count, timeout, FALSE)) {
    DWORD err = GetLastError();
    return err == WAIT_TIMEOUT ? 0 : -(int)err;
  }
  for (ULONG i = 0; i < count; i++) harvest_entry(p, &entries[i], &out[i]);
  return (int)count;
}

/* Socket operations still in flight must not complete into freed OVERLAPPEDs (or buffers):
 * cancel them and take their completions first. */
static void drain(win_port *p) {
  for (int i = 0; i < p->max_ops; i++) {
    if (p->ops[i].in_flight) CancelIoEx((HANDLE)p->ops[i].socket, &p->ops[i].ov);
  }
  ULONGLONG end = GetTickCount64() + WIN32_SHUT_DRAIN_MS;
  os_completion c;
  while (p->in_flight > 0 && GetTickCount64() < end) {
    if (os_iocp_wait((intptr_t)p, &c, 1, (int)(end - GetTickCount64())) <= 0) break;
    if (c.accepted >= 0) closesocket((SOCKET)c.accepted);
  }
}

void os_iocp_shut(intptr_t port) {
  win_port *p = port_of(port);
  AcquireSRWLockShared(&streams_lock);
  for (win_stream *st = streams; st; st = st->next) stream_cancel(p, st, 1);
  ReleaseSRWLockShared(&streams_lock);
  drain(p);
  bound_forget(p);
  CloseHandle(p->iocp);
  free(p->ops);
  free(p);
}

int os_close(int fd) { return sock_close(fd) == 0 ? 0 : -OS_EBADF; }

double os_now_ms(void) {
  static LARGE_INTEGER frequency;
  if (frequency.QuadPart == 0) QueryPerformanceFrequency(&frequency);
  LARGE_INTEGER now;
  QueryPerformanceCounter(&now);
  return (double)now.QuadPart * 1000.0 / (double)frequency.QuadPart;
}
