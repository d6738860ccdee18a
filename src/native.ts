// Loads the native shim (build/native/Release/io_reactor.node) built by cmake-js.
import { createRequire } from 'node:module';
import type { OsCalls } from './backend.js';

export interface NativeShim {
  cycle(requests: number, timeoutMs: number): number;
  cycleAsync(requests: number, timeoutMs: number): Promise<number>;
  wakeup(): number;
  close(): void;
  readonly wakeToken: number;
  readonly waitsInterrupted: number;
}

export interface NativeBinding extends OsCalls {
  Shim: new (
    memory: ArrayBuffer, model: number, mechanism: number, poolSize: number, maxSockets: number,
    requestsAt: number, resultsAt: number, resultCapacity: number,
  ) => NativeShim;
  wakeByToken(token: number): number;
}

let binding: NativeBinding | undefined;

export function nativeBinding(): NativeBinding {
  binding ??= createRequire(import.meta.url)('../../native/Release/io_reactor.node') as NativeBinding;
  return binding;
}
