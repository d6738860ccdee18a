// Simulated reactors' cores, reused: a 1000-host simulation opens a reactor per host, and a fresh
// core instance (its memory reserved, grown, later collected) cost more than the host's whole run.
// A destroyed reactor's core comes back here (Backend.releaseCore) and the next reactor of the
// same sizes takes it, reset to exactly what a fresh instance holds.
import { instantiateCore, type CoreExports, type CoreSizes } from '../core.js';

/** A core and a view of its memory, made once: the memory never grows, so one view serves every reset. */
interface Pooled {
  core: CoreExports;
  bytes: Uint8Array;
}

interface Pool {
  free: Pooled[];
  /**
   * A fresh instance's memory below its request ring, once planned: the static data and every
   * region the core reads before writing it. The rings and buffers above are written before
   * they are read (count-delimited), so a reused core need not clear them.
   */
  pristine: Uint8Array;
}

/** By sizes, per thread: instances cannot cross threads. */
const pools = new Map<string, Pool>();
/** Each core's pool and view, for its release. */
const homeOf = new WeakMap<CoreExports, { pool: Pool; pooled: Pooled }>();

const keyOf = (sizes: CoreSizes): string => `${sizes.poolSize} ${sizes.bufferSize} ${sizes.maxSockets}`;

/** A core planned for `sizes`: a released one reset, else a fresh instance; null when they do not fit. */
export async function takeCore(sizes: CoreSizes): Promise<CoreExports | null> {
  const key = keyOf(sizes);
  const pool = pools.get(key);
  const reused = pool?.free.pop();
  if (pool && reused) {
    reused.core.plan(sizes.poolSize, sizes.bufferSize, sizes.maxSockets);
    reused.bytes.set(pool.pristine);
    return reused.core;
  }
  const core = await instantiateCore(sizes);
  if (!core) return null;
  let home = pools.get(key);
  if (!home) pools.set(key, (home = { free: [], pristine: new Uint8Array(core.memory.buffer, 0, core.requestsAt()).slice() }));
  homeOf.set(core, { pool: home, pooled: { core, bytes: new Uint8Array(core.memory.buffer) } });
  return core;
}

/** A destroyed reactor's core, which nothing touches any more. */
export function releaseCore(core: CoreExports): void {
  const home = homeOf.get(core);
  home?.pool.free.push(home.pooled);
}
