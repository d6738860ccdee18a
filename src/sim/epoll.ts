// The simulated kernel's epoll instances: an interest list, and a ready list that a wait scans
// instead of the whole interest list.
import { EPOLL, ERRNO as E } from '../seam.js';
import { ReadyList } from './ready-list.js';

const ALWAYS = EPOLL.EPOLLERR | EPOLL.EPOLLHUP;

/** A file an epoll instance can watch (file.ts's Watched): the instances that watch it, in the order they began. */
interface WatchedFile {
  watchers: readonly Epoll[];
}

/** The kernel whose files an epoll instance watches, as its scans ask it: the readiness bits of an fd. */
export interface Files {
  readiness(fd: number): number;
}

/** Each fd's interest, side by side: [events watched (0: not in the interest list), tag]. */
const INTEREST = 2;
const FIRST_FDS = 16;

/** The fds a collect reports, before they go to the back of the ready list: one array for every instance. */
let found = new Int32Array(FIRST_FDS);

export class Epoll {
  readonly kind = 'epoll';
  /**
   * The interest list by fd: the events it watches for, with those always reported (never 0 for
   * a listed fd), and its tag; one array, as every wait looks up each fd of its ready list.
   */
  #interest = new Int32Array(INTEREST * FIRST_FDS);
  /**
   * The fds that may be ready, in the order they became so. Every change that can make an fd
   * ready adds it (file.ts, changed); a scan drops those that are not.
   */
  readonly ready = new ReadyList();

  /** epoll_ctl on `fd`, whose file is `file` (null: an epoll instance, which nothing watches): 0 or -errno. */
  control(op: 'add' | 'modify' | 'remove', fd: number, file: WatchedFile | null, events: number, tag: number): number {
    const present = this.#has(fd);
    if (op === 'add' && present) return -E.EEXIST;
    if (op !== 'add' && !present) return -E.ENOENT;
    if (op === 'remove') {
      this.forget(fd);
      if (file?.watchers.includes(this)) file.watchers = file.watchers.filter((ep) => ep !== this);
      return 0;
    }
    if (INTEREST * fd >= this.#interest.length) this.#grow(fd);
    this.#interest[INTEREST * fd] = events | ALWAYS;
    this.#interest[INTEREST * fd + 1] = tag;
    if (file && !file.watchers.includes(this)) file.watchers = file.watchers.concat(this);
    this.ready.add(fd);
    return 0;
  }

  /** `fd` left the interest list, or closed. */
  forget(fd: number): void {
    if (this.#has(fd)) this.#interest[INTEREST * fd] = 0;
    this.ready.delete(fd);
  }

  #has(fd: number): boolean {
    return INTEREST * fd < this.#interest.length && this.#interest[INTEREST * fd] !== 0;
  }

  /** The events `fd` is ready for that its interest asks (0 when it is not in the interest list). */
  #due(fd: number, files: Files): number {
    return this.#has(fd) ? files.readiness(fd) & this.#interest[INTEREST * fd] : 0;
  }

  #grow(fd: number): void {
    const interest = new Int32Array(INTEREST * Math.max(2 * (this.#interest.length / INTEREST), fd + 1));
    interest.set(this.#interest);
    this.#interest = interest;
  }

  /**
   * Whether a collect would report anything. It drops the fds it finds not ready on its way, as
   * collect does, so the collect that follows reports what it would have reported alone.
   */
  anyReady(files: Files): boolean {
    const ready = this.ready;
    for (let fd = ready.first, next = -1; fd >= 0; fd = next) {
      next = ready.after(fd);
      if (this.#due(fd, files)) return true;
      ready.delete(fd);
    }
    return false;
  }

  /**
   * Writes up to `max` ready fds as (events, tag) pairs into `out` from `at`; returns how many.
   * Those reported go to the back of the ready list, so none starves when `max` is small.
   */
  collect(max: number, files: Files, out: Uint32Array, at: number): number {
    if (found.length < max) found = new Int32Array(max);
    const ready = this.ready;
    let n = 0;
    for (let fd = ready.first, next = -1; fd >= 0 && n < max; fd = next) {
      next = ready.after(fd);
      const bits = this.#due(fd, files);
      if (bits) {
        out[at + 2 * n] = bits;
        out[at + 2 * n + 1] = this.#interest[INTEREST * fd + 1];
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
