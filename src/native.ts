// Loads the native shim (build/native/Release/io_reactor.node) built by cmake-js.
import { createRequire } from 'node:module';

export interface NativeShim {
  cycle(requests: number, timeoutMs: number): number;
  cycleAsync(requests: number, timeoutMs: number): Promise<number>;
  wakeup(): number;
  close(): void;
  readonly wakeToken: number;
  readonly waitsInterrupted: number;
}

export interface NativeBinding {
  Shim: new (
    memory: ArrayBuffer, model: number, mechanism: number, poolSize: number, maxSockets: number,
    requestsAt: number, resultsAt: number, resultCapacity: number,
  ) => NativeShim;
  socketPair(): [number, number] | number;
  listen(host: string, port: number, backlog: number): [number, number] | number;
  connect(host: string, port: number): number;
  accept(fd: number): number;
  send(fd: number, data: Uint8Array): number;
  recv(fd: number, maxBytes: number): Uint8Array | number;
  shutdown(fd: number): number;
  close(fd: number): number;
  fdKind(fd: number): number;
  wakeByToken(token: number): number;
}

let binding: NativeBinding | undefined;

export function nativeBinding(): NativeBinding {
  binding ??= createRequire(import.meta.url)('../../native/Release/io_reactor.node') as NativeBinding;
  return binding;
}
