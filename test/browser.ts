// Headless Chromium for the browser tests (Debian's /usr/bin/chromium through playwright-core). A
// missing browser fails the test: install it with apt-get install chromium.
import { chromium, type Browser, type Page } from 'playwright-core';

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
