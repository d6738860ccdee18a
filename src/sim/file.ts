// What every file of a simulated kernel that epoll can watch shares: where it is open, and the
// epoll instances that must look at it again when its readiness may have risen.
import type { Epoll } from './epoll.js';

/** The kernel a file is open in, as its files see it (SimKernel). */
export interface FileOwner {
  /** Something changed that could end a wait on this kernel. */
  touch(): void;
}

const NO_WATCHERS: readonly Epoll[] = [];

export class Watched {
  fd = -1;
  owner: FileOwner | null = null;
  /**
   * Each at most once, in the order they began watching: an array, walked without an iterator on
   * every change; made when the first begins, of the length it needs (most files have one watcher,
   * and an array grown by a push has room for sixteen).
   */
  watchers: readonly Epoll[] = NO_WATCHERS;
  /** Times its readiness may have risen: a multishot poll reports each (uring.ts). */
  wakeups = 0;
}

/** The file's readiness may have risen: its kernel's waits, and its watchers', must look again. */
export function changed(file: Watched | null): void {
  if (!file?.owner) return;
  file.wakeups++;
  file.owner.touch();
  const watchers = file.watchers;
  for (let i = 0; i < watchers.length; i++) watchers[i].ready.add(file.fd);
}
