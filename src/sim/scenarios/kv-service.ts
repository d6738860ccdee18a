// A small HTTP key-value service and its client, written against node:http alone: the server is
// an http.Server, the client takes how to open a connection (io-reactor/net's connect natively,
// a simulated host's net.connect in a sweep). Copy it as the pattern for testing a service.
//   PUT /kv/<key> with the value as body → 204;  GET /kv/<key> → 200 and the value, or 404.
import http from 'node:http';
import type { Duplex } from 'node:stream';

/** The planted bug: the server stores only a PUT body's first chunk, as if one read held it all. */
export const KV_BUGS = ['first-chunk-only'] as const;

export function kvServer(bug?: string): http.Server {
  const store = new Map<string, string>();
  return http.createServer((req, res) => {
    const key = decodeURIComponent((req.url ?? '').replace(/^\/kv\//, ''));
    if (req.method === 'GET') {
      const value = store.get(key);
      res.statusCode = value === undefined ? 404 : 200;
      res.end(value);
      return;
    }
    if (req.method !== 'PUT') {
      res.statusCode = 405;
      res.end();
      return;
    }
    const parts: Buffer[] = [];
    if (bug === 'first-chunk-only') req.once('data', (d: Buffer) => parts.push(d)).resume();
    else req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      store.set(key, Buffer.concat(parts).toString());
      res.statusCode = 204;
      res.end();
    });
  });
}

/** The errors of a connection the network or the server ended: a request on it is sent again. */
const LOST = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOBUFS',
  'ETIMEDOUT',
  'ENOTCONN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/** Tries of one request before the client gives up: the service is not there. */
export const KV_ATTEMPTS_MAX = 10;
/** Pause before a request is sent again, in ms (virtual in a simulation). */
export const KV_RETRY_MS = 100;

/**
 * A client of the service over one kept-alive connection at a time. PUT and GET are idempotent,
 * so a request whose connection was lost is sent again on a new one (RFC 9110, 9.2.2).
 */
export class KvClient {
  readonly #agent: http.Agent;

  constructor(
    readonly host: string,
    readonly port: number,
    connect: (port: number, host: string) => Duplex,
  ) {
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    (this.#agent as unknown as { createConnection: () => Duplex }).createConnection = () => connect(port, host);
  }

  put(key: string, value: string): Promise<number> {
    return this.#request('PUT', key, value).then((r) => r.status);
  }

  get(key: string): Promise<{ status: number; value: string }> {
    return this.#request('GET', key);
  }

  close(): void {
    this.#agent.destroy();
  }

  async #request(method: string, key: string, body?: string): Promise<{ status: number; value: string }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#once(method, key, body);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === undefined || !LOST.has(code) || attempt === KV_ATTEMPTS_MAX) throw e;
        await new Promise((resolve) => setTimeout(resolve, KV_RETRY_MS));
      }
    }
  }

  #once(method: string, key: string, body?: string): Promise<{ status: number; value: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: this.host, port: this.port, method, path: `/kv/${encodeURIComponent(key)}`, agent: this.#agent },
        (res) => {
          let value = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            value += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, value }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}
