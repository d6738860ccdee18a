// A net stack: the loop whose reactor serves its sockets, and how it turns host names into
// addresses (the DNS natively; on a simulated host, the simulation's host names are addresses).
import { isIP } from 'node:net';
import { lookup } from 'node:dns';
import type { NetLoop } from './loop.js';
import { systemError } from './errors.js';

export interface NetStack {
  readonly loop: NetLoop;
  /** The address to connect to for `host`; errors as Node's (ENOTFOUND, syscall getaddrinfo). */
  resolve(host: string, done: (error: Error | null, address?: string) => void): void;
  /** The address a server listens on when none is given. */
  readonly anyAddress: string;
}

/** Native: IP literals as they are, names through the system resolver as Node does. */
export function resolveNative(host: string, done: (error: Error | null, address?: string) => void): void {
  if (isIP(host) !== 0) {
    process.nextTick(done, null, host);
    return;
  }
  lookup(host, { family: 0 }, (error, address) => {
    if (error) done(systemError('getaddrinfo', (error as NodeJS.ErrnoException).code ?? 'ENOTFOUND', host));
    else done(null, address);
  });
}
