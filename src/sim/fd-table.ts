// A simulated kernel's open files by number: an open takes the lowest free number, as POSIX gives.
import { MinHeap } from './heap.js';

export class FdTable<F> {
  /** In the order opened: a host's crash walks its files in it. */
  readonly #files = new Map<number, F>();
  /** Closed numbers below #next, lowest first: a server with thousands of connections opened each by scanning up. */
  readonly #closed = new MinHeap<number>((a, b) => a < b);
  #next: number;

  /** `first`: the lowest number an open hands out (those below are placed with `place`). */
  constructor(readonly first: number) {
    this.#next = first;
  }

  get(fd: number): F | undefined {
    return this.#files.get(fd);
  }

  has(fd: number): boolean {
    return this.#files.has(fd);
  }

  /** Opens `file` at the lowest free number, a closed one, else the next never used. */
  open(file: F): number {
    const fd = this.#closed.size > 0 ? this.#closed.pop()! : this.#next++;
    this.#files.set(fd, file);
    return fd;
  }

  /** Puts `file` at a number below `first` (stdin). */
  place(fd: number, file: F): void {
    this.#files.set(fd, file);
  }

  close(fd: number): void {
    this.#files.delete(fd);
    if (fd >= this.first) this.#closed.push(fd);
  }

  values(): IterableIterator<F> {
    return this.#files.values();
  }

  get size(): number {
    return this.#files.size;
  }
}
