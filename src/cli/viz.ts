// `io-reactor viz <trace.json> [--port N]`: serves a recorded trace to the visualizer page on
// 127.0.0.1 and prints the page's URL; Ctrl-C stops it.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseTrace, TraceFileError } from '../viz/parse.js';
import { serveViz } from '../viz/server.js';

const USAGE = 'usage: io-reactor viz <trace.json> [--port N]   (N: 0 to 65535; 0, the default, picks a free port)';

export async function run(args: string[]): Promise<number> {
  let file: string;
  let port: number;
  try {
    const { values, positionals } = parseArgs({ args, options: { port: { type: 'string', default: '0' } }, allowPositionals: true });
    if (positionals.length !== 1) throw new Error(positionals.length === 0 ? 'name the trace file to show' : `one trace file at a time, got ${positionals.length}`);
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port} is not a port number`);
    file = positionals[0];
  } catch (e) {
    console.error(`io-reactor viz: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
    parseTrace(text, file);
  } catch (e) {
    console.error(e instanceof TraceFileError ? `io-reactor viz: ${e.message}` : `io-reactor viz: cannot read ${file}: ${(e as Error).message}`);
    return 1;
  }
  let server;
  try {
    server = await serveViz({ port, traceJson: text });
  } catch (e) {
    console.error(`io-reactor viz: cannot listen on 127.0.0.1:${port} (${(e as Error).message}); pick another --port, or 0 for any free one`);
    return 1;
  }
  console.log(`visualizer: ${server.url}  (open it in a browser; Ctrl-C stops)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
