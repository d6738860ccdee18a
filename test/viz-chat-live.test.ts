// `npm start` as a user tries it: the chat server prints the visualizer's address, two telnet
// clients connect and chat, and the page shows their sockets' events as they happen.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchChromium, textMatches, ARTIFACTS } from './browser.js';
import { jest } from '@jest/globals';

const SERVER = new URL('../examples/chat-server.js', import.meta.url).pathname;

// A real browser on a shared 2-core machine: page loads can take seconds.
jest.setTimeout(90_000);

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function startChat(model: string): Promise<{ server: ChildProcess; chatPort: number; vizUrl: string }> {
  const server = spawn(process.execPath, [SERVER, '--port', '0', '--model', model], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout!.on('data', (d) => {
    log += d;
  });
  server.stderr!.on('data', (d) => {
    log += d;
  });
  const end = Date.now() + 10000;
  while (!/visualizer on (http:\S+)/.test(log)) {
    if (Date.now() > end) throw new Error(`the chat server did not print the visualizer's address: ${log}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { server, chatPort: Number(/telnet:\/\/127\.0\.0\.1:(\d+)/.exec(log)![1]), vizUrl: /visualizer on (http:\S+)/.exec(log)![1] };
}

function telnet(port: number): Socket {
  const socket = connect(port, '127.0.0.1');
  socket.on('data', () => {});
  return socket;
}

describe.each(['completion', 'readiness'])('the chat server, %s model', (model) => {
  test("two telnet clients' events appear live in the page, each client in its own lane", async () => {
    const { server, chatPort, vizUrl } = await startChat(model);
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    try {
      expect(vizUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?live$/);
      await page.goto(vizUrl);
      await page.waitForSelector('body[data-ready]');
      const alice = telnet(chatPort);
      const bob = telnet(chatPort);
      await textMatches(page, '#lanes', /telnet client fd \d+\n(.|\n)*telnet client fd \d+/);
      alice.write('alice\r\n');
      bob.write('bob\r\n');
      // One READ per client at least; the line after them is a read of its own.
      await textMatches(page, '#types', /READ \(([2-9]|\d\d+)\)/);
      alice.write('hello bob\r\n');
      await textMatches(page, '#types', /READ \(([3-9]|\d\d+)\)/);
      // Once named, each client's lane carries the user's name.
      await textMatches(page, '#lanes', /alice fd \d+\n(.|\n)*bob fd \d+|bob fd \d+\n(.|\n)*alice fd \d+/);
      await page.screenshot({ path: `${ARTIFACTS}viz-live-chat-${model}.png` });
      const lanes = await page.locator('#lanes label').allInnerTexts();
      const bobLane = lanes.find((name) => name.startsWith('bob fd'))!;
      bob.destroy();
      // Bob's lane alone; its last event is his hang-up: a CLOSE in the completion model, in
      // readiness an EPOLLIN READ (the app's recv then finds the end of the stream).
      await page.fill('#lane-filter', bobLane);
      const hangUp =
        model === 'completion' ? /event CLOSE fd \d+ 0 bytes/ : /event READ fd \d+ 0 bytes\nraw: epoll_wait revents 0x1 EPOLLIN → READ/;
      const end = Date.now() + 5000;
      while (!hangUp.test(await page.locator('#details').innerText()) && Date.now() < end) {
        await page.click('#last');
        await page.waitForTimeout(50);
      }
      expect(await page.locator('#details').innerText()).toMatch(hangUp);
      await page.fill('#lane-filter', '');
      expect(await page.locator('#lanes label').allInnerTexts()).toEqual(
        expect.arrayContaining([expect.stringMatching(/^listener fd \d+$/)]),
      );
      alice.destroy();
    } finally {
      await page.close();
      server.kill('SIGINT');
      await new Promise((r) => server.on('exit', r));
    }
  });
});
