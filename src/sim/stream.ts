// The simulated kernel's stream sockets (one end of a connection, or of a socket pair, or stdin)
// and its listeners with their backlog of connections not yet accepted.
import { Watched } from './file.js';

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
  pendingError = 0;
  /** `host`: the host this end lives on, which a one-way partition may cut off. */
  constructor(readonly latency: boolean, readonly host: string) {
    super();
  }
}

export class Listener extends Watched {
  readonly kind = 'listener';
  backlog: Stream[] = [];
  constructor(public port: number, readonly backlogMax: number) {
    super();
  }
}
