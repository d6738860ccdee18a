// A simulated kernel's open files by number: an open takes the lowest free number, as POSIX gives.
import { KeyedHeap } from './heap.js';

export class FdTable<F> {
  /** The open files by number, for the look-up every call makes. */
  readonly #byFd: (F | undefined)[] = [];
  /** When each was opened (a count of opens): a host's crash walks its files in that order. */
  readonly #openedAt: number[] = [];
  #opens = 0;
  #size = 0;
  /**
   * Closed numbers below #next, lowest first: a server with thousands of connections opened each
   * by scanning up. Made at the first close: a heap's arrays for every host that never closes one.
   */
  #closed: KeyedHeap<number> | null = null;
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
    const closed = this.#closed;
    const fd = closed !== null && closed.size > 0 ? closed.pop()! : this.#next++;
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
    if (fd >= this.first) (this.#closed ??= new KeyedHeap<number>()).push(fd, fd);
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
