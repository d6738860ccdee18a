// Stands in for src/native.ts in the page's bundle (scripts/viz-bundle.mjs): a browser has no
// native addon, only the simulation, so asking for the native backend there is a clear error.
import type { NativeBinding } from '../../native.js';

export type { NativeShim, NativeBinding } from '../../native.js';

export function nativeBinding(): NativeBinding {
  throw new Error('io-reactor: the native backend does not run in a browser; use backend: \'sim\' (a Simulation)');
}
