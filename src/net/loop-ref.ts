// Node's ref()/unref() for a socket or server of the net loop: the handle keeps the process alive
// while it is active (connecting, connected, listening), unless the app unref'd it.
import type { NetLoop } from './loop.js';

export class LoopRef {
  #refed = true;
  #active = false;

  constructor(readonly loop: NetLoop) {}

  /** Whether the handle is active, holding the loop unless unref'd. */
  get active(): boolean {
    return this.#active;
  }

  ref(): void {
    if (this.#refed) return;
    this.#refed = true;
    if (this.#active) this.loop.ref();
  }

  unref(): void {
    if (!this.#refed) return;
    this.#refed = false;
    if (this.#active) this.loop.unref();
  }

  /** The handle became active. */
  take(): void {
    this.#active = true;
    if (this.#refed) this.loop.ref();
  }

  /** The handle is no longer active (again: nothing). */
  drop(): void {
    if (!this.#active) return;
    this.#active = false;
    if (this.#refed) this.loop.unref();
  }
}
