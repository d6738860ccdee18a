// A server of the net benchmark: 64-byte echo (socket.pipe(socket)) or http hello-world, on
// node:net or io-reactor/net; the http app is the same node:http server on both.
//   node build/js/bench/net-server.js --impl node|reactor --app echo|http [--max-seconds 60]
import http from 'node:http';
import { parseArgs } from 'node:util';
import * as nodeNet from 'node:net';
import * as reactorNet from '../src/net/index.js';
import { announcePort } from './server-args.js';

const { values } = parseArgs({
  options: { impl: { type: 'string' }, app: { type: 'string' }, 'max-seconds': { type: 'string', default: '60' } },
});
const net = values.impl === 'reactor' ? reactorNet : nodeNet;
const hello = http.createServer((_req, res) => res.end('hello world'));
const server =
  values.app === 'http'
    ? net.createServer((socket: nodeNet.Socket | reactorNet.Socket) => hello.emit('connection', socket))
    : net.createServer((socket: nodeNet.Socket | reactorNet.Socket) => socket.pipe(socket));
server.listen(0, '127.0.0.1', () => announcePort((server.address() as nodeNet.AddressInfo).port));
// Ends by itself even if the driver is killed before stopping it.
setTimeout(() => process.exit(0), Number(values['max-seconds']) * 1000).unref();
