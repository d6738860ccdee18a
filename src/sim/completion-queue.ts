// What the simulated kernel's completion mechanisms share (io_uring's ring in uring.ts, IOCP's
// ports in iocp.ts): a queue of completions taken oldest first, fed by operations in flight over
// the kernel's sockets, which are retried whenever the network delivers something and end when
// their fd closes.
import type { SimKernel } from './kernel.js';

export abstract class CompletionQueue<C> {
  protected readonly kernel: SimKernel;
  /** The reactor's memory, where the operations' buffers are. */
  protected readonly memory: Uint8Array;
  /** Completions not taken yet, oldest first. */
  protected readonly completions: C[] = [];
  #progressing = false;
  #again = false;
  readonly #stopWatching: () => void;
  readonly #stopHooking: () => void;

  constructor(kernel: SimKernel, memory: Uint8Array) {
    this.kernel = kernel;
    this.memory = memory;
    this.#stopWatching = kernel.network.watch(() => this.progress());
    this.#stopHooking = kernel.onClose((fd) => this.closed(fd));
  }

  /** Stops following the kernel and forgets the completions; a subclass forgets what is in flight. */
  shut(): void {
    this.#stopWatching();
    this.#stopHooking();
    this.completions.length = 0;
  }

  /** Completes what the kernel can finish now; re-entered (through a send's delivery), it repeats. */
  protected progress(): void {
    if (this.#progressing) {
      this.#again = true;
      return;
    }
    this.#progressing = true;
    try {
      do {
        this.#again = false;
        this.pass();
      } while (this.#again);
    } finally {
      this.#progressing = false;
    }
  }

  /** Waits in virtual time up to timeoutMs for a completion, retrying what is in flight; takes up to max. */
  protected take(max: number, timeoutMs: number): C[] {
    this.kernel.waitFor(timeoutMs, () => {
      this.progress();
      return this.completions.length;
    });
    return this.completions.splice(0, Math.min(max, this.completions.length));
  }

  /** One try of everything in flight, completing what can finish. */
  protected abstract pass(): void;

  /** fd closed: the file is gone, so what is in flight on it ends. */
  protected abstract closed(fd: number): void;
}
