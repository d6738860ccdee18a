// The node:net-shaped API over one stack: what `io-reactor/net` exports natively, and what
// `sim.host(name).net` is on a simulated host.
import { isIP, isIPv4, isIPv6 } from 'node:net';
import { Socket as StackSocket, connectArgs, type SocketConstructorOpts, type AcceptedFd } from './socket.js';
import { Server as StackServer, type ServerOpts } from './server.js';
import type { NetStack } from './stack.js';

export interface NetApi {
  Socket: new (options?: SocketConstructorOpts) => StackSocket;
  Server: new (options?: ServerOpts | ((socket: StackSocket) => void), connectionListener?: (socket: StackSocket) => void) => StackServer;
  createServer(options?: ServerOpts | ((socket: StackSocket) => void), connectionListener?: (socket: StackSocket) => void): StackServer;
  connect(...args: unknown[]): StackSocket;
  createConnection(...args: unknown[]): StackSocket;
  isIP: typeof isIP;
  isIPv4: typeof isIPv4;
  isIPv6: typeof isIPv6;
}

/** The API bound to a stack, opened on first use (`stack()` is called once, then kept). */
export function netApi(openStack: () => NetStack): NetApi {
  let opened: NetStack | null = null;
  const stack = (): NetStack => (opened ??= openStack());

  class Socket extends StackSocket {
    constructor(options?: SocketConstructorOpts, accepted?: AcceptedFd) {
      super(stack(), options, accepted);
    }
  }

  class Server extends StackServer {
    constructor(options?: ServerOpts | ((socket: StackSocket) => void), connectionListener?: (socket: StackSocket) => void) {
      if (typeof options === 'function') super(stack(), Socket, {}, options);
      else super(stack(), Socket, options ?? {}, connectionListener);
    }
  }

  const connect = (...args: unknown[]): StackSocket => {
    const { options } = connectArgs(args);
    return new Socket(options).connect(...args);
  };
  return {
    Socket,
    Server,
    createServer: (options, connectionListener) => new Server(options, connectionListener),
    connect,
    createConnection: connect,
    isIP,
    isIPv4,
    isIPv6,
  };
}
