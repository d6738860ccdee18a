// The simulated kernel's stream sockets (one end of a connection, or of a socket pair, or stdin)
// and its listeners with their backlog of connections not yet accepted.
import { Watched } from './file.js';
import { ERRNO } from '../seam.js';

/** Where one end of a TCP connection, or a listener, is: a host name (or a loopback literal) and a port. */
export interface SimAddress {
  address: string;
  port: number;
}

export class Stream extends Watched {
  readonly kind = 'stream';
  peer: Stream | null = null;
  inbox: Uint8Array[] = [];
  inboxBytes = 0;
  /** Bytes sent to the peer and not yet delivered into its inbox. */
  inFlight = 0;
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
