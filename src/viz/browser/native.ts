// Stands in for src/native.ts in the page's bundle (scripts/viz-bundle.mjs): a browser has no
// native addon, only the simulation, so asking for the native backend there is a clear error.
import type { Backend } from '../../backend.js';
import type { NativeBinding } from '../../native.js';
import type { Model, Mechanism } from '../../model.js';

const NO_NATIVE = `the native backend does not run in a browser; use backend: 'sim' (a Simulation)`;

export function nativeDefaults(_model?: Model): { model: Model; mechanism: Mechanism } {
  return { model: 'readiness', mechanism: 'epoll' };
}

export function nativeModelRefusal(): string | null {
  return NO_NATIVE;
}

export function nativeMechanismRefusal(): string | null {
  return NO_NATIVE;
}

export function nativeOpenRefused(): string {
  return NO_NATIVE;
}

export function nativeBinding(): NativeBinding {
  throw new Error(`io-reactor: ${NO_NATIVE}`);
}

export function nativeBackend(): Backend {
  throw new Error(`io-reactor: ${NO_NATIVE}`);
}
