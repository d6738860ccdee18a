// An epoll instance's ready list (epoll.ts): fds in the order they may have become ready.

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
