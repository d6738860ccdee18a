// A simulated kernel's open files by number: an open takes the lowest free number, as POSIX gives.

export class FdTable<F> {
  /** The open files by number, for the look-up every call makes. */
  readonly #byFd: (F | undefined)[] = [];
  /** When each was opened (a count of opens): a host's crash walks its files in that order. */
  readonly #openedAt: number[] = [];
  #opens = 0;
  #size = 0;
  /**
   * Closed numbers below #next, as a binary min-heap: the lowest comes first (a server with
   * thousands of connections opened each by scanning up). Numbers of its own, not a KeyedHeap:
   * the simulator's event queues hold objects, and a heap of both kinds was compiled for neither.
   */
  readonly #closed: number[] = [];
  #next: number;

  /** `first`: the lowest number an open hands out (those below are placed with `place`). */
  constructor(readonly first: number) {
    this.#next = first;
  }

  get(fd: number): F | undefined {
    return fd >= 0 && fd < this.#byFd.length ? this.#byFd[fd] : undefined;
  }

  has(fd: number): boolean {
    return this.get(fd) !== undefined;
  }

  /** Opens `file` at the lowest free number, a closed one, else the next never used. */
  open(file: F): number {
    const fd = this.#closed.length > 0 ? this.#lowestClosed() : this.#next++;
    this.place(fd, file);
    return fd;
  }

  /** Puts `file` at `fd`, which is not open: open's choice, or one below `first` (stdin). */
  place(fd: number, file: F): void {
    while (this.#byFd.length <= fd) {
      this.#byFd.push(undefined);
      this.#openedAt.push(0);
    }
    this.#byFd[fd] = file;
    this.#openedAt[fd] = this.#opens++;
    this.#size++;
  }

  close(fd: number): void {
    if (this.#byFd[fd] === undefined) return;
    this.#byFd[fd] = undefined;
    this.#size--;
    if (fd >= this.first) this.#addClosed(fd);
  }

  #addClosed(fd: number): void {
    const heap = this.#closed;
    let i = heap.length;
    heap.push(fd);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent] < fd) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = fd;
  }

  /** Takes the lowest closed number. */
  #lowestClosed(): number {
    const heap = this.#closed;
    const lowest = heap[0];
    const last = heap.pop()!;
    const n = heap.length;
    if (n === 0) return lowest;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && heap[child + 1] < heap[child]) child++;
      if (last < heap[child]) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
    return lowest;
  }

  /** The open files, in the order they were opened. */
  values(): F[] {
    const fds: number[] = [];
    for (let fd = 0; fd < this.#byFd.length; fd++) if (this.#byFd[fd] !== undefined) fds.push(fd);
    return fds.sort((a, b) => this.#openedAt[a] - this.#openedAt[b]).map((fd) => this.#byFd[fd]!);
  }

  get size(): number {
    return this.#size;
  }
}
