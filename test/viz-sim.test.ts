// A scenario's seed run in the page, in Chromium, on the same core.wasm and emscripten shim as in
// Node: the same trace, by its hash, as the sweep's own run of that seed.
import { jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { serveViz, type VizServer } from '../src/viz/server.js';
import { runScenario } from '../src/sim/scenarios/run-traced.js';
import { runSeed, type RunResult } from '../src/sim/cli/run-seed.js';
import { DEFAULT_FAULTS, SWEEP_LATENCY_MS } from '../src/sim/cli/config.js';
import { traceHash } from '../src/trace/hash.js';
import { launchChromium, textMatches, ARTIFACTS } from './browser.js';

// A real browser on a shared 2-core machine: page loads can take seconds.
jest.setTimeout(90_000);

let browser: Browser;
let server: VizServer;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  server = await serveViz({});
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
});
afterEach(() => page.close());

const origin = (): string => new URL(server.url).origin;

test("a seed run from the address gives the trace hash Node gives, and the sweep's digest", async () => {
  const nodeRun = await runScenario('echo', 5, 'completion');
  const sweep = await runSeed({ scenario: 'echo', model: 'completion', faults: DEFAULT_FAULTS, latencyMs: SWEEP_LATENCY_MS }, 5);
  expect(traceHash(nodeRun.trace)).toBe(sweep.digest);
  await page.goto(`${origin()}/?scenario=echo&seed=5&model=completion`);
  await textMatches(page, '#run-status', 'echo seed 5 (completion): ok');
  await textMatches(page, '#hash', new RegExp(`^${sweep.digest}$`));
  const events = nodeRun.trace.records.filter((r) => r.k === 'event').length;
  await textMatches(page, '#summary', ` · ${events} events · `);
});

test('a seed picked in the page runs there, and lands in the address', async () => {
  await page.goto(`${origin()}/`);
  await page.waitForSelector('body[data-ready]');
  await page.selectOption('#scenario', 'chat');
  await page.fill('#seed', '3');
  await page.click('#run');
  await textMatches(page, '#run-status', 'chat seed 3 (readiness): ok');
  const node = await runScenario('chat', 3, 'readiness');
  await textMatches(page, '#hash', new RegExp(`^${traceHash(node.trace)}$`));
  await page.waitForURL(/scenario=chat&seed=3&model=readiness/);
  // The hash leaves the wire out: the run in the page carried the same segments, drawn as arrows.
  const segments = node.trace.records.filter((r) => r.k === 'segment').length;
  await textMatches(page, '#summary', ` · ${segments} segments · `);
  await page.click('[data-mode=flow]');
  await page.screenshot({ path: `${ARTIFACTS}viz-inpage-chat.png` });
});

test('the same seed under readiness and completion, side by side, from their first divergence', async () => {
  await page.goto(`${origin()}/?scenario=echo&seed=2&model=readiness&compareModel=completion`);
  await textMatches(page, '#compare-info', /^First divergence at record #\d+:\n {2}shown: .+\n {2}compared: .+$/);
  expect(await page.locator('#compare-pane').isVisible()).toBe(true);
});

test('a seed that is not one is refused with what a seed is', async () => {
  await page.goto(`${origin()}/?scenario=echo&seed=-4`);
  await textMatches(page, '#error', 'run echo: seed must be an integer from 0 to 4294967295, got -4');
});

test("a planted bug picked in the page runs the CLI's failing seed: the same trace, opened on its failure", async () => {
  const bug = 'ignore-partial-write';
  const config = { scenario: 'upload', model: 'readiness' as const, bug, faults: DEFAULT_FAULTS, latencyMs: SWEEP_LATENCY_MS };
  let failing: RunResult | null = null;
  for (let seed = 1; seed <= 20 && failing === null; seed++) {
    const run = await runSeed(config, seed, undefined, 'trace');
    if (!run.ok) failing = run;
  }
  expect(failing).not.toBeNull();
  const { seed, trace } = failing!;
  await page.goto(`${origin()}/`);
  await page.waitForSelector('body[data-ready]');
  await page.selectOption('#scenario', 'upload');
  await page.selectOption('#bug', bug);
  await page.fill('#seed', String(seed));
  await page.click('#run');
  await textMatches(page, '#run-status', `upload seed ${seed} (readiness, bug ${bug}): failed: `);
  await textMatches(page, '#hash', new RegExp(`^${traceHash(trace!)}$`));
  await textMatches(page, '#failure', `✖ the run failed at record #${trace!.failure!.at}: `);
  await textMatches(page, '#details', new RegExp(`^#${trace!.failure!.at} (.|\\n)*✖ the run failed here`));
  await page.waitForURL(new RegExp(`scenario=upload&seed=${seed}&model=readiness&bug=${bug}`));
  await page.screenshot({ path: `${ARTIFACTS}viz-inpage-bug.png` });
});

test('a bug the scenario was not planted with is refused with those it has', async () => {
  await page.goto(`${origin()}/?scenario=chat&seed=1&bug=ignore-partial-write`);
  await textMatches(page, '#error', 'scenario chat has no planted bugs, not "ignore-partial-write"');
  await page.goto(`${origin()}/?scenario=upload&seed=1&bug=nope`);
  await textMatches(page, '#error', 'scenario upload has the planted bugs ignore-partial-write, not "nope"');
});
