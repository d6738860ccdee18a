// The conformance bodies: each runs against a net implementation (node:net, io-reactor/net, or a
// simulated host's net) and asserts what node:net documents, so every implementation is held to
// the same behaviour. A body gets the server's and the client's net (the same one natively, two
// hosts in simulation) and the address clients reach the server at.
import { expect } from '@jest/globals';
import http from 'node:http';
import type { Duplex } from 'node:stream';

/** The part of node:net the bodies use; node:net, io-reactor/net and host.net all have it. */
export interface NetLike {
  createServer(listener?: (socket: any) => void): any;
  createServer(options: { allowHalfOpen?: boolean; pauseOnConnect?: boolean }, listener?: (socket: any) => void): any;
  connect(port: number, host: string, listener?: () => void): any;
  connect(options: { port: number; host: string; allowHalfOpen?: boolean }, listener?: () => void): any;
}

export interface NetEnv {
  server: NetLike;
  client: NetLike;
  /** The address a client connects to the server at. */
  host: string;
}

export type Body = (env: NetEnv) => Promise<void>;

/** Milliseconds, on whatever clock the program runs on (virtual in simulation). */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const once = <T = unknown>(emitter: { once(event: string, listener: (...args: any[]) => void): unknown }, event: string): Promise<T> =>
  new Promise((resolve) => emitter.once(event, resolve as (...args: any[]) => void));

/** A listening server and its port. */
async function listening(
  net: NetLike,
  listener: (socket: any) => void,
  options: { allowHalfOpen?: boolean } = {},
): Promise<{ server: any; port: number }> {
  const server = net.createServer(options, listener);
  server.listen(0);
  await once(server, 'listening');
  return { server, port: server.address().port };
}

function closeServer(server: any): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Everything a readable yields until its end. */
function collect(stream: Duplex): Promise<Buffer> {
  const parts: Buffer[] = [];
  stream.on('data', (d: Buffer) => parts.push(d));
  return new Promise((resolve, reject) => {
    stream.on('end', () => resolve(Buffer.concat(parts)));
    stream.on('error', reject);
  });
}

/** A deterministic pattern that shows any lost, repeated or reordered byte. */
function pattern(bytes: number, seed: number): Buffer {
  const b = Buffer.alloc(bytes);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

const TEN_MB = 10 * 1024 * 1024;

/** An IPv4 address as a dual-stack listener sees it ('::ffff:127.0.0.1'), written as IPv4. */
const unmapped = (address: string): string => address.replace(/^::ffff:/, '');

export const bodies: Record<string, Body> = {
  'echo: bytes written come back, then end and close': async ({ server: sNet, client: cNet, host }) => {
    const { server, port } = await listening(sNet, (s) => s.pipe(s));
    const socket = cNet.connect(port, host);
    await once(socket, 'connect');
    expect(socket.remotePort).toBe(port);
    socket.end('hello, reactor');
    const back = await collect(socket);
    expect(back.toString()).toBe('hello, reactor');
    expect(await once(socket, 'close')).toBe(false);
    expect(socket.bytesRead).toBe(14);
    await closeServer(server);
  },

  'each end knows both addresses: what the client calls its own end the server calls remote, and the reverse': async ({
    server: sNet,
    client: cNet,
    host,
  }) => {
    let accepted: (socket: any) => void = () => {};
    const serverSide = new Promise<any>((resolve) => {
      accepted = resolve;
    });
    const { server, port } = await listening(sNet, (s) => {
      s.resume();
      accepted(s);
    });
    // A server listening on no host listens on every address.
    expect(server.address()).toEqual({
      address: expect.stringMatching(/^(::|0\.0\.0\.0)$/),
      family: expect.stringMatching(/^IPv[46]$/),
      port,
    });
    const socket = cNet.connect(port, host);
    expect(socket.remoteAddress).toBeUndefined();
    await once(socket, 'connect');
    const s = await serverSide;
    expect({ address: socket.remoteAddress, port: socket.remotePort, family: socket.remoteFamily }).toEqual({
      address: host,
      port,
      family: 'IPv4',
    });
    expect(socket.localPort).toEqual(expect.any(Number));
    expect(socket.localPort).not.toBe(port);
    expect(socket.address()).toEqual({ address: socket.localAddress, family: socket.localFamily, port: socket.localPort });
    expect({ address: unmapped(s.localAddress), port: s.localPort }).toEqual({ address: host, port });
    expect({ address: unmapped(s.remoteAddress), port: s.remotePort }).toEqual({ address: socket.localAddress, port: socket.localPort });
    expect(s.address()).toEqual({ address: s.localAddress, family: s.localFamily, port });
    // Once closed, a socket still names its peer (asked while open) but no longer its own end.
    socket.destroy();
    await once(socket, 'close');
    expect({ address: socket.remoteAddress, port: socket.remotePort }).toEqual({ address: host, port });
    expect({ address: socket.localAddress, port: socket.localPort, own: socket.address() }).toEqual({
      address: undefined,
      port: undefined,
      own: {},
    });
    await closeServer(server);
    expect(server.address()).toBeNull();
  },

  'past maxConnections a connection is dropped: drop names both its ends, and the client sees it close': async ({
    server: sNet,
    client: cNet,
    host,
  }) => {
    const { server, port } = await listening(sNet, (s) => s.resume());
    server.maxConnections = 1;
    const held = once(server, 'connection');
    const first = cNet.connect(port, host);
    await held;
    const dropped = once<any>(server, 'drop');
    const second = cNet.connect(port, host);
    second.on('error', () => {}); // the close may come as a reset
    const secondConnected = once(second, 'connect');
    const secondClosed = once(second, 'close');
    await secondConnected;
    const [secondAddress, secondPort] = [second.localAddress, second.localPort];
    const drop = await dropped;
    expect({ address: unmapped(drop.localAddress), port: drop.localPort }).toEqual({ address: host, port });
    expect({ address: unmapped(drop.remoteAddress), port: drop.remotePort }).toEqual({ address: secondAddress, port: secondPort });
    await secondClosed;
    first.destroy();
    await closeServer(server);
  },

  '10 MB arrive intact both ways': async ({ server: sNet, client: cNet, host }) => {
    const up = pattern(TEN_MB, 1);
    const down = pattern(TEN_MB, 2);
    let received: Promise<Buffer> | null = null;
    const { server, port } = await listening(sNet, (s) => {
      received = collect(s);
      s.end(down);
    });
    const socket = cNet.connect(port, host);
    const got = collect(socket);
    socket.end(up);
    expect((await got).equals(down)).toBe(true);
    expect((await received!).equals(up)).toBe(true);
    await closeServer(server);
  },

  'pause stops data and resume brings the rest, in order': async ({ server: sNet, client: cNet, host }) => {
    const { server, port } = await listening(sNet, (s) => s.end('one,two,three'));
    const socket = cNet.connect(port, host);
    const chunks: string[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d.toString()));
    socket.pause();
    await sleep(100);
    expect(chunks).toEqual([]);
    const ended = once(socket, 'end');
    socket.resume();
    await ended;
    expect(chunks.join('')).toBe('one,two,three');
    await closeServer(server);
  },

  'a paused reader holds the writer back: write returns false, drain only after resume': async ({ server: sNet, client: cNet, host }) => {
    let serverSide: any;
    const { server, port } = await listening(sNet, (s) => {
      serverSide = s;
      s.pause();
    });
    const socket = cNet.connect(port, host);
    await once(socket, 'connect');
    const chunk = Buffer.alloc(64 * 1024, 7);
    let sent = 0;
    // Writes until a write that returned false hears no drain: kernel buffers are finite.
    for (let held = false; !held; ) {
      if (sent > 64 * 1024 * 1024) throw new Error('64 MB went out to a paused reader: the writer was never held back');
      sent += chunk.length;
      if (!socket.write(chunk)) held = !(await Promise.race([once(socket, 'drain').then(() => true), sleep(200).then(() => false)]));
    }
    let got = 0;
    serverSide.on('data', (d: Buffer) => {
      got += d.length;
    });
    serverSide.resume();
    await once(socket, 'drain');
    socket.end();
    await once(serverSide, 'end');
    expect(got).toBe(sent);
    await closeServer(server);
  },

  'write returns false past writableHighWaterMark, then drain': async ({ server: sNet, client: cNet, host }) => {
    const { server, port } = await listening(sNet, (s) => s.resume());
    const socket = cNet.connect(port, host);
    const big = Buffer.alloc(socket.writableHighWaterMark + 1, 1);
    expect(socket.write(big)).toBe(false);
    await once(socket, 'drain');
    expect(socket.writableLength).toBe(0);
    socket.destroy();
    await closeServer(server);
  },

  'half-open: a server with allowHalfOpen answers after the client ended': async ({ server: sNet, client: cNet, host }) => {
    const { server, port } = await listening(
      sNet,
      (s) => {
        let got = '';
        s.on('data', (d: Buffer) => {
          got += d;
        });
        s.on('end', () => s.end(`you said ${got}`));
      },
      { allowHalfOpen: true },
    );
    const socket = cNet.connect({ port, host, allowHalfOpen: true });
    const answer = collect(socket);
    socket.end('ping');
    expect((await answer).toString()).toBe('you said ping');
    await closeServer(server);
  },

  'without allowHalfOpen a socket ends its side when the peer ends': async ({ server: sNet, client: cNet, host }) => {
    let serverClosed: Promise<unknown> = Promise.resolve();
    let serverSide: any;
    const { server, port } = await listening(sNet, (s) => {
      serverSide = s;
      serverClosed = once(s, 'close');
      s.resume();
    });
    const socket = cNet.connect(port, host);
    const clientClosed = once(socket, 'close');
    socket.resume();
    await once(socket, 'connect');
    socket.end();
    await clientClosed;
    await serverClosed;
    expect(serverSide.writableEnded).toBe(true);
    await closeServer(server);
  },

  'a refused connect is an ECONNREFUSED error with syscall, address and port': async ({ server: sNet, client: cNet, host }) => {
    const { server, port } = await listening(sNet, () => undefined);
    await closeServer(server);
    const socket = cNet.connect(port, host);
    let connected = false;
    socket.on('connect', () => {
      connected = true;
    });
    const error: any = await once(socket, 'error');
    expect(connected).toBe(false);
    expect(Object.prototype.toString.call(error)).toBe('[object Error]');
    expect(error).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect', address: host, port, errno: -111 });
    expect(error.message).toBe(`connect ECONNREFUSED ${host}:${port}`);
    expect(await once(socket, 'close')).toBe(true);
  },

  'a peer closing with unread data resets the connection: ECONNRESET or EPIPE': async ({ server: sNet, client: cNet, host }) => {
    const { server, port } = await listening(sNet, (s) => {
      // Reads at most its high-water mark, so most of the client's megabyte stays unread in the
      // kernel, and closing then answers with a reset.
      s.pause();
      setTimeout(() => s.destroy(), 50);
    });
    const socket = cNet.connect(port, host);
    const failed = once<any>(socket, 'error');
    socket.write(Buffer.alloc(1024 * 1024, 1));
    socket.resume();
    const error = await failed;
    expect(['ECONNRESET', 'EPIPE']).toContain(error.code);
    expect(['read', 'write']).toContain(error.syscall);
    await closeServer(server);
  },

  'a second listen on a port in use is EADDRINUSE on the error event': async ({ server: sNet }) => {
    const first = sNet.createServer();
    first.listen(0, '127.0.0.1');
    await once(first, 'listening');
    const port = first.address().port;
    const second = sNet.createServer();
    second.listen(port, '127.0.0.1');
    const error: any = await once(second, 'error');
    expect(error).toMatchObject({ code: 'EADDRINUSE', syscall: 'listen', address: '127.0.0.1', port, errno: -98 });
    expect(second.listening).toBe(false);
    await closeServer(first);
  },

  'server close stops new connections and waits for open ones before close': async ({ server: sNet, client: cNet, host }) => {
    const sockets: any[] = [];
    const { server, port } = await listening(sNet, (s) => {
      sockets.push(s);
      s.resume();
    });
    const open = cNet.connect(port, host);
    open.resume();
    await once(open, 'connect');
    while (sockets.length === 0) await sleep(5);
    let closed = false;
    server.close(() => {
      closed = true;
    });
    expect(server.listening).toBe(false);
    const count = await new Promise((resolve) => server.getConnections((_e: unknown, n: number) => resolve(n)));
    expect(count).toBe(1);
    const refused: any = await once(cNet.connect(port, host), 'error');
    expect(refused.code).toBe('ECONNREFUSED');
    await sleep(50);
    expect(closed).toBe(false);
    open.end();
    while (!closed) await sleep(5);
  },

  'setTimeout emits timeout after idleness and leaves the socket open': async ({ server: sNet, client: cNet, host }) => {
    const { server, port } = await listening(sNet, (s) => s.resume());
    const socket = cNet.connect(port, host);
    await once(socket, 'connect');
    const start = Date.now();
    socket.setTimeout(100);
    await once(socket, 'timeout');
    expect(Date.now() - start).toBeGreaterThanOrEqual(90);
    expect(socket.destroyed).toBe(false);
    expect(socket.timeout).toBe(100);
    socket.setTimeout(0);
    socket.destroy();
    await closeServer(server);
  },

  'http: keep-alive reuses one connection for several requests': async ({ server: sNet, client: cNet, host }) => {
    const app = http.createServer((req, res) => res.end(`${req.method} ${req.url}`));
    const { server, port } = await listening(sNet, (s) => app.emit('connection', s));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    (agent as any).createConnection = (o: { port: number }) => cNet.connect(o.port, host);
    const sockets = new Set<unknown>();
    const get = (path: string): Promise<string> =>
      new Promise((resolve, reject) => {
        http
          .get({ host, port, path, agent }, (res) => {
            sockets.add(res.socket);
            let body = '';
            res.on('data', (d) => {
              body += d;
            });
            res.on('end', () => resolve(body));
          })
          .on('error', reject);
      });
    expect(await get('/a')).toBe('GET /a');
    expect(await get('/b')).toBe('GET /b');
    expect(await get('/c')).toBe('GET /c');
    expect(sockets.size).toBe(1);
    agent.destroy();
    app.close();
    await closeServer(server);
  },

  'http: chunked bodies both ways': async ({ server: sNet, client: cNet, host }) => {
    const app = http.createServer((req, res) => {
      expect(req.headers['transfer-encoding']).toBe('chunked');
      let got = '';
      req.on('data', (d) => {
        got += d;
      });
      req.on('end', () => {
        res.write('got:');
        setTimeout(() => res.end(got), 10);
      });
    });
    const { server, port } = await listening(sNet, (s) => app.emit('connection', s));
    const body = await new Promise<{ text: string; encoding?: string }>((resolve, reject) => {
      const req = http.request({ host, port, method: 'POST', path: '/', createConnection: () => cNet.connect(port, host) }, (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ text, encoding: res.headers['transfer-encoding'] }));
      });
      req.on('error', reject);
      req.write('a');
      setTimeout(() => {
        req.write('b');
        req.end('c');
      }, 10);
    });
    expect(body).toEqual({ text: 'got:abc', encoding: 'chunked' });
    app.close();
    await closeServer(server);
  },

  'http: req.socket knows the address and port the client connected from': async ({ server: sNet, client: cNet, host }) => {
    const app = http.createServer((req, res) => res.end(`${unmapped(req.socket.remoteAddress!)} ${req.socket.remotePort}`));
    const { server, port } = await listening(sNet, (s) => app.emit('connection', s));
    let clientEnd = '';
    const connect = (): any => {
      const socket = cNet.connect(port, host);
      socket.once('connect', () => {
        clientEnd = `${socket.localAddress} ${socket.localPort}`;
      });
      return socket;
    };
    const answer = await new Promise<string>((resolve, reject) => {
      http
        .get({ host, port, path: '/', createConnection: connect }, (res) => {
          let text = '';
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(answer).toBe(clientEnd);
    expect(clientEnd).toMatch(/^\S+ \d+$/);
    app.close();
    await closeServer(server);
  },

  'http: a 10 MB upload arrives whole': async ({ server: sNet, client: cNet, host }) => {
    const upload = pattern(TEN_MB, 3);
    const app = http.createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => res.end(String(Buffer.concat(parts).equals(upload))));
    });
    const { server, port } = await listening(sNet, (s) => app.emit('connection', s));
    const answer = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        {
          host,
          port,
          method: 'PUT',
          path: '/blob',
          headers: { 'content-length': upload.length },
          createConnection: () => cNet.connect(port, host),
        },
        (res) => {
          let text = '';
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end(upload);
    });
    expect(answer).toBe('true');
    app.close();
    await closeServer(server);
  },
};
