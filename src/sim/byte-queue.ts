// The bytes a simulated stream holds, oldest first, in one ring that grows when full: a write
// copies in, a read copies out, and neither allocates (a slice per segment, kept until read, was
// the simulator's largest allocation).

/** Below this many bytes a copy goes byte by byte: a typed-array set needs a view made for it. */
const COPY_BY_VIEW_BYTES = 64;
const FIRST_CAPACITY_BYTES = 64;
/** The ring of a queue nothing was ever pushed to (stdin's, a listener's connection never written to). */
const NONE = new Uint8Array(0);

export class ByteQueue {
  #ring = NONE;
  /** Where the oldest byte is. */
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** Appends `n` bytes of `from`, from `offset`. */
  push(from: Uint8Array, offset: number, n: number): void {
    if (n === 0) return;
    if (this.#length + n > this.#ring.length) this.#grow(this.#length + n);
    const ring = this.#ring;
    const at = (this.#head + this.#length) % ring.length;
    const first = Math.min(n, ring.length - at);
    copy(from, offset, ring, at, first);
    copy(from, offset + first, ring, 0, n - first);
    this.#length += n;
  }

  /** Moves the oldest `n` bytes (at most length) into `into`, from `offset`. */
  take(into: Uint8Array, offset: number, n: number): void {
    if (n === 0) return;
    const ring = this.#ring;
    const head = this.#head;
    const first = Math.min(n, ring.length - head);
    copy(ring, head, into, offset, first);
    copy(ring, 0, into, offset + first, n - first);
    this.#head = (head + n) % ring.length;
    this.#length -= n;
  }

  /** Removes the `n` bytes that start `at` bytes past the oldest (a segment dropped on arrival). */
  cut(at: number, n: number): void {
    const before = new Uint8Array(at);
    const after = new Uint8Array(this.#length - at - n);
    this.take(before, 0, at);
    this.#head = (this.#head + n) % this.#ring.length;
    this.#length -= n;
    this.take(after, 0, after.length);
    this.push(before, 0, before.length);
    this.push(after, 0, after.length);
  }

  #grow(needed: number): void {
    const ring = new Uint8Array(Math.max(2 * this.#ring.length, needed, FIRST_CAPACITY_BYTES));
    const length = this.#length;
    this.take(ring, 0, length);
    this.#ring = ring;
    this.#head = 0;
    this.#length = length;
  }
}

function copy(from: Uint8Array, fromAt: number, to: Uint8Array, toAt: number, n: number): void {
  if (n >= COPY_BY_VIEW_BYTES) to.set(from.subarray(fromAt, fromAt + n), toAt);
  else for (let i = 0; i < n; i++) to[toAt + i] = from[fromAt + i];
}
