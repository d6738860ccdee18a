// Named limits and defaults. The maxima are the core's own (src/seam.ts, generated).
export { MAX_POOL_SIZE, MIN_BUFFER_SIZE, MAX_BUFFER_SIZE, MAX_SOCKETS_LIMIT, MAX_EVENTS_PER_WAIT } from './seam.js';
export const DEFAULT_POOL_SIZE = 256;
export const DEFAULT_BUFFER_SIZE = 2048;
export const DEFAULT_MAX_SOCKETS = 65536;
export const DEFAULT_MAX_EVENTS = 1024;
/** Bytes of postWrite data a reactor keeps queued while the pool has no free contexts for them. */
export const DEFAULT_MAX_QUEUED_WRITE_BYTES = 1 << 20;
export const MAX_QUEUED_WRITE_BYTES_LIMIT = 2 ** 31 - 1;
/** Largest fd value accepted (i32 range); the count of fds is limited by maxSockets. */
export const MAX_FD = 0x7fffffff;
/** Largest single `os.recv`. */
export const MAX_RECV_BYTES = 1 << 20;
export const DEFAULT_RECV_BYTES = 65536;
export const DEFAULT_BACKLOG = 511;
