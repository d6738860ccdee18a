// The door to the simulator: the API's only way in, so that `import 'io-reactor'` loads no
// simulator code. Reactor.create({ backend: 'sim' }) fetches the simulated backend with import()
// here, on first use; wakeup(token) finds simulated reactors by the tokens their shims take here.
import type { Backend, NativeShim } from './backend.js';
import type { ResolvedOptions } from './options.js';

/** The one host of a reactor created alone with backend 'sim' (no Simulation around it). */
export const LONE_SIM_HOST = 'localhost';

/** Reactor.create({ backend: 'sim' }): a simulated network of its own, with one host. */
export async function openLoneSimBackend(options: ResolvedOptions): Promise<Backend> {
  const sim = await import('./sim/backend.js');
  return sim.loneBackend(options);
}

// Simulated reactors' wakeup tokens: above the native ones, reachable from their own thread.
const FIRST_SIM_TOKEN = 0x80000000;
let nextToken = FIRST_SIM_TOKEN;
const byToken = new Map<number, Pick<NativeShim, 'wakeup'>>();

/** A wakeup token for a simulated shim; it answers wakeup(token) once it is `listed`. */
export function simulatedToken(): number {
  return nextToken++;
}

export function listSimulated(token: number, shim: Pick<NativeShim, 'wakeup'>): void {
  byToken.set(token, shim);
}

export function unlistSimulated(token: number): void {
  byToken.delete(token);
}

/** wakeup(token) for a simulated reactor: true/false, or undefined if the token is not one. */
export function wakeSimulated(token: number): boolean | undefined {
  if (token < FIRST_SIM_TOKEN) return undefined;
  const shim = byToken.get(token);
  return shim !== undefined && shim.wakeup() === 0;
}
