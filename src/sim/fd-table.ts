// A simulated kernel's open files by number: an open takes the lowest free number, as POSIX gives.
import { KeyedHeap } from './heap.js';

export class FdTable<F> {
  /** In the order opened: a host's crash walks its files in it. */
  readonly #files = new Map<number, F>();
  /** The same files by number, for the look-up every call makes. */
  readonly #byFd: (F | undefined)[] = [];
  /** Closed numbers below #next, lowest first: a server with thousands of connections opened each by scanning up. */
  readonly #closed = new KeyedHeap<number>();
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
    const fd = this.#closed.size > 0 ? this.#closed.pop()! : this.#next++;
    this.place(fd, file);
    return fd;
  }

  /** Puts `file` at `fd`: open's choice, or one below `first` (stdin). */
  place(fd: number, file: F): void {
    this.#files.set(fd, file);
    while (this.#byFd.length <= fd) this.#byFd.push(undefined);
    this.#byFd[fd] = file;
  }

  close(fd: number): void {
    this.#files.delete(fd);
    this.#byFd[fd] = undefined;
    if (fd >= this.first) this.#closed.push(fd, fd);
  }

  values(): IterableIterator<F> {
    return this.#files.values();
  }

  get size(): number {
    return this.#files.size;
  }
}
