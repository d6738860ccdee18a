// The simulated kernel's stream sockets (one end of a connection, or of a socket pair, or stdin)
// and its listeners with their backlog of connections not yet accepted.
import { Watched } from './file.js';
import { ERRNO } from '../seam.js';
import { ByteQueue } from './byte-queue.js';
import { InFlight } from './in-flight.js';

/** Where one end of a TCP connection, or a listener, is: a host name (or a loopback literal) and a port. */
export interface SimAddress {
  address: string;
  port: number;
}

/** A stream that never sends (stdin): nothing of it is ever on the wire. */
function noArrival(): void {
  throw new Error('io-reactor: a data segment arrived from a stream that sends none; this is a bug, please report it');
}

export class Stream extends Watched {
  readonly kind = 'stream';
  peer: Stream | null = null;
  /** The bytes sent to this end: its first inboxBytes arrived and wait to be read, the rest are on the wire. */
  readonly inbox = new ByteQueue();
  inboxBytes = 0;
  /** This end's data segments on the wire to its peer. */
  readonly segments = new InFlight();
  /** Lands this end's oldest data segment at its peer (Sockets: made once per stream, scheduled per segment). */
  arrive: () => void = noArrival;
  /** When this end's last segment reaches the peer: keeps each direction in order. */
  lastArrival = 0;
  finReceived = false;
  resetReceived = false;
  shutWrite = false;
  closed = false;
  /** The socket's error (SO_ERROR): the next recv, send or SO_ERROR reports it once and clears it. */
  pendingError = 0;
  /** This end's address, as getsockname reports it (its peer's is getpeername's); null for a socket pair or stdin. */
  local: SimAddress | null = null;
  /** The kernel observer's own record of this end (the oracle's): kept here, not in a map it looks up per send and read. */
  observed: unknown = null;
  /** `host`: the host this end lives on, which a one-way partition may cut off. */
  constructor(
    readonly latency: boolean,
    readonly host: string,
  ) {
    super();
  }

  /**
   * An RST arrives, as Linux's tcp_reset takes it: what is queued stays readable, the error is
   * reported once, then reads give end of stream; a second RST finds the connection closed and
   * changes nothing. After the peer's FIN (CLOSE_WAIT) Linux's error is EPIPE.
   */
  reset(): void {
    if (this.resetReceived) return;
    this.resetReceived = true;
    this.pendingError = this.finReceived && !this.shutWrite ? ERRNO.EPIPE : ERRNO.ECONNRESET;
  }
}

export class Listener extends Watched {
  readonly kind = 'listener';
  backlog: Stream[] = [];
  /** `address`: the one it was asked to listen on, which getsockname reports. */
  constructor(
    public port: number,
    readonly backlogMax: number,
    readonly address: string,
  ) {
    super();
  }
}
