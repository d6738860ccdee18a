// What every echo server of the benchmark shares: its command line, announcing the port to the
// driver, and the guard that ends it on its own (a deadline, or the driver gone).
import { parseArgs } from 'node:util';
import { writeSync } from 'node:fs';

export interface ServerArgs {
  mechanism: 'epoll' | 'poll' | 'io_uring';
  /** The server exits by itself after this long, whatever happens. */
  maxSeconds: number;
  /** Connections it must hold at once (sizes the completion pool). */
  maxConns: number;
  /** Bytes of each echoed message (sizes the completion model's buffers). */
  messageBytes: number;
}

export function serverArgs(): ServerArgs {
  const { values } = parseArgs({
    options: {
      mechanism: { type: 'string', default: 'epoll' },
      'max-seconds': { type: 'string', default: '60' },
      'max-conns': { type: 'string', default: '1000' },
      size: { type: 'string', default: '64' },
    },
  });
  const mechanism = values.mechanism === 'poll' || values.mechanism === 'io_uring' ? values.mechanism : 'epoll';
  return {
    mechanism,
    maxSeconds: Math.max(1, Number(values['max-seconds']) || 60),
    maxConns: Math.max(1, Number(values['max-conns']) || 1000),
    messageBytes: Math.max(1, Number(values.size) || 64),
  };
}

/** The driver waits for this line on stdout (written synchronously: the server then blocks). */
export function announcePort(port: number): void {
  writeSync(1, `PORT ${port}\n`);
}

/**
 * For servers whose loop blocks the Node event loop: call once per wait; true when the server
 * should stop (deadline passed, or the parent process is gone).
 */
export function makeStopCheck(maxSeconds: number): () => boolean {
  const deadline = Date.now() + maxSeconds * 1000;
  const parent = process.ppid;
  let nextParentCheck = 0;
  return () => {
    const now = Date.now();
    if (now >= deadline) return true;
    if (now >= nextParentCheck) {
      nextParentCheck = now + 500;
      try {
        process.kill(parent, 0);
      } catch {
        return true;
      }
    }
    return false;
  };
}
