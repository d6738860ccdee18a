// The visualizer's web server, on 127.0.0.1 only: the page (build/viz), the core and the
// emscripten shim it runs simulations on, and what it shows: a trace file or a live feed.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { LiveFeed } from './live.js';

export interface VizServerOptions {
  /** 0 (the default): any free port. */
  port?: number;
  /** A trace file's text, served as /trace.json. */
  traceJson?: string;
  live?: LiveFeed;
}

export interface VizServer {
  /** The page's address, showing the trace or the live feed. */
  url: string;
  close(): Promise<void>;
}

const build = new URL('../../../', import.meta.url);
/** Path → [file under build/, content type]: all the server ever reads from disk. */
const FILES: Record<string, [string, string]> = {
  '/': ['viz/index.html', 'text/html; charset=utf-8'],
  '/app.js': ['viz/app.js', 'text/javascript'],
  '/app.js.map': ['viz/app.js.map', 'application/json'],
  '/core.wasm': ['core.wasm', 'application/wasm'],
  '/sim/shim.mjs': ['sim/shim.mjs', 'text/javascript'],
  '/sim/shim-wasm.mjs': ['sim/shim-wasm.mjs', 'text/javascript'],
};

export async function serveViz(options: VizServerOptions = {}): Promise<VizServer> {
  const server = createServer((request, response) => {
    handle(request, response, options).catch((e: Error) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`io-reactor viz: ${e.message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const query = options.live ? '?live' : options.traceJson !== undefined ? '?trace=/trace.json' : '';
  return {
    url: `http://127.0.0.1:${port}/${query}`,
    close: () =>
      new Promise((resolve) => {
        options.live?.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, options: VizServerOptions): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
  if (path === '/trace.json' && options.traceJson !== undefined) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(options.traceJson);
  } else if (path === '/live' && options.live) {
    options.live.attach(response);
  } else if (FILES[path]) {
    const [file, type] = FILES[path];
    const body = await readFile(new URL(file, build)).catch(() => null);
    if (body === null) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end(`io-reactor viz: build/${file} is missing; run npm run build\n`);
      return;
    }
    response.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
    response.end(body);
  } else {
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found\n');
  }
}
