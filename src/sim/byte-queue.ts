// The bytes a simulated stream holds, in order: those it sent that are still in flight, and those
// that reached it and wait to be read. A ring that grows as needed, so a segment costs a copy of
// its bytes, not an array of its own.

/** Copies of up to this many bytes go byte by byte: a view for set() costs more than the loop. */
const LOOP_COPY_BYTES = 32;
/** A queue that empties keeps at most this much room: a burst's room goes back to the heap. */
const KEPT_ROOM_BYTES = 16 * 1024;
const FIRST_ROOM_BYTES = 64;

function copy(from: Uint8Array, fromAt: number, to: Uint8Array, toAt: number, n: number): void {
  if (n <= LOOP_COPY_BYTES) for (let i = 0; i < n; i++) to[toAt + i] = from[fromAt + i];
  else to.set(from.subarray(fromAt, fromAt + n), toAt);
}

export class ByteQueue {
  /** Room for the bytes, a power of two (or none): its first byte at #head, wrapping round. */
  #ring = new Uint8Array(0);
  #head = 0;
  #size = 0;
  /** Bytes that ever left the queue: a segment checks it arrives in the order it was sent. */
  #taken = 0;

  get size(): number {
    return this.#size;
  }

  /** Bytes that ever entered the queue. */
  get pushed(): number {
    return this.#taken + this.#size;
  }

  get taken(): number {
    return this.#taken;
  }

  /** Appends `n` bytes of `from` at `offset`. */
  push(from: Uint8Array, offset: number, n: number): void {
    if (this.#size + n > this.#ring.length) this.#grow(this.#size + n);
    const ring = this.#ring;
    const tail = (this.#head + this.#size) & (ring.length - 1);
    const first = Math.min(n, ring.length - tail);
    copy(from, offset, ring, tail, first);
    copy(from, offset + first, ring, 0, n - first);
    this.#size += n;
  }

  /** Moves the first `n` bytes into `into` at `offset`. */
  take(into: Uint8Array, offset: number, n: number): void {
    const ring = this.#ring;
    const first = Math.min(n, ring.length - this.#head);
    copy(ring, this.#head, into, offset, first);
    copy(ring, 0, into, offset + first, n - first);
    this.skip(n);
  }

  /** Moves the first `n` bytes to the back of `to`. */
  moveTo(to: ByteQueue, n: number): void {
    const ring = this.#ring;
    const first = Math.min(n, ring.length - this.#head);
    to.push(ring, this.#head, first);
    to.push(ring, 0, n - first);
    this.skip(n);
  }

  /** Drops the first `n` bytes. */
  skip(n: number): void {
    this.#size -= n;
    this.#taken += n;
    this.#head = this.#size === 0 ? 0 : (this.#head + n) & (this.#ring.length - 1);
    if (this.#size === 0 && this.#ring.length > KEPT_ROOM_BYTES) this.#ring = new Uint8Array(0);
  }

  #grow(bytes: number): void {
    let room = Math.max(FIRST_ROOM_BYTES, this.#ring.length);
    while (room < bytes) room *= 2;
    const ring = new Uint8Array(room);
    const old = this.#ring;
    const first = Math.min(this.#size, old.length - this.#head);
    copy(old, this.#head, ring, 0, first);
    copy(old, 0, ring, first, this.#size - first);
    this.#ring = ring;
    this.#head = 0;
  }
}
