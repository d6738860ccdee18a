// The simulated kernel's epoll instances: an interest list, and a ready list that a wait scans
// instead of the whole interest list.
import { EPOLL, ERRNO as E } from '../seam.js';
import { ReadyList } from './ready-list.js';

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
  readonly ready = new ReadyList();
  /** The fds the last collect reported, reused from wait to wait. */
  #found = new Int32Array(16);

  /** epoll_ctl on `fd`, whose file's watchers are `watchers` (null: an epoll instance has none): 0 or -errno. */
  control(op: 'add' | 'modify' | 'remove', fd: number, watchers: Epoll[] | null, events: number, tag: number): number {
    const present = this.interest.has(fd);
    if (op === 'add' && present) return -E.EEXIST;
    if (op !== 'add' && !present) return -E.ENOENT;
    if (op === 'remove') {
      this.forget(fd);
      const at = watchers?.indexOf(this) ?? -1;
      if (at >= 0) watchers!.splice(at, 1);
      return 0;
    }
    this.interest.set(fd, { events, tag });
    if (watchers && !watchers.includes(this)) watchers.push(this);
    this.ready.add(fd);
    return 0;
  }

  /** `fd` left the interest list, or closed. */
  forget(fd: number): void {
    this.interest.delete(fd);
    this.ready.delete(fd);
  }

  /**
   * Whether a collect would report anything. It drops the fds it finds not ready on its way, as
   * collect does, so the collect that follows reports what it would have reported alone.
   */
  anyReady(readiness: (fd: number) => number): boolean {
    const ready = this.ready;
    for (let fd = ready.first, next = -1; fd >= 0; fd = next) {
      next = ready.after(fd);
      const want = this.interest.get(fd);
      if (want && readiness(fd) & (want.events | ALWAYS)) return true;
      ready.delete(fd);
    }
    return false;
  }

  /**
   * Writes up to `max` ready fds as (events, tag) pairs into `out`; returns how many. Those
   * reported go to the back of the ready list, so none starves when `max` is small.
   */
  collect(max: number, readiness: (fd: number) => number, out: Uint32Array): number {
    if (this.#found.length < max) this.#found = new Int32Array(max);
    const found = this.#found;
    const ready = this.ready;
    let n = 0;
    for (let fd = ready.first, next = -1; fd >= 0 && n < max; fd = next) {
      next = ready.after(fd);
      const want = this.interest.get(fd);
      const bits = want ? readiness(fd) & (want.events | ALWAYS) : 0;
      if (bits) {
        out[2 * n] = bits;
        out[2 * n + 1] = want!.tag;
        found[n++] = fd;
      } else ready.delete(fd);
    }
    for (let i = 0; i < n; i++) {
      ready.delete(found[i]);
      ready.add(found[i]);
    }
    return n;
  }
}
