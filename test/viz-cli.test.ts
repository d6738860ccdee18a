// `io-reactor viz`: serves a trace file on 127.0.0.1 and prints the page's URL; bad flags and
// files that are not traces get a message that says what to do.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toChromeTrace } from '../src/index.js';
import type { Trace } from '../src/trace/format.js';

const CLI = new URL('../src/cli/main.js', import.meta.url).pathname;
const FIXTURE = new URL('../../../test/fixtures/viz-echo.trace.json', import.meta.url).pathname;

function cli(...args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

test('viz serves the trace, the page and core.wasm as application/wasm, and stops on Ctrl-C', async () => {
  const child = spawn(process.execPath, [CLI, 'viz', FIXTURE], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  const end = Date.now() + 10000;
  while (!/http:\/\/127\.0\.0\.1:\d+\/\?trace=\/trace\.json/.test(out) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  const url = new URL(/http:\S+/.exec(out)![0]);
  const trace = await fetch(new URL('/trace.json', url));
  expect(await trace.text()).toBe(readFileSync(FIXTURE, 'utf8'));
  expect((await fetch(url)).headers.get('content-type')).toMatch(/^text\/html/);
  expect((await fetch(new URL('/core.wasm', url))).headers.get('content-type')).toBe('application/wasm');
  expect((await fetch(new URL('/nothing', url))).status).toBe(404);
  child.kill('SIGINT');
  const [code] = await new Promise<[number | null]>((resolve) => child.on('exit', (c) => resolve([c])));
  expect(code).toBe(0);
});

test('a file that is not a trace is refused with what is wrong with it and how to make one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'viz-cli-'));
  const cases: [string, RegExp][] = [
    [
      '{"format": "io-reactor-trace", "version": 1, "reactors": [], "records": [{"k": "event"}]}',
      /record 0 has a time "t" that is missing/,
    ],
    ['[1, 2', /it is not JSON/],
    ['{"format": "chrome"}', /its "format" is "chrome", not "io-reactor-trace"/],
  ];
  for (const [content, problem] of cases) {
    const file = join(dir, 'bad.json');
    writeFileSync(file, content);
    const r = cli('viz', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(problem);
    expect(r.stderr).toMatch(/save JSON\.stringify\(recorder\.toJSON\(\)\)/);
  }
  expect(cli('viz', join(dir, 'missing.json')).stderr).toMatch(/cannot read .*missing\.json/);
});

test('a Chrome trace is recognised and sent to Perfetto', () => {
  const dir = mkdtempSync(join(tmpdir(), 'viz-cli-'));
  const chrome = toChromeTrace(JSON.parse(readFileSync(FIXTURE, 'utf8')) as Trace);
  for (const content of [JSON.stringify(chrome), JSON.stringify(chrome.traceEvents)]) {
    const file = join(dir, 'chrome.json');
    writeFileSync(file, content);
    const r = cli('viz', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/this is a Chrome trace .*open it in ui\.perfetto\.dev/);
  }
});

test('bad flags and unknown commands print the usage and exit 2', () => {
  for (const args of [['viz'], ['viz', '--port', '70000', FIXTURE], ['viz', '--colour', FIXTURE], ['viz', FIXTURE, FIXTURE]]) {
    const r = cli(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/usage: io-reactor viz <trace\.json> \[--port N\]/);
  }
  const r = cli('fly');
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/unknown command "fly"\nusage: io-reactor <command>/);
});
