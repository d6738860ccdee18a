// The flow between hosts in a real Chromium: a two-host sim trace's arrows join each segment sent
// to the take that got it (checked against the trace), lanes named and grouped by host, the details
// of every record kind, and a failing seed from the CLI opening on its marked failure.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../src/sim/scenarios/run-traced.js';
import type { Trace, SegmentRecord, TakeRecord } from '../src/trace/format.js';
import { tracePages, textMatches, ARTIFACTS } from './browser.js';
import { expectedTakes, expectSegmentDetails } from './viz-segment-takes.js';
import { jest } from '@jest/globals';

const CLI = new URL('../src/cli/main.js', import.meta.url).pathname;

// A real browser on a shared 2-core machine: page loads can take seconds.
jest.setTimeout(120_000);

const open = tracePages();

test('in a two-host chat run every segment is an arrow from its send to the take that got it on the peer', async () => {
  const { trace, outcome } = await runScenario('chat', 3, 'readiness');
  expect(outcome.ok).toBe(true);
  const takes = expectedTakes(trace);
  const segments = [...takes.keys()];
  // The chat's server and its clients: connects, lines both ways, the FINs of /quit.
  const hosts = new Set(trace.records.filter((r): r is SegmentRecord => r.k === 'segment').map((s) => s.host));
  expect(hosts).toContain('server');
  expect([...hosts].filter((h) => /^c\d+$/.test(h)).length).toBeGreaterThanOrEqual(2);
  expect(segments.filter((i) => takes.get(i)!.length > 0).length).toBeGreaterThan(10);
  // Each arrow crosses from one host to another.
  for (const [i, [to]] of takes)
    if (to !== undefined) expect((trace.records[to] as TakeRecord).host).not.toBe((trace.records[i] as SegmentRecord).host);
  const page = await open(trace);
  await textMatches(page, '#summary', ` · ${segments.length} segments · `);
  expect(await page.locator('[data-mode=flow]').getAttribute('aria-pressed')).toBe('true');
  await page.screenshot({ path: `${ARTIFACTS}viz-flow-chat.png` });
  await expectSegmentDetails(page, trace, takes);
});

test('lanes are named by their context and grouped by host, never [object Object]', async () => {
  const { trace } = await runScenario('chat', 3, 'readiness');
  const page = await open(trace);
  const listed = await page.locator('#lanes').innerText();
  expect(listed).not.toContain('[object Object]');
  // The server's client lanes carry the user's name once the client said it; hosts head their lanes.
  expect(listed).toMatch(/^server\n(.|\n)*c0 fd \d+(.|\n)*c1 fd \d+/);
  expect(listed).toMatch(/\nc0\n(.|\n)*Connection fd \d+/);
  expect(listed).toMatch(/\nnetwork\nnetwork$/);
});

test('each record kind has its details: raw result and translation, chain, payload, segments', async () => {
  // Echo clients end with a FIN the server reads, so this trace has every event kind, CLOSE included.
  const { trace } = await runScenario('echo', 2, 'completion');
  const page = await open(trace);
  const first = (pred: (r: Trace['records'][number]) => boolean) => trace.records.findIndex(pred);
  const cases: [number, RegExp][] = [
    [first((r) => r.k === 'event' && (r.type & 16) !== 0), /event ACCEPT(.|\n)*raw: (.|\n)*chain:\n {2}#\d+ call wait/],
    [
      first((r) => r.k === 'event' && r.type === 1 && r.bytes > 0),
      /event READ(.|\n)*raw: .* → READ(.|\n)*payload \(\d+ bytes\): "(.|\n)* {2}0000 {2}[0-9a-f]{2} /,
    ],
    [first((r) => r.k === 'event' && r.type === 2), /event WRITE(.|\n)*raw: /],
    [first((r) => r.k === 'event' && (r.type & 8) !== 0), /event CLOSE(.|\n)*raw: /],
    [first((r) => r.k === 'call' && r.op === 'postWrite'), /call postWrite(.|\n)*payload \(\d+ bytes\)/],
    [
      first((r) => r.k === 'segment' && r.flag === 'data'),
      /segment data \d+ bytes(.|\n)*latency \d+\.\d+ ms(.|\n)*taken by #\d+(.|\n)*payload/,
    ],
    [first((r) => r.k === 'take' && r.flag === 'syn'), /take syn(.|\n)*segments it got:\n {2}#\d+ from client\d+ · Connection fd \d+/],
    [first((r) => r.k === 'fault'), /fault \w+/],
  ];
  for (const [at, pattern] of cases) {
    expect(at).toBeGreaterThanOrEqual(0);
    await page.fill('#jump', `#${at}`);
    await page.click('#go');
    await textMatches(page, '#details', pattern);
  }
  await page.click('[data-mode=timeline]');
  await page.screenshot({ path: `${ARTIFACTS}viz-timeline-chat.png` });
});

test('a failing seed: the CLI writes its trace with the failure marked, the sweep says how to see it, the page opens on it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'viz-flow-'));
  const file = join(dir, 'upload.trace.json');
  const args = [CLI, 'sim', 'upload', '--bug', 'ignore-partial-write', '--workers', '1'];
  let sweep = '';
  try {
    execFileSync(process.execPath, [...args, '--seeds', '10'], { encoding: 'utf8' });
  } catch (e) {
    sweep = (e as { stdout: string }).stdout;
  }
  const seen = /FAILED seed (\d+)(.|\n)*?see it: +(npx io-reactor sim upload --seed \1 .*--trace (\S+); npx io-reactor viz \4)/.exec(sweep);
  expect(seen).not.toBeNull();
  const seed = seen![1];
  try {
    execFileSync(process.execPath, [...args, '--seed', seed, '--trace', file], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    expect((e as { status: number }).status).toBe(1);
  }
  const text = readFileSync(file, 'utf8');
  const trace = JSON.parse(text) as Trace;
  expect(trace.failure?.message).toMatch(/arrived corrupt/);
  const page = await open(text);
  await textMatches(page, '#failure', `✖ the run failed at record #${trace.failure!.at}: upload server: record`);
  await textMatches(page, '#details', new RegExp(`^#${trace.failure!.at} (.|\\n)*✖ the run failed here: upload server`));
  await page.screenshot({ path: `${ARTIFACTS}viz-failing-seed.png` });
});

test("the keys' help opens with ? and a dropped trace file opens", async () => {
  const { trace } = await runScenario('echo', 2, 'readiness');
  const page = await open(trace);
  await page.keyboard.press('?');
  expect(await page.locator('#keys').isVisible()).toBe(true);
  await page.screenshot({ path: `${ARTIFACTS}viz-help.png` });
  await page.keyboard.press('Escape');
  const dropped = readFileSync(new URL('../../../test/fixtures/viz-echo.trace.json', import.meta.url), 'utf8');
  const transfer = await page.evaluateHandle((json) => {
    const dt = new DataTransfer();
    dt.items.add(new File([json], 'echo.trace.json', { type: 'application/json' }));
    return dt;
  }, dropped);
  await page.dispatchEvent('body', 'drop', { dataTransfer: transfer });
  await textMatches(page, '#summary', /^3 lanes · 4 events · 1 faults · 30 records$/);
});
