// The reactor's contract in its simplest form: what each call must do, over a handful of socket
// pairs whose peers the test drives. No pool, no rings, no OS: registrations, the bytes each peer
// has sent, the reads posted, the writes in flight. The property test (test/model.test.ts) and
// `npm run fuzz` compare the real reactor against it after every step.
import { EventType } from '../../src/index.js';

export type Model = 'readiness' | 'completion';

/** What the model says a wait delivers, in an order-free form: sorted by fd, then by post order. */
export interface ModelEvent {
  fd: number;
  context: number;
  type: number;
  bytes: number;
}

interface Registration {
  context: number;
  mask: number;
  /** Completion: reads posted and not yet completed. */
  readsPosted: number;
  /** Completion: the byte counts of writes posted and not yet reported. */
  writes: number[];
}

/** The refusal a call must give, as its ReactorError code, or null when it must succeed. */
export type Refusal = string | null;

export class ReactorModel {
  readonly #regs = new Map<number, Registration>();
  /** Bytes each fd's peer has sent that the fd has not taken yet. */
  readonly #unread = new Map<number, number>();
  /** Completion: the contexts a write of `bytes` needs; past the pool's free ones, ENOBUFS. */
  readonly #contextsFor: (bytes: number) => number;

  constructor(readonly model: Model, readonly bufferSize: number, readonly poolSize: number) {
    this.#contextsFor = (bytes) => Math.ceil(bytes / bufferSize);
  }

  get registered(): number {
    return this.#regs.size;
  }

  /** Completion: reads posted and not yet completed, over every registration. */
  get readsPosted(): number {
    let n = 0;
    for (const reg of this.#regs.values()) n += reg.readsPosted;
    return n;
  }

  add(fd: number, context: number, mask: number): Refusal {
    if (this.#regs.has(fd)) return 'EEXIST';
    const completionRead = this.model === 'completion' && (mask & EventType.READ) !== 0;
    this.#regs.set(fd, { context, mask, readsPosted: completionRead ? 1 : 0, writes: [] });
    return null;
  }

  modify(fd: number, mask: number): Refusal {
    const reg = this.#regs.get(fd);
    if (!reg) return 'ENOENT';
    reg.mask = mask;
    return null;
  }

  /** true when the fd was registered; its posted operations are canceled silently. */
  remove(fd: number): boolean {
    return this.#regs.delete(fd);
  }

  postRead(fd: number): Refusal {
    if (this.model !== 'completion') return 'EINVAL';
    const reg = this.#regs.get(fd);
    if (!reg) return 'ENOENT';
    reg.readsPosted++;
    return null;
  }

  postWrite(fd: number, bytes: number): Refusal {
    if (this.model !== 'completion') return 'EINVAL';
    if (bytes === 0) return 'EINVAL';   // the arguments are checked before the registration
    const reg = this.#regs.get(fd);
    if (!reg) return 'ENOENT';
    if (this.#contextsFor(bytes) > this.poolSize) return 'ENOBUFS';
    reg.writes.push(bytes);
    return null;
  }

  /** The peer of `fd` sent `bytes`. */
  peerSent(fd: number, bytes: number): void {
    this.#unread.set(fd, (this.#unread.get(fd) ?? 0) + bytes);
  }

  /** Readiness: os.recv(fd, max) takes what has arrived, up to max. */
  recv(fd: number, max: number): number {
    const n = Math.min(max, this.#unread.get(fd) ?? 0);
    this.#unread.set(fd, (this.#unread.get(fd) ?? 0) - n);
    return n;
  }

  /**
   * One wait with every ready event delivered. Readiness: one event per fd with the bits of its
   * interest that hold (READ: bytes arrived; WRITE: always, the peer's buffer has room).
   * Completion: each write reports its bytes, and posted reads complete in turn with what has
   * arrived, a buffer at most each.
   */
  wait(): ModelEvent[] {
    const events: ModelEvent[] = [];
    for (const [fd, reg] of [...this.#regs].sort(([a], [b]) => a - b)) {
      if (this.model === 'readiness') {
        const type = (reg.mask & EventType.READ && (this.#unread.get(fd) ?? 0) > 0 ? EventType.READ : 0) | (reg.mask & EventType.WRITE);
        if (type) events.push({ fd, context: reg.context, type, bytes: 0 });
        continue;
      }
      for (const bytes of reg.writes) events.push({ fd, context: reg.context, type: EventType.WRITE, bytes });
      reg.writes = [];
      while (reg.readsPosted > 0 && (this.#unread.get(fd) ?? 0) > 0) {
        const bytes = Math.min(this.bufferSize, this.#unread.get(fd)!);
        this.#unread.set(fd, this.#unread.get(fd)! - bytes);
        reg.readsPosted--;
        events.push({ fd, context: reg.context, type: EventType.READ, bytes });
      }
    }
    return events;
  }
}
