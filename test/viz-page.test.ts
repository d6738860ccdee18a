// The visualizer page in a real Chromium: a recorded trace's lanes and counts, stepping, the raw
// OS result and its translation, filters, and an address that brings the same view back.
import { readFileSync, mkdirSync, statSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { serveViz, type VizServer } from '../src/viz/server.js';
import { traceHash } from '../src/trace/hash.js';
import { toChromeTrace } from '../src/trace/chrome.js';
import { launchChromium, textMatches, ARTIFACTS } from './browser.js';
import { jest } from '@jest/globals';

const FIXTURE = new URL('../../../test/fixtures/viz-echo.trace.json', import.meta.url);

// A real browser on a shared 2-core machine: page loads can take seconds.
jest.setTimeout(90_000);

let browser: Browser;
let server: VizServer;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  server = await serveViz({ traceJson: readFileSync(FIXTURE, 'utf8') });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready]');
});
afterEach(() => page.close());

const shows = (selector: string, pattern: RegExp | string): Promise<string> => textMatches(page, selector, pattern);

test('a recorded trace shows one lane per socket, named by its context, and its counts', async () => {
  await shows('#summary', /^3 lanes · 4 events · 1 faults · 30 records$/);
  expect(await page.locator('#lanes label').allInnerTexts()).toEqual(['listener fd 3', 'reactor 0', 'alice fd 5']);
  expect(await page.locator('#types label').allInnerTexts()).toEqual(['READ (1)', 'WRITE (1)', 'ERROR (0)', 'CLOSE (1)', 'ACCEPT (1)']);
  // The last counters sampled: one context still in use out of eight.
  await shows('#counters-values', /^reactor 0: pool 1\/8 in use · ready queue 0 · 0 bytes in flight$/);
});

test('stepping moves from event to event, forward and back, with what each one was made of', async () => {
  await page.click('#forward');
  await shows('#details', 'event ACCEPT fd 3 0 bytes accepted fd 5');
  await page.click('#forward');
  await shows('#details', /#13 t=3\.750 ms alice fd 5\nevent READ fd 5 7 bytes\nraw: recv done, 7 bytes → READ/);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await shows('#details', 'raw: recv failed, errno 104 ECONNRESET → CLOSE (ECONNRESET)');
  await shows('#counters-values', /^reactor 0: pool 2\/8 in use · ready queue 0 · 0 bytes in flight$/);
  await page.click('#back');
  await shows('#details', 'event WRITE fd 5 6 bytes');
});

test("filters hide a socket's lane and an event type, and stepping skips what is hidden", async () => {
  await page.locator('#lanes label', { hasText: 'listener fd 3' }).locator('input').uncheck();
  await shows('#summary', /^2 lanes/);
  await page.locator('#types label', { hasText: 'READ' }).locator('input').uncheck();
  await page.click('#forward');
  await shows('#details', 'event WRITE fd 5');
  await page.fill('#lane-filter', 'alice');
  await shows('#summary', /^1 lanes · 4 events/);
  expect(await page.locator('#lanes label').allInnerTexts()).toEqual(['alice fd 5']);
});

test('hovering a mark tells what it is, clicking selects it, and the address brings that view back', async () => {
  // The timeline spans records #0 to #30 right of its 220 px gutter; alice's lane is the third, under its host's row.
  const box = (await page.locator('#timeline').boundingBox())!;
  const at = (record: number) => ({ x: 220 + (record / 30) * (box.width - 220), y: 22 + 3 * 24 + 12 });
  await page.mouse.move(box.x + at(26).x, box.y + at(26).y);
  await shows('#tip', 'raw: recv failed, errno 104 ECONNRESET → CLOSE (ECONNRESET)');
  await page.locator('#timeline').click({ position: at(13) });
  await shows('#details', '#13 t=3.750 ms alice fd 5');
  await page.click('#zoom-in');
  await page.waitForURL(/at=13&axis=seq&view=timeline&v0=/);
  const url = page.url();
  const again = await browser.newPage();
  await again.goto(url);
  await again.waitForSelector('body[data-ready]');
  await textMatches(again, '#details', '#13 t=3.750 ms alice fd 5');
  expect(again.url()).toBe(url);
  await again.close();
});

test('a second run compared record by record shows where they first diverge', async () => {
  const other = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  other.records[13].bytes = 5;
  await page
    .locator('#compare-file')
    .setInputFiles({ name: 'other.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(other)) });
  await shows(
    '#compare-info',
    /^First divergence at record #13:\n {2}shown: +#13 t=3\.750 ms alice fd 5: event READ fd 5 7 bytes\n {2}compared: +#13 t=3\.750 ms alice fd 5: event READ fd 5 5 bytes$/,
  );
  await shows('#details', '#13 t=3.750 ms alice fd 5');
  await page.locator('#compare-file').setInputFiles({ name: 'same.json', mimeType: 'application/json', buffer: readFileSync(FIXTURE) });
  await shows('#compare-info', 'The runs are identical.');
});

test('a file that is not a trace says why, and the shown trace stays', async () => {
  await page.locator('#file').setInputFiles({
    name: 'notes.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"format": "io-reactor-trace", "version": 2}'),
  });
  await shows('#error', 'notes.json is not a trace io-reactor can show: it is version 2; this io-reactor reads version 1');
  await shows('#summary', /^3 lanes/);
});

test("the page shows the trace's hash, the same as Node's, and exports its Chrome Trace JSON", async () => {
  const trace = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  await shows('#hash', new RegExp(`^${traceHash(trace)}$`));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  expect(download.suggestedFilename()).toBe('io-reactor-trace-seed-7.chrome.json');
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  expect(exported).toEqual(JSON.parse(JSON.stringify(toChromeTrace(trace))));
  expect(exported.traceEvents.length).toBeGreaterThan(30);
});

test('a screenshot of the page is kept as an artifact', async () => {
  await page.click('#forward');
  await page.click('#forward');
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}viz-page.png`;
  await page.screenshot({ path, fullPage: true });
  expect(statSync(path).size).toBeGreaterThan(10_000);
});
