// The data segments one end of a connection has on the wire, oldest first: each one's size and
// the faults that struck it (wire.ts's SEGMENT bits), which its arrival needs. A direction's
// segments arrive in the order they were sent (Sockets keeps them so), so a queue of numbers
// stands in for a closure per segment.

const FIRST_CAPACITY = 8;
/** Each segment's fields, side by side: [bytes, struck]. */
const FIELDS = 2;
/** The queue of an end that never sent (stdin, most servers' ends before they reply). */
const NONE = new Int32Array(0);

export class InFlight {
  /** One array for both fields: every stream has a queue, and two typed arrays each doubled their cost. */
  #segments = NONE;
  #head = 0;
  #count = 0;

  push(bytes: number, struck: number): void {
    const capacity = this.#segments.length / FIELDS;
    if (this.#count === capacity) this.#grow(capacity);
    const at = FIELDS * ((this.#head + this.#count) % (this.#segments.length / FIELDS));
    this.#segments[at] = bytes;
    this.#segments[at + 1] = struck;
    this.#count++;
  }

  /** The oldest segment's faults. */
  get oldestStruck(): number {
    return this.#segments[FIELDS * this.#head + 1];
  }

  /** Removes the oldest segment; returns its size in bytes. */
  shift(): number {
    const bytes = this.#segments[FIELDS * this.#head];
    this.#head = (this.#head + 1) % (this.#segments.length / FIELDS);
    this.#count--;
    return bytes;
  }

  #grow(capacity: number): void {
    const segments = new Int32Array(FIELDS * Math.max(2 * capacity, FIRST_CAPACITY));
    for (let i = 0; i < this.#count; i++) {
      const from = FIELDS * ((this.#head + i) % capacity);
      segments[FIELDS * i] = this.#segments[from];
      segments[FIELDS * i + 1] = this.#segments[from + 1];
    }
    this.#segments = segments;
    this.#head = 0;
  }
}
