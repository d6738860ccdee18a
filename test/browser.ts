// Headless Chromium for the browser tests (Debian's /usr/bin/chromium through playwright-core). A
// missing browser fails the test: install it with apt-get install chromium.
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serveViz, type VizServer } from '../src/viz/server.js';
import type { Trace } from '../src/trace/format.js';

export const CHROMIUM = '/usr/bin/chromium';
/** Headless, as root, and never reaching for the network this machine does not have (it refuses, many times at each start). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Where the visualizer's tests keep what they produce (screenshots) for people to look at. */
export const ARTIFACTS = new URL('../../../build/artifacts/', import.meta.url).pathname;

/**
 * The hooks of a suite that opens traces in the visualizer: one Chromium for the file, a page per
 * test. The function returned serves a trace (its JSON, or the trace), loads it with `query` added
 * to the address, and gives the page once it is ready.
 */
export function tracePages(viewport = { width: 1400, height: 860 }): (trace: Trace | string, query?: string) => Promise<Page> {
  let browser: Browser;
  let page: Page | null = null;
  const servers: VizServer[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
  });
  afterEach(async () => {
    await page?.close();
    page = null;
  });
  return async (trace, query = '') => {
    const server = await serveViz({ traceJson: typeof trace === 'string' ? trace : JSON.stringify(trace) });
    servers.push(server);
    page ??= await browser.newPage({ viewport });
    await page.goto(`${server.url}${query}`);
    await page.waitForSelector('body[data-ready]');
    return page;
  };
}

/** Waits (up to 15 s: in-page runs simulate whole seeds, slow on a loaded machine) until the element's text matches: the page redraws on its next frame. */
export async function textMatches(page: Page, selector: string, pattern: RegExp | string): Promise<string> {
  const test = (s: string) => (typeof pattern === 'string' ? s.includes(pattern) : pattern.test(s));
  const end = Date.now() + 15_000;
  for (;;) {
    const text = await page.locator(selector).innerText();
    if (test(text)) return text;
    if (Date.now() > end) throw new Error(`${selector}: expected ${pattern}, got ${JSON.stringify(text)}`);
    await page.waitForTimeout(20);
  }
}
