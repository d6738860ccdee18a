// A simulated host's console: what a test types arrives on the host's stdin (fd 0) as a pipe's
// bytes would, after the network's delay and in order; ending it is end of stream.
import type { SimNetwork } from './network.js';
import { Random } from './random.js';
import { ReactorError } from '../errors.js';
import type { ByteQueue } from './byte-queue.js';

/** The stdin end as the kernel keeps it (kernel.ts's Stream). */
export interface ConsoleStdin {
  inbox: ByteQueue;
  inboxBytes: number;
  finReceived: boolean;
  closed: boolean;
}

export class SimConsole {
  #lastArrival = 0;
  #ended = false;
  /** Its own stream: typing into a run leaves the network's draws (and so its segments' delays) as they were. */
  readonly #random: Random;

  /**
   * `sent` hears each write as the kernel's sends are heard (the oracle owes them to the reader);
   * `arrived` tells the kernel stdin's readiness rose (its epoll ready lists, its parked waits).
   */
  constructor(
    readonly stdin: ConsoleStdin,
    readonly network: SimNetwork<unknown>,
    host: string,
    readonly sent: (bytes: Uint8Array) => void,
    readonly arrived: () => void,
  ) {
    this.#random = new Random(network.seed, `console:${host}`);
  }

  /** Types `input` (utf-8 for a string); it reaches stdin after the network's delay. */
  write(input: Uint8Array | string): void {
    if (this.#ended) throw new ReactorError('EINVAL', 'console.write: the console was ended; nothing can be typed after end()');
    const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input.slice();
    if (bytes.length === 0) return;
    this.sent(bytes);
    this.#deliver((s) => {
      s.inbox.push(bytes, 0, bytes.length);
      s.inboxBytes += bytes.length;
    });
  }

  /** Closes the typing end: once what was typed is read, stdin reads end of stream. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#deliver((s) => {
      s.finReceived = true;
    });
  }

  #deliver(what: (stdin: ConsoleStdin) => void): void {
    const net = this.network;
    const at = Math.max(net.now + net.delay(this.#random), this.#lastArrival);
    this.#lastArrival = at;
    const arrive = (): void => {
      if (this.stdin.closed) return;
      what(this.stdin);
      this.arrived();
      net.changed();
    };
    if (at <= net.now) arrive();
    else net.schedule(at, arrive);
  }
}
