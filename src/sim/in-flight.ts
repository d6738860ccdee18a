// The data segments one end of a connection has on the wire, oldest first: each one's size and
// the faults that struck it (wire.ts's SEGMENT bits), which its arrival needs. A direction's
// segments arrive in the order they were sent (Sockets keeps them so), so a queue of numbers
// stands in for a closure per segment.

const FIRST_CAPACITY = 8;

export class InFlight {
  #bytes = new Int32Array(FIRST_CAPACITY);
  #struck = new Int32Array(FIRST_CAPACITY);
  #head = 0;
  #count = 0;

  push(bytes: number, struck: number): void {
    if (this.#count === this.#bytes.length) this.#grow();
    const at = (this.#head + this.#count) % this.#bytes.length;
    this.#bytes[at] = bytes;
    this.#struck[at] = struck;
    this.#count++;
  }

  /** The oldest segment's faults. */
  get oldestStruck(): number {
    return this.#struck[this.#head];
  }

  /** Removes the oldest segment; returns its size in bytes. */
  shift(): number {
    const bytes = this.#bytes[this.#head];
    this.#head = (this.#head + 1) % this.#bytes.length;
    this.#count--;
    return bytes;
  }

  #grow(): void {
    const capacity = 2 * this.#bytes.length;
    const bytes = new Int32Array(capacity);
    const struck = new Int32Array(capacity);
    for (let i = 0; i < this.#count; i++) {
      const from = (this.#head + i) % this.#bytes.length;
      bytes[i] = this.#bytes[from];
      struck[i] = this.#struck[from];
    }
    this.#bytes = bytes;
    this.#struck = struck;
    this.#head = 0;
  }
}
