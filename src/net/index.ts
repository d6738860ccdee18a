// io-reactor/net: node:net's API (sockets as streams, servers, Node's errors) over one reactor per
// thread, so Node programs, node:http included, run on io-reactor unchanged.
import { Reactor } from '../reactor.js';
import { netApi } from './api.js';
import { NetLoop, type Watcher } from './loop.js';
import { resolveNative } from './stack.js';
import type { Socket as StackSocket } from './socket.js';
import type { Server as StackServer } from './server.js';

const api = netApi(() => ({
  loop: new NetLoop({ open: () => Reactor.create<Watcher>({ model: 'readiness' }), native: true }),
  resolve: resolveNative,
  anyAddress: '::',
}));

export const { Socket, Server, createServer, connect, createConnection, isIP, isIPv4, isIPv6 } = api;
export type Socket = StackSocket;
export type Server = StackServer;
export type { SocketConstructorOpts, SocketConnectOpts } from './socket.js';
export type { ServerOpts, ListenOptions } from './server.js';
export type { NetApi } from './api.js';
export type { NodeSystemError } from './errors.js';
export default api;
