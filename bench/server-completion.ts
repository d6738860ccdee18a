// Echo server on io-reactor's completion model: the listener yields ACCEPT events, each READ
// event carries its bytes in `buffer`; the app posts them back with postWrite and reposts the read.
// Only failed writes report (writeEvents: 'failures').
//   node build/js/bench/server-completion.js [--mechanism epoll|poll|io_uring] [--max-seconds 60] [--max-conns 1000] [--size 64]
import { Reactor, EventType } from '../src/index.js';
import { DEFAULT_BUFFER_SIZE } from '../src/limits.js';
import { serverArgs, announcePort, makeStopCheck } from './server-args.js';

const args = serverArgs();
// Per connection: one read posted, one write in flight, one buffer held until the next wait.
const poolSize = Math.min(65536, 4 * args.maxConns + 256);
// A buffer holds a whole message, as a server sized for its protocol would have it.
const bufferSize = Math.max(DEFAULT_BUFFER_SIZE, args.messageBytes);
// An echo needs no word that a write finished: only a failed one, which closes the connection.
const reactor = await Reactor.create<number>({
  model: 'completion',
  mechanism: args.mechanism,
  poolSize,
  bufferSize,
  writeEvents: 'failures',
});
const os = reactor.os;
const { fd: listener, port } = os.listen(0, '127.0.0.1', 4096);
reactor.add(listener, listener, EventType.READ);
announcePort(port);

/** Accepted connections by fd (an array: a Set's hash lookup per event showed in the profile). */
const open: boolean[] = [];
let refused = 0;

function closeConn(fd: number): void {
  if (!open[fd]) return;
  open[fd] = false;
  try {
    os.close(fd);
  } catch {
    // already gone
  }
}

/** The loop lives in a function, as an app's would: V8 optimizes it whole rather than on-stack-replaced module code. */
function serve(stop: () => boolean): void {
  while (!stop()) {
    for (const e of reactor.wait(50)) {
      if (e.fd === listener) {
        // The listener keeps its accepts posted by itself; a failed accept is not the listener's end.
        if (e.type & EventType.ACCEPT && e.acceptedFd !== undefined && e.acceptedFd >= 0) {
          open[e.acceptedFd] = true;
          reactor.add(e.acceptedFd, e.acceptedFd, EventType.READ);
        }
        continue;
      }
      if (!open[e.fd]) continue;
      if (e.type & (EventType.ERROR | EventType.CLOSE)) {
        closeConn(e.fd);
      } else if (e.type & EventType.READ && e.buffer) {
        try {
          reactor.postWrite(e.fd, e.buffer);
          reactor.postRead(e.fd);
        } catch {
          refused++;
          closeConn(e.fd);
        }
      }
    }
  }
}

serve(makeStopCheck(args.maxSeconds));
if (refused > 0) process.stderr.write(`server-completion: ${refused} connections closed after a refused post\n`);
reactor.destroy();
process.exit(0);
