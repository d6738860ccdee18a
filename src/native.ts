// Loads the native shim: build/native/Release/io_reactor.node (cmake-js) on Linux,
// build/win/io_reactor.node (mingw-w64, scripts/build-windows.mjs) on Windows.
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
  const path = process.platform === 'win32' ? '../../win/io_reactor.node' : '../../native/Release/io_reactor.node';
  binding ??= createRequire(import.meta.url)(path) as NativeBinding;
  return binding;
}
