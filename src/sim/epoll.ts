// The simulated kernel's epoll instances: an interest list, and a ready list that a wait scans
// instead of the whole interest list.
import { EPOLL } from '../seam.js';

const ALWAYS = EPOLL.EPOLLERR | EPOLL.EPOLLHUP;

export interface Interest {
  events: number;
  tag: number;
}

/**
 * Fds in the order they were added, each at most once: a Set's order, with no allocation as fds
 * come and go (a Set leaves deleted entries behind and rebuilds itself, every few waits).
 */
export class ReadyList {
  #next = new Int32Array(16).fill(-1);
  #prev = new Int32Array(16).fill(-1);
  #listed = new Uint8Array(16);
  #head = -1;
  #tail = -1;

  /** The first fd, or -1. */
  get first(): number {
    return this.#head;
  }

  /** The fd after `fd`, or -1. */
  after(fd: number): number {
    return this.#next[fd];
  }

  /** Adds `fd` at the back, unless it is listed already (where it stays). */
  add(fd: number): void {
    if (fd >= this.#listed.length) this.#grow(fd);
    if (this.#listed[fd]) return;
    this.#listed[fd] = 1;
    this.#prev[fd] = this.#tail;
    this.#next[fd] = -1;
    if (this.#tail >= 0) this.#next[this.#tail] = fd;
    else this.#head = fd;
    this.#tail = fd;
  }

  delete(fd: number): void {
    if (fd >= this.#listed.length || !this.#listed[fd]) return;
    this.#listed[fd] = 0;
    const prev = this.#prev[fd];
    const next = this.#next[fd];
    if (prev >= 0) this.#next[prev] = next;
    else this.#head = next;
    if (next >= 0) this.#prev[next] = prev;
    else this.#tail = prev;
  }

  #grow(fd: number): void {
    const size = Math.max(2 * this.#listed.length, fd + 1);
    const next = new Int32Array(size).fill(-1);
    const prev = new Int32Array(size).fill(-1);
    const listed = new Uint8Array(size);
    next.set(this.#next);
    prev.set(this.#prev);
    listed.set(this.#listed);
    this.#next = next;
    this.#prev = prev;
    this.#listed = listed;
  }
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
