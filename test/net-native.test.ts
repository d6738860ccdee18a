// The conformance bodies against node:net and io-reactor/net on real loopback sockets: both must
// pass every one, so io-reactor/net behaves as node:net does.
import { describe, test, expect } from '@jest/globals';
import * as nodeNet from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as reactorNet from '../src/net/index.js';
import { bodies, type NetLike } from './net-conformance.js';

const IMPLEMENTATIONS: [string, NetLike, string][] = [
  ['node:net', nodeNet as unknown as NetLike, 'node:net'],
  ['io-reactor/net', reactorNet as unknown as NetLike, fileURLToPath(new URL('../src/net/index.js', import.meta.url))],
];
const UNREF_CHILD = fileURLToPath(new URL('../../../test/fixtures/net-unref.mjs', import.meta.url));

describe.each(IMPLEMENTATIONS)('%s', (_name, net, modulePath) => {
  test.each(Object.keys(bodies))('%s', async (name) => {
    await bodies[name]({ server: net, client: net, host: '127.0.0.1' });
  });

  test("an unref'ed server lets the process exit when nothing else holds it", async () => {
    const child = spawn(process.execPath, [UNREF_CHILD, modulePath], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const started = Date.now();
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(out).toBe('closed\n');
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
