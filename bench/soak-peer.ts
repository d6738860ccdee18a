// The far ends of the soak's connections, in their own process (one process may hold only so many
// fds). Driven over IPC by bench/soak.ts:
//   { connect: port, count } → opens them (256 connecting at once); replies { connected }
//   { traffic: size, perTick, tickMs } → each tick the next `perTick` connections (rotating) send
//                                `size` bytes and count a round trip when they all come back
//   { report: true }         → replies { roundTrips, badEchoes, open }
//   { close: true }          → ends every connection, replies { closed }; the peer exits when its
//                                parent disconnects
import net from 'node:net';

const CONNECTING_AT_ONCE = 256;
const sockets: net.Socket[] = [];
let roundTrips = 0;
let badEchoes = 0;
let open = 0;
let ticker: NodeJS.Timeout | undefined;

const send = (m: object): void => {
  process.send!(m);
};

function connectAll(port: number, count: number): void {
  let started = 0;
  const next = (): void => {
    if (started >= count) return;
    const socket = net.connect({ port, host: '127.0.0.1' }, () => {
      sockets.push(socket);
      open++;
      if (sockets.length === count) send({ connected: count });
      else next();
    });
    started++;
    socket.on('error', (error) => {
      send({ error: error.message });
      process.exit(1);
    });
    socket.on('close', () => {
      open--;
    });
  };
  for (let k = 0; k < Math.min(CONNECTING_AT_ONCE, count); k++) next();
}

/** A connection in ping-pong: a message out, the same bytes back, then it may send again. */
function ping(socket: net.Socket, message: Buffer): void {
  let got = 0;
  const onData = (chunk: Buffer): void => {
    if (!chunk.equals(message.subarray(got, got + chunk.length))) badEchoes++;
    got += chunk.length;
    if (got < message.length) return;
    socket.off('data', onData);
    (socket as net.Socket & { busy?: boolean }).busy = false;
    roundTrips++;
  };
  (socket as net.Socket & { busy?: boolean }).busy = true;
  socket.on('data', onData);
  socket.write(message);
}

function startTraffic(size: number, perTick: number, tickMs: number): void {
  let at = 0;
  let seq = 0;
  ticker = setInterval(() => {
    for (let k = 0; k < perTick; k++, at = (at + 1) % sockets.length) {
      const socket = sockets[at] as net.Socket & { busy?: boolean };
      if (socket.busy) continue;
      const message = Buffer.alloc(size, `${seq++ % 1000} from connection ${at};`);
      ping(socket, message);
    }
  }, tickMs);
}

process.on(
  'message',
  (m: { connect?: number; count?: number; traffic?: number; perTick?: number; tickMs?: number; report?: boolean; close?: boolean }) => {
    if (m.connect !== undefined) connectAll(m.connect, m.count!);
    else if (m.traffic !== undefined) startTraffic(m.traffic, m.perTick!, m.tickMs!);
    else if (m.report) send({ roundTrips, badEchoes, open });
    else if (m.close) {
      clearInterval(ticker);
      for (const s of sockets) s.destroy();
      send({ closed: sockets.length });
    }
  },
);
