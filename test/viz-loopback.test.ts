// The flow view of a native trace, in a real Chromium: two reactors echoing over real loopback
// sockets draw an arrow from each send to every receive on the peer that took its bytes (count and
// endpoints checked against the trace), and an arrow whose far end is scrolled out runs to the
// plot's edge, says where it goes under the pointer, and takes a click there.
import { jest } from '@jest/globals';
import type { Trace, TraceRecord } from '../src/trace/format.js';
import { tracePages, textMatches, ARTIFACTS } from './browser.js';
import { loopbackEcho } from './loopback-run.js';
import { expectedTakes, expectSegmentDetails } from './viz-segment-takes.js';

// A real browser on a shared 2-core machine: page loads can take seconds.
jest.setTimeout(120_000);

const open = tracePages();

test("a native loopback echo between two reactors: an arrow from each send to each of the peer's receives that took its bytes", async () => {
  const { trace } = await loopbackEcho({ client: 'completion' });
  const takes = expectedTakes(trace);
  const segments = [...takes.keys()];
  const arrows = [...takes.values()].reduce((n, list) => n + Math.max(list.length, 1), 0);
  expect([...takes.values()].some((list) => list.length > 1)).toBe(true);
  // Opened on the bytes' exchange: from the first data sent to the last taken.
  const data = trace.records.filter((r) => (r.k === 'segment' || r.k === 'take') && r.flag === 'data').map((r) => r.t);
  const [from, to] = [Math.min(...data), Math.max(...data)];
  const margin = (to - from) * 0.05;
  const page = await open(trace, `&view=flow&v0=${from - margin}&v1=${to + margin}`);
  await textMatches(page, '#summary', ` · ${segments.length} segments · ${arrows} arrows · `);
  expect(await page.locator('[data-mode=flow]').getAttribute('aria-pressed')).toBe('true');
  await page.screenshot({ path: `${ARTIFACTS}viz-flow-loopback.png` });
  await expectSegmentDetails(page, trace, takes);
});

/** One reactor's SOCKETS sockets, named `sock <fd>`, the first sending to the last at t=10, taken at t=20. */
const SOCKETS = 40;
function farArrowTrace(): { trace: Trace; segment: number; take: number } {
  const fds = Array.from({ length: SOCKETS }, (_, i) => 3 + i);
  const records: TraceRecord[] = fds.map((fd) => ({ k: 'call', t: 1, r: 0, op: 'add', fd, events: 1, label: `sock ${fd}` }));
  const [from, to] = [fds[0], fds[fds.length - 1]];
  records.push({ k: 'segment', t: 10, r: -1, host: 'native', fd: from, conn: 1, seq: 0, bytes: 5, flag: 'data', at: 10 });
  records.push({ k: 'take', t: 20, r: -1, host: 'native', fd: to, conn: 1, seq: 0, bytes: 5, flag: 'data' });
  const reactor = {
    r: 0,
    host: 'native',
    backend: 'native',
    model: 'readiness',
    mechanism: 'epoll',
    poolSize: 4,
    bufferSize: 64,
    maxSockets: 64,
  } as const;
  return {
    trace: { format: 'io-reactor-trace', version: 1, seed: null, reactors: [reactor], records },
    segment: records.length - 2,
    take: records.length - 1,
  };
}

test('an arrow to a lane scrolled out runs to the edge, names that lane there, says where it goes, and a click goes there', async () => {
  const { trace, segment, take } = farArrowTrace();
  const [v0, v1] = [0, 30];
  const page = await open(trace, `&view=flow&v0=${v0}&v1=${v1}`);
  await textMatches(page, '#summary', new RegExp(`rows 1–\\d+ of ${SOCKETS + 1}`));
  const box = (await page.locator('#timeline').boundingBox())!;
  // The layout's numbers (src/viz/page/canvas.ts): lane names 220 px wide, a 22 px axis, rows of 24 px.
  const [gutter, axis, row] = [220, 22, 24];
  const rowsVisible = Math.floor((box.height - axis) / row);
  expect(rowsVisible).toBeLessThan(SOCKETS);
  const xOf = (t: number) => gutter + ((t - v0) / (v1 - v0)) * (box.width - gutter);
  // Row 0 is the host's header; the sending socket is row 1, the taking one row SOCKETS, below the last shown.
  const [x0, y0] = [xOf(10), axis + row + row / 2];
  const [x1, y1] = [xOf(20), axis + SOCKETS * row + row / 2];
  const along = (y: number): [number, number] => [box.x + x0 + ((x1 - x0) * (y - y0)) / (y1 - y0), box.y + y];
  await page.mouse.move(...along(axis + rowsVisible * row * 0.5));
  await textMatches(
    page,
    '#tip',
    new RegExp(`^#${segment} segment data 5 bytes(.|\\n)*→ #${take} take data(.|\\n)*#${take}, its take, is scrolled out below: click`),
  );
  // The name of the lane it goes to is written where the arrow leaves the plot, and answers the pointer beside the line.
  const bottom = axis + rowsVisible * row;
  const [xEdge, yEdge] = along(bottom - 8);
  await page.mouse.move(xEdge + 25, yEdge);
  await textMatches(page, '#tip', `#${take}, its take, is scrolled out below`);
  await page.screenshot({ path: `${ARTIFACTS}viz-offscreen-arrow.png` });
  await page.mouse.click(...along(axis + rowsVisible * row * 0.5));
  await textMatches(page, '#details', new RegExp(`^#${take} t=20\\.000 ms sock ${2 + SOCKETS} fd ${2 + SOCKETS}\\n`));
  await textMatches(page, '#summary', new RegExp(`rows \\d+–${SOCKETS + 1} of ${SOCKETS + 1}`));
  // Scrolled to the take, the same arrow read from that end leads back up to its send.
  const top = SOCKETS + 1 - rowsVisible;
  const [sendY, takeY] = [axis + (1 - top) * row + row / 2, axis + (SOCKETS - top) * row + row / 2];
  const y = takeY - 3 * row;
  await page.mouse.move(box.x + x0 + ((x1 - x0) * (y - sendY)) / (takeY - sendY), box.y + y);
  await textMatches(page, '#tip', `#${segment}, its send, is scrolled out above: click`);
});
