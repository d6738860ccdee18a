// The live feed: records a TraceSink receives reach every open page as Server-Sent Events, and a
// page opened later is sent what came before.
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import type { Trace } from '../src/trace/format.js';
import { LiveFeed } from '../src/viz/live.js';
import { serveViz, type VizServer } from '../src/viz/server.js';
import { launchChromium, textMatches } from './browser.js';
import { jest } from '@jest/globals';

const FIXTURE = new URL('../../../test/fixtures/viz-echo.trace.json', import.meta.url);

// A real browser on a shared 2-core machine: page loads can take seconds.
jest.setTimeout(90_000);

let browser: Browser;
let server: VizServer;
let feed: LiveFeed;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  feed = new LiveFeed();
  server = await serveViz({ live: feed });
});
afterEach(() => server.close());

test('records fed to the sink appear in an open page as they come, and in a page opened later', async () => {
  const trace = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Trace;
  const { r: _r, ...reactor } = trace.reactors[0];
  feed.reactor(reactor);
  const early = await browser.newPage();
  await early.goto(server.url);
  await early.waitForSelector('body[data-ready]');
  for (const record of trace.records.slice(0, 7)) feed.record(record);
  await textMatches(early, '#summary', /^2 lanes · 1 events · 0 faults · 7 records$/);
  for (const record of trace.records.slice(7)) feed.record(record);
  await textMatches(early, '#summary', /^3 lanes · 4 events · 1 faults · 30 records$/);
  const late = await browser.newPage();
  await late.goto(server.url);
  await textMatches(late, '#summary', /^3 lanes · 4 events · 1 faults · 30 records$/);
  expect(await late.locator('#lanes label').allInnerTexts()).toEqual(['listener fd 3', 'reactor 0', 'alice fd 5']);
  await early.close();
  await late.close();
});

test('a page whose server went away says so', async () => {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready]');
  await server.close();
  await textMatches(page, '#error', 'The live feed is disconnected: is the server (npm start) still running?');
  await page.close();
});
