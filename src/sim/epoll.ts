// The simulated kernel's epoll instances: an interest list, and a ready list that a wait scans
// instead of the whole interest list.
import { EPOLL, ERRNO as E } from '../seam.js';
import { ReadyList } from './ready-list.js';

const ALWAYS = EPOLL.EPOLLERR | EPOLL.EPOLLHUP;

export class Epoll {
  readonly kind = 'epoll';
  /**
   * The interest list by fd: whether it is in it, the events it watches for (with those always
   * reported) and its tag; arrays, as every wait looks up each fd of its ready list.
   */
  #listed = new Uint8Array(16);
  #watched = new Int32Array(16);
  #tags = new Int32Array(16);
  /**
   * The fds that may be ready, in the order they became so. Every change that can make an fd
   * ready adds it (file.ts, changed); a scan drops those that are not.
   */
  readonly ready = new ReadyList();
  /** The fds the last collect reported, reused from wait to wait. */
  #found = new Int32Array(16);

  /** epoll_ctl on `fd`, whose file's watchers are `watchers` (null: an epoll instance has none): 0 or -errno. */
  control(op: 'add' | 'modify' | 'remove', fd: number, watchers: Epoll[] | null, events: number, tag: number): number {
    const present = this.#has(fd);
    if (op === 'add' && present) return -E.EEXIST;
    if (op !== 'add' && !present) return -E.ENOENT;
    if (op === 'remove') {
      this.forget(fd);
      const at = watchers?.indexOf(this) ?? -1;
      if (at >= 0) watchers!.splice(at, 1);
      return 0;
    }
    if (fd >= this.#listed.length) this.#grow(fd);
    this.#listed[fd] = 1;
    this.#watched[fd] = events | ALWAYS;
    this.#tags[fd] = tag;
    if (watchers && !watchers.includes(this)) watchers.push(this);
    this.ready.add(fd);
    return 0;
  }

  /** `fd` left the interest list, or closed. */
  forget(fd: number): void {
    if (this.#has(fd)) this.#listed[fd] = 0;
    this.ready.delete(fd);
  }

  #has(fd: number): boolean {
    return fd < this.#listed.length && this.#listed[fd] === 1;
  }

  /** The events `fd` is ready for that its interest asks (0 when it is not in the interest list). */
  #due(fd: number, readiness: (fd: number) => number): number {
    return this.#has(fd) ? readiness(fd) & this.#watched[fd] : 0;
  }

  #grow(fd: number): void {
    const size = Math.max(2 * this.#listed.length, fd + 1);
    const listed = new Uint8Array(size);
    const watched = new Int32Array(size);
    const tags = new Int32Array(size);
    listed.set(this.#listed);
    watched.set(this.#watched);
    tags.set(this.#tags);
    this.#listed = listed;
    this.#watched = watched;
    this.#tags = tags;
  }

  /**
   * Whether a collect would report anything. It drops the fds it finds not ready on its way, as
   * collect does, so the collect that follows reports what it would have reported alone.
   */
  anyReady(readiness: (fd: number) => number): boolean {
    const ready = this.ready;
    for (let fd = ready.first, next = -1; fd >= 0; fd = next) {
      next = ready.after(fd);
      if (this.#due(fd, readiness)) return true;
      ready.delete(fd);
    }
    return false;
  }

  /**
   * Writes up to `max` ready fds as (events, tag) pairs into `out` from `at`; returns how many.
   * Those reported go to the back of the ready list, so none starves when `max` is small.
   */
  collect(max: number, readiness: (fd: number) => number, out: Uint32Array, at: number): number {
    if (this.#found.length < max) this.#found = new Int32Array(max);
    const found = this.#found;
    const ready = this.ready;
    let n = 0;
    for (let fd = ready.first, next = -1; fd >= 0 && n < max; fd = next) {
      next = ready.after(fd);
      const bits = this.#due(fd, readiness);
      if (bits) {
        out[at + 2 * n] = bits;
        out[at + 2 * n + 1] = this.#tags[fd];
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
