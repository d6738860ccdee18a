// An epoll instance's ready list (epoll.ts): fds in the order they may have become ready.

/** An fd's `next` while it is not on the list (-1 is the last one's). */
const UNLISTED = -2;
/** Each fd's two links, side by side: [next, prev]. */
const LINKS = 2;
const FIRST_FDS = 16;

/**
 * Fds in the order they were added, each at most once: a Set's order, with no allocation as fds
 * come and go (a Set leaves deleted entries behind and rebuilds itself, every few waits).
 */
export class ReadyList {
  /** One array for both links and whether listed: a host's epoll makes one typed array, not three. */
  #links = new Int32Array(LINKS * FIRST_FDS).fill(UNLISTED);
  #head = -1;
  #tail = -1;

  /** The first fd, or -1. */
  get first(): number {
    return this.#head;
  }

  /** The fd after `fd`, or -1. */
  after(fd: number): number {
    return this.#links[LINKS * fd];
  }

  /** Adds `fd` at the back, unless it is listed already (where it stays). */
  add(fd: number): void {
    if (LINKS * fd >= this.#links.length) this.#grow(fd);
    const links = this.#links;
    if (links[LINKS * fd] !== UNLISTED) return;
    links[LINKS * fd] = -1;
    links[LINKS * fd + 1] = this.#tail;
    if (this.#tail >= 0) links[LINKS * this.#tail] = fd;
    else this.#head = fd;
    this.#tail = fd;
  }

  delete(fd: number): void {
    const links = this.#links;
    if (LINKS * fd >= links.length || links[LINKS * fd] === UNLISTED) return;
    const next = links[LINKS * fd];
    const prev = links[LINKS * fd + 1];
    links[LINKS * fd] = UNLISTED;
    if (prev >= 0) links[LINKS * prev] = next;
    else this.#head = next;
    if (next >= 0) links[LINKS * next + 1] = prev;
    else this.#tail = prev;
  }

  #grow(fd: number): void {
    const links = new Int32Array(LINKS * Math.max(2 * (this.#links.length / LINKS), fd + 1)).fill(UNLISTED);
    links.set(this.#links);
    this.#links = links;
  }
}
