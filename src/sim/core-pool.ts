// Simulated reactors' cores, reused: a 1000-host simulation opens a reactor per host, and a fresh
// core instance (its memory reserved, grown, later collected) cost more than the host's whole run.
// A destroyed reactor's core comes back here (Backend.releaseCore) and the next reactor of the
// same sizes takes it, reset to exactly what a fresh instance holds.
import { instantiateCore, type CoreExports, type CoreSizes } from '../core.js';

interface Pool {
  free: CoreExports[];
  /**
   * A fresh instance's memory below its request ring, once planned: the static data and every
   * region the core reads before writing it. The rings and buffers above are written before
   * they are read (count-delimited), so a reused core need not clear them.
   */
  pristine: Uint8Array;
}

/** By sizes, per thread: instances cannot cross threads. */
const pools = new Map<string, Pool>();
/** Each core's pool, for its release. */
const poolOf = new WeakMap<CoreExports, Pool>();

const keyOf = (sizes: CoreSizes): string => `${sizes.poolSize} ${sizes.bufferSize} ${sizes.maxSockets}`;

/** A core planned for `sizes`: a released one reset, else a fresh instance; null when they do not fit. */
export async function takeCore(sizes: CoreSizes): Promise<CoreExports | null> {
  const key = keyOf(sizes);
  const pool = pools.get(key);
  const reused = pool?.free.pop();
  if (pool && reused) {
    reused.plan(sizes.poolSize, sizes.bufferSize, sizes.maxSockets);
    new Uint8Array(reused.memory.buffer).set(pool.pristine);
    return reused;
  }
  const core = await instantiateCore(sizes);
  if (!core) return null;
  let home = pools.get(key);
  if (!home) pools.set(key, (home = { free: [], pristine: new Uint8Array(core.memory.buffer, 0, core.requestsAt()).slice() }));
  poolOf.set(core, home);
  return core;
}

/** A destroyed reactor's core, which nothing touches any more. */
export function releaseCore(core: CoreExports): void {
  poolOf.get(core)?.free.push(core);
}
