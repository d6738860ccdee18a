// The simulated kernel's epoll instances: an interest list, and a ready list that a wait scans
// instead of the whole interest list.
import { EPOLL } from '../seam.js';

const ALWAYS = EPOLL.EPOLLERR | EPOLL.EPOLLHUP;

export interface Interest {
  events: number;
  tag: number;
}

export class Epoll {
  readonly kind = 'epoll';
  readonly interest = new Map<number, Interest>();
  /**
   * The fds that may be ready, in the order they became so. Every change that can make an fd
   * ready adds it (file.ts, changed); a scan drops those that are not.
   */
  readonly ready = new Set<number>();
  /** The fds the last collect reported, reused from wait to wait. */
  #found = new Int32Array(16);

  /**
   * Writes up to `max` ready fds as (events, tag) pairs into `out`; returns how many. Those
   * reported go to the back of the ready list, so none starves when `max` is small.
   */
  collect(max: number, readiness: (fd: number) => number, out: Uint32Array): number {
    if (this.#found.length < max) this.#found = new Int32Array(max);
    const found = this.#found;
    let n = 0;
    for (const fd of this.ready) {
      if (n >= max) break;
      const want = this.interest.get(fd);
      const bits = want ? readiness(fd) & (want.events | ALWAYS) : 0;
      if (bits) {
        out[2 * n] = bits;
        out[2 * n + 1] = want!.tag;
        found[n++] = fd;
      } else this.ready.delete(fd);
    }
    for (let i = 0; i < n; i++) {
      this.ready.delete(found[i]);
      this.ready.add(found[i]);
    }
    return n;
  }
}
