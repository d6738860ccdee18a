// Sending to a client in either model, through one outbox per client with a named limit, so a
// client that does not read costs bounded memory and is found out. Readiness: send what the
// kernel takes, keep the rest, and ask for WRITE until it drains. Completion: one write in flight
// per client, what queues behind it goes out as one write when it completes. Inside `batch`, sends
// only queue, and each client's queue goes out at the end in one piece (a broadcast storm makes one
// system call per client, not one per message).
import { EventType } from '../events.js';
import { ReactorError } from '../errors.js';
import type { Reactor } from '../reactor.js';

/** Bytes a client may have waiting (queued or in flight) before it counts as too slow. */
export const MAX_OUTBOX_BYTES = 256 * 1024;
/** Completion: the most one posted write carries, so a backlog never takes the whole pool. */
export const WRITE_CHUNK_BYTES = 16 * 1024;

export interface Outbox {
  fd: number;
  queued: Uint8Array[];
  /** Bytes not yet confirmed sent: queued, plus the write in flight in completion. */
  queuedBytes: number;
  /** Completion: bytes of the posted write not yet completed (0: none in flight). */
  inFlightBytes: number;
  /** Readiness: the transport watches WRITE for it (its queue did not drain). */
  watchingWrite: boolean;
}

/**
 * Readiness: where a write of several queued pieces is joined. One for every transport: the kernel
 * copies what it takes before send returns, and one per reactor cost a seed of 1000 clients 16 MB.
 */
const joined = new Uint8Array(WRITE_CHUNK_BYTES);
const NONE = new Uint8Array(0);

export class Transport {
  static readonly #byReactor = new WeakMap<Reactor<unknown>, Transport>();
  /** Completion: outboxes whose write the pool had no room for; retried as writes complete. */
  readonly #starved = new Set<Outbox>();
  /** Inside `batch`: outboxes with something queued, sent when it ends. */
  #batched: Set<Outbox> | null = null;

  private constructor(private readonly reactor: Reactor<unknown>) {}

  /** The reactor's one transport: outboxes starved of pool buffers are retried across clients. */
  static of(reactor: Reactor<unknown>): Transport {
    let t = Transport.#byReactor.get(reactor);
    if (!t) Transport.#byReactor.set(reactor, (t = new Transport(reactor)));
    return t;
  }

  /**
   * Queues `data` for the client; false when that would pass MAX_OUTBOX_BYTES (nothing is
   * queued then: the caller drops the client). Throws the OS error of a broken connection.
   */
  send(box: Outbox, data: Uint8Array): boolean {
    if (box.queuedBytes + data.length > MAX_OUTBOX_BYTES) return false;
    box.queued.push(data);
    box.queuedBytes += data.length;
    if (this.#batched) this.#batched.add(box);
    else this.#pump(box);
    return true;
  }

  /**
   * Runs `fn`, holding its sends until it returns, then sends each client's queue at once.
   * A client whose connection turns out broken is handed to `onBroken` with the OS error.
   */
  batch(fn: () => void, onBroken: (box: Outbox, error: unknown) => void): void {
    const outer = this.#batched;
    const batched = (this.#batched ??= new Set());
    try {
      fn();
    } finally {
      if (outer === null) {
        this.#batched = null;
        for (const box of batched) {
          try {
            this.#pump(box);
          } catch (e) {
            onBroken(box, e);
          }
        }
        if (this.reactor.model === 'completion') this.#retryStarved();
      }
    }
  }

  #pump(box: Outbox): void {
    if (this.reactor.model === 'completion') this.#post(box);
    else if (!box.watchingWrite) this.flush(box);
  }

  /** Readiness: called on WRITE; sends what it can and watches WRITE only while data waits. */
  flush(box: Outbox): void {
    const queued = box.queued;
    while (queued.length > 0) {
      // Both pieces read at every write (the second maybe none): a read first made late had no type feedback, and deoptimized.
      const twoBytes = queued[0].length + (queued[1] ?? NONE).length;
      const joins = twoBytes <= WRITE_CHUNK_BYTES && queued.length > 1;
      const head = joins ? joined : queued.length > 1 ? takeChunk(queued) : queued.shift()!;
      const length = joins ? joinInto(queued, head) : head.length;
      const sent = this.reactor.os.send(box.fd, head, length);
      box.queuedBytes -= sent;
      if (sent < length) {
        queued.unshift(joins ? head.slice(sent, length) : head.subarray(sent));
        break;
      }
    }
    const watch = queued.length > 0;
    if (watch === box.watchingWrite) return;
    box.watchingWrite = watch;
    this.reactor.modify(box.fd, EventType.READ | (watch ? EventType.WRITE : 0));
  }

  /** Completion: called on the client's WRITE completion; posts what queued behind it. */
  written(box: Outbox): void {
    box.queuedBytes -= box.inFlightBytes;
    box.inFlightBytes = 0;
    this.#post(box);
    this.#retryStarved();
  }

  /**
   * Completion: posts the writes the pool had no room for, in the order they waited, until it
   * has none again. Buffers come back with write completions and at each wait (those of the
   * events delivered before it), so call it after every wait; `batch` does.
   */
  #retryStarved(): void {
    for (const box of [...this.#starved]) {
      this.#starved.delete(box);
      if (!this.#tryPost(box)) return;
    }
  }

  /** Forgets a client that is gone (its outbox may be waiting for pool buffers). */
  forget(box: Outbox): void {
    this.#starved.delete(box);
    this.#batched?.delete(box);
  }

  /** Posts the box's next write, unless others already wait for the pool (they go first). */
  #post(box: Outbox): void {
    if (this.#starved.size > 0) {
      if (box.inFlightBytes === 0 && box.queued.length > 0) this.#starved.add(box);
      return;
    }
    this.#tryPost(box);
  }

  /** false when the pool had no room: the box waits among the starved. */
  #tryPost(box: Outbox): boolean {
    if (box.inFlightBytes > 0 || box.queued.length === 0) return true;
    const chunk = takeChunk(box.queued);
    try {
      this.reactor.postWrite(box.fd, chunk);
    } catch (e) {
      if (!(e instanceof ReactorError && e.code === 'ENOBUFS')) throw e;
      box.queued.unshift(chunk);
      this.#starved.add(box);
      return false;
    }
    box.inFlightBytes = chunk.length;
    return true;
  }
}

/** Moves the pieces at the front of `queued` that fit in WRITE_CHUNK_BYTES into `into`; returns their bytes. */
function joinInto(queued: Uint8Array[], into: Uint8Array): number {
  let n = 0;
  while (queued.length > 0 && n + queued[0].length <= WRITE_CHUNK_BYTES) {
    const part = queued.shift()!;
    into.set(part, n);
    n += part.length;
  }
  return n;
}

/** Removes up to WRITE_CHUNK_BYTES from the front of `queued`, joined into one write. */
function takeChunk(queued: Uint8Array[]): Uint8Array {
  if (queued[0].length >= WRITE_CHUNK_BYTES) {
    const head = queued[0];
    if (head.length === WRITE_CHUNK_BYTES) return queued.shift()!;
    queued[0] = head.subarray(WRITE_CHUNK_BYTES);
    return head.subarray(0, WRITE_CHUNK_BYTES);
  }
  let n = 0;
  let count = 0;
  while (count < queued.length && n + queued[count].length <= WRITE_CHUNK_BYTES) n += queued[count++].length;
  if (count === 1) return queued.shift()!;
  const chunk = new Uint8Array(n);
  joinInto(queued, chunk);
  return chunk;
}
