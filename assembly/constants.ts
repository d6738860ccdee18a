// Numbers shared with the shim and the TypeScript layer. native/seam.h and src/seam.ts mirror them.

// Event flags (Neolith's, OR-able), plus ACCEPT for completed accepts.
export const EV_READ: i32 = 1;
export const EV_WRITE: i32 = 2;
export const EV_ERROR: i32 = 4;
export const EV_CLOSE: i32 = 8;
export const EV_ACCEPT: i32 = 16;

export const MODEL_READINESS: i32 = 0;
export const MODEL_COMPLETION: i32 = 1;

export const MECH_EPOLL: i32 = 0;
export const MECH_POLL: i32 = 1;
export const MECH_IOCP: i32 = 2;
export const MECH_IO_URING: i32 = 3;

// Which numbering the shim's raw error codes use.
export const CODES_ERRNO: i32 = 0;
export const CODES_WIN32: i32 = 1;

// What an added fd is, as the shim saw it.
export const KIND_SOCKET: i32 = 0;
export const KIND_LISTENER: i32 = 1;
export const KIND_STREAM: i32 = 2; // pipe, tty, regular file: read()/write(), never recv()

// Operations a context can carry.
export const OP_RECV: i32 = 1;
export const OP_SEND: i32 = 2;
export const OP_ACCEPT: i32 = 3;

// Request kinds (core → shim).
export const REQ_NONE: i32 = 0;   // withdrawn before the shim saw it
export const REQ_ADD: i32 = 1;
export const REQ_MODIFY: i32 = 2;
export const REQ_REMOVE: i32 = 3;
export const REQ_RECV: i32 = 4;
export const REQ_SEND: i32 = 5;
export const REQ_ACCEPT: i32 = 6;
export const REQ_CLOSE: i32 = 7;  // an accepted fd nobody will ever see

// Result kinds (shim → core).
export const RES_READY: i32 = 1;
export const RES_COMPLETE: i32 = 2;
export const RES_ADD_FAILED: i32 = 3;

// Return codes of core calls; src/errors.ts turns them into ReactorError.
export const OK: i32 = 0;
export const ERR_EXIST: i32 = -1;
export const ERR_NOENT: i32 = -2;
export const ERR_BADF: i32 = -3;
export const ERR_INVAL: i32 = -4;
export const ERR_NOSPC: i32 = -5;
export const ERR_NOBUFS: i32 = -6;
export const ERR_REQUESTS_FULL: i32 = -7;
