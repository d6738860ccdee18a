// Echo server on io-reactor's readiness model: level-triggered READ, the app accepts, receives
// and sends with reactor.os, receiving into one reused buffer and sending from it (no allocation
// per message). Unsent tails wait for WRITE (reading pauses meanwhile).
//   node build/js/bench/server-readiness.js [--mechanism epoll|poll] [--max-seconds 60]
import { Reactor, EventType } from '../src/index.js';
import { serverArgs, announcePort, makeStopCheck } from './server-args.js';

const args = serverArgs();
const reactor = await Reactor.create<number>({ model: 'readiness', mechanism: args.mechanism });
const os = reactor.os;
const { fd: listener, port } = os.listen(0, '127.0.0.1', 4096);
reactor.add(listener, listener, EventType.READ);
announcePort(port);

/** Bytes a connection still owes its peer (the kernel took only part of a send): copies, as the
 * receive buffer is reused. */
const unsent = new Map<number, Uint8Array>();
const received = new Uint8Array(65536);

function closeConn(fd: number): void {
  unsent.delete(fd);
  try {
    os.close(fd);
  } catch {
    // already gone
  }
}

function acceptAll(): void {
  for (let i = 0; i < 4096; i++) {
    const fd = os.accept(listener);
    if (fd === null) return;
    reactor.add(fd, fd, EventType.READ);
  }
}

/** Sends data's first `length` bytes; what the kernel does not take waits for WRITE. */
function send(fd: number, data: Uint8Array, length: number): void {
  const taken = os.send(fd, data, length);
  if (taken === length) return;
  unsent.set(fd, data.slice(taken, length));
  reactor.modify(fd, EventType.WRITE);
}

function onWritable(fd: number): void {
  const rest = unsent.get(fd);
  if (!rest) return;
  unsent.delete(fd);
  send(fd, rest, rest.length);
  if (!unsent.has(fd)) reactor.modify(fd, EventType.READ);
}

function onReadable(fd: number): void {
  const length = os.recvInto(fd, received);
  if (length === null) return;
  if (length === 0) return closeConn(fd);
  send(fd, received, length);
}

/** The loop lives in a function, as an app's would: V8 optimizes it whole rather than on-stack-replaced module code. */
function serve(stop: () => boolean): void {
  while (!stop()) {
    for (const e of reactor.wait(50)) {
      if (e.fd === listener) {
        acceptAll();
        continue;
      }
      try {
        if (e.type & EventType.ERROR) closeConn(e.fd);
        else if (e.type & EventType.WRITE) onWritable(e.fd);
        else if (e.type & (EventType.READ | EventType.CLOSE)) onReadable(e.fd);
      } catch {
        closeConn(e.fd);
      }
    }
  }
}

serve(makeStopCheck(args.maxSeconds));
reactor.destroy();
process.exit(0);
