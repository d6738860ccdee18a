// How a watcher sees a Reactor without patching it (the trace tap, src/trace/tap.ts): a reactor
// created with an observer hands it each app call as it runs, its shim, and each wait's events.
// Internal: not exported from the package.
import type { NativeShim, OsCalls } from './backend.js';
import type { CallRecord } from './trace/format.js';

/** The app calls a reactor reports: its public methods, and os.close of a registered fd. */
export type ObservedCall = CallRecord['op'];

export interface ReactorObserver {
  /** Runs an app call (`args` as the app passed them), seeing it begin, end, or throw. */
  call<T>(op: ObservedCall, args: readonly unknown[], run: () => T): T;
  /** Runs a waitAsync, which ends when its promise settles. */
  callAsync<T>(args: readonly unknown[], run: () => Promise<T>): Promise<T>;
  /** The shim the reactor calls, seen through the observer (its requests and results). */
  shim(inner: NativeShim): NativeShim;
  /** The OS calls the app makes through reactor.os, seen through the observer (its sockets' sends and receives). */
  os(inner: OsCalls): OsCalls;
  /** After each wait: the `count` events it delivers, ENTRY_INTS each from i32 index `at`. */
  delivered(count: number, at: number): void;
}
