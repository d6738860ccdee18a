// The baseline: a plain Node `net` echo server.
//   node build/js/bench/server-net.js [--max-seconds 60]
import net from 'node:net';
import { serverArgs, announcePort, makeStopCheck } from './server-args.js';

const args = serverArgs();
const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('data', (chunk) => socket.write(chunk));
  socket.on('error', () => socket.destroy());
});
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  const address = server.address();
  announcePort(typeof address === 'object' && address ? address.port : 0);
});

const stop = makeStopCheck(args.maxSeconds);
setInterval(() => {
  if (stop()) process.exit(0);
}, 250).unref();
setTimeout(() => process.exit(0), args.maxSeconds * 1000);
