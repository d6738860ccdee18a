// The visualizer's frame time with 100,000 events (`npm run bench:viz`): a traced simulation is
// served to the page in headless Chromium, which is then panned frame by frame with every event on
// screen and zoomed in, and zoomed in and out (each level of detail built when first reached), in
// both views (the flow between hosts, the reactor timeline). Prints the page's own draw time, the
// frame interval and the load average (the machine is shared: figures under load are upper bounds).
//   npm run bench:viz -- [--events N] [--frames N] [--trace file.json (instead of simulating)]
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseTrace } from '../src/viz/parse.js';
import { serveViz } from '../src/viz/server.js';
import { launchChromium } from '../test/browser.js';
import { echoTrace } from './viz-trace.js';

const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    frames: { type: 'string', default: '120' },
    trace: { type: 'string' },
  },
});
const events = Number(flags.events);
const frames = Number(flags.frames);
if (!Number.isInteger(events) || events < 1 || !Number.isInteger(frames) || frames < 10) {
  console.error('usage: npm run bench:viz -- [--events N (≥ 1)] [--frames N (≥ 10)] [--trace file.json]');
  process.exit(2);
}

const started = performance.now();
const trace = flags.trace ? parseTrace(readFileSync(flags.trace, 'utf8'), flags.trace) : await echoTrace(events);
const traceJson = JSON.stringify(trace);
const counted = trace.records.filter((r) => r.k === 'event').length;
console.log(
  `trace: ${counted} events, ${trace.records.length} records, ${(traceJson.length / 1e6).toFixed(1)} MB, ${flags.trace ? 'read' : 'simulated'} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

const server = await serveViz({ traceJson });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const loadStart = performance.now();
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready]', { timeout: 300_000 });
  console.log(
    `page: loaded and indexed in ${((performance.now() - loadStart) / 1000).toFixed(1)} s; ${await page.locator('#summary').innerText()}`,
  );
  const phases = [
    ['every event on screen (fit), panning', ['d', 'a'], 0],
    ['zoomed in 8×, panning', ['d', 'a'], 8],
    ['zooming in 12 steps and out again', [...'++++++++++++', ...'------------'], 0],
  ] as const;
  for (const [view, key] of [
    ['flow between hosts', 'f'],
    ['reactor timeline', 't'],
  ] as const)
    for (const [label, keys, zoomIn] of phases) {
      for (const k of [key, '0']) await page.keyboard.press(k);
      for (let i = 0; i < zoomIn; i++) await page.keyboard.press('+');
      // One input per animation frame; the page draws once per frame and times its draw.
      const intervals = await page.evaluate(
        async ({ n, keys }) => {
          const gaps: number[] = [];
          let last = performance.now();
          for (let i = 0; i < n; i++) {
            document.dispatchEvent(new KeyboardEvent('keydown', { key: keys[i % keys.length] }));
            await new Promise((resolve) => requestAnimationFrame(resolve));
            const now = performance.now();
            gaps.push(now - last);
            last = now;
          }
          return gaps.sort((a, b) => a - b);
        },
        { n: frames, keys: [...keys] },
      );
      const at = (q: number) => intervals[Math.min(intervals.length - 1, Math.floor(q * intervals.length))].toFixed(1);
      const draw = await page.locator('#frame').innerText();
      console.log(
        `${view}, ${label}: draw (${draw.replace('frame ', 'median of the last 30: ')}), frame interval median ${at(0.5)} ms, p95 ${at(0.95)} ms over ${frames} frames; load average ${loadavg()[0].toFixed(1)}`,
      );
    }
} finally {
  await browser.close();
  await server.close();
}
