// `io-reactor viz <trace.json> [--port N]`: serves a recorded trace to the visualizer page on
// 127.0.0.1 and prints the page's URL; Ctrl-C stops it.
import { readFile } from 'node:fs/promises';
import { parseTrace, TraceFileError } from '../viz/parse.js';
import { serveViz, type VizServer } from '../viz/server.js';
import { parseCommandLine, refuseUsage, UsageError, EXIT_OK, EXIT_FAILED } from './usage.js';

export const usage = `usage: io-reactor viz <trace.json> [--port N]
  trace.json   a trace saved as JSON.stringify(recorder.toJSON()) of a TraceRecorder
  --port N     0 to 65535; 0, the default, picks a free port
exit code: 0 stopped by Ctrl-C, 1 the file is not a trace or the port is taken, 2 bad usage`;

function parse(args: string[]): { file: string; port: number } | 'help' {
  const { values, positionals } = parseCommandLine({
    args,
    options: { port: { type: 'string', default: '0' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) return 'help';
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? 'name the trace file to show' : `one trace file at a time, got ${positionals.length}`);
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535)
    throw new UsageError(`--port must be a port number from 0 to 65535, got ${JSON.stringify(values.port)}`);
  return { file: positionals[0], port };
}

export async function run(args: string[]): Promise<number> {
  let options: ReturnType<typeof parse>;
  try {
    options = parse(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return refuseUsage('io-reactor viz', e.message, usage);
  }
  if (options === 'help') {
    process.stdout.write(`${usage}\n`);
    return EXIT_OK;
  }
  const { file, port } = options;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
    parseTrace(text, file);
  } catch (e) {
    console.error(
      e instanceof TraceFileError ? `io-reactor viz: ${e.message}` : `io-reactor viz: cannot read ${file}: ${(e as Error).message}`,
    );
    return EXIT_FAILED;
  }
  let server: VizServer;
  try {
    server = await serveViz({ port, traceJson: text });
  } catch (e) {
    console.error(
      `io-reactor viz: cannot listen on 127.0.0.1:${port} (${(e as Error).message}); pick another --port, or 0 for any free one`,
    );
    return EXIT_FAILED;
  }
  console.log(`visualizer: ${server.url}  (open it in a browser; Ctrl-C stops)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return EXIT_OK;
}
