// The package as a user installs it: `npm pack` (which runs `prepare`), then `npm install` of the
// tarball into a fresh project outside the source tree, with no compiler on the PATH. The installed
// package echoes over the native reactor (its prebuilt addon) and io-reactor/net, runs a simulation
// over io-reactor/sim and `npx io-reactor sim echo`, and its types resolve under moduleResolution
// node16, bundler and node.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const NPM_CLI = realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
const PACKAGE_TEST_MS = 300_000;
/** The goal for the tarball: the runtime only, no Windows Node, tests or benchmarks. */
const MAX_TARBALL_BYTES = 3 * 1024 * 1024;

let work: string;
let app: string;
/** Only node, sh and npm/npx: no cc, gcc, g++, cmake or make for an install script to fall back on. */
let env: NodeJS.ProcessEnv;

function inApp(command: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { cwd: app, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'io-reactor-package-'));
  const bin = join(work, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync('/bin/sh', join(bin, 'sh'));
  symlinkSync(NPM_CLI, join(bin, 'npm'));
  symlinkSync(join(NPM_CLI, '../npx-cli.js'), join(bin, 'npx'));
  // What npm needs from the user's environment (its cache and config), nothing of this checkout.
  env = { PATH: bin, HOME: process.env.HOME, TMPDIR: tmpdir(), npm_config_registry: process.env.npm_config_registry };
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }));
}, PACKAGE_TEST_MS);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test(
  'npm pack makes a tarball of at most 3 MB holding the runtime and prebuilt addons, and no tests, benches or Windows Node',
  () => {
    execFileSync(NPM_CLI, ['pack', '--pack-destination', work], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
    expect(statSync(join(work, tarball)).size).toBeLessThanOrEqual(MAX_TARBALL_BYTES);
    const files = execFileSync('tar', ['tzf', join(work, tarball)], { encoding: 'utf8' })
      .trim()
      .split('\n');
    for (const needed of [
      'package/build/core.wasm',
      'package/build/sim/shim-wasm.mjs',
      'package/build/viz/app.js',
      'package/build/js/src/index.js',
      'package/build/js/src/index.d.ts',
      'package/build/js/src/sim/index.d.ts',
      'package/prebuilds/linux-x64/node.napi.glibc.node',
      'package/prebuilds/win32-x64/node.napi.node',
      'package/LICENSE',
    ]) {
      expect(files).toContain(needed);
    }
    expect(files.filter((f) => /node\.exe$|\/test\/|\/bench\/|\.map$|\.test\.js$/.test(f))).toEqual([]);
    const { code, stderr } = inApp('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball)]);
    expect([code, stderr]).toEqual([0, expect.anything()]);
  },
  PACKAGE_TEST_MS,
);

test('the install PATH has no compiler, so nothing could have built the addon', () => {
  for (const tool of ['cc', 'gcc', 'g++', 'c++', 'clang', 'cmake', 'make']) {
    expect([tool, inApp('sh', ['-c', `command -v ${tool}`]).code]).toEqual([tool, 127]);
  }
});

test('an echo over io-reactor runs on the prebuilt addon', () => {
  writeFileSync(
    join(app, 'echo.js'),
    `
import net from 'node:net';
import { Reactor, EventType } from 'io-reactor';
const reactor = await Reactor.create({ model: 'completion' });
const { fd: listener, port } = reactor.os.listen(0, '127.0.0.1');
reactor.add(listener, 'listener', EventType.READ);
const client = net.connect(port, '127.0.0.1', () => client.write('ping'));
client.on('data', (data) => {
  console.log('echoed ' + data);
  process.exit(0);
});
setTimeout(() => process.exit(1), 20_000).unref();
for (;;) {
  for (const ev of await reactor.waitAsync(100)) {
    if (ev.type & EventType.ACCEPT) reactor.add(ev.acceptedFd, 'client', EventType.READ);
    else if (ev.type & EventType.READ) {
      reactor.postWrite(ev.fd, ev.buffer);
      reactor.postRead(ev.fd);
    }
  }
}
`,
  );
  const r = inApp('node', ['echo.js']);
  expect([r.code, r.stdout, r.stderr]).toEqual([0, 'echoed ping\n', '']);
});

test(
  'on Windows x64 (Windows Node under Wine) the same installed package echoes over IOCP with its win32 prebuilt addon',
  () => {
    // A fresh Wine prefix of its own; the package's files are the ones npm installed for Linux.
    const run = join(work, 'wine');
    mkdirSync(run);
    // The user's environment and Wine's settings, not this test run's (IO_REACTOR_DEBUG).
    const wineEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      WINEPREFIX: join(run, 'prefix'),
      WINEDEBUG: '-all',
      WINEDLLOVERRIDES: 'mscoree,mshtml=',
    };
    const wine = (args: string[], name: string): string => {
      // Windows Node's output goes to a file: Wine's console handling of pipes loses it.
      const out = openSync(join(run, name), 'w');
      spawnSync('wine', args, { cwd: app, env: wineEnv, stdio: ['ignore', out, out], timeout: 180_000 });
      closeSync(out);
      return readFileSync(join(run, name), 'utf8');
    };
    try {
      wine(['winecfg', '-v', 'win10'], 'winecfg.out');
      const output = wine([`Z:${join(ROOT, 'build/win/node.exe').replace(/\//g, '\\')}`, 'echo.js'], 'echo.out');
      expect(output.replace(/\r/g, '')).toBe('echoed ping\n');
    } finally {
      spawnSync('wineserver', ['-k'], { env: wineEnv, stdio: 'ignore' });
    }
  },
  PACKAGE_TEST_MS,
);

test('node:net code runs over io-reactor/net in the installed package', () => {
  writeFileSync(
    join(app, 'net.js'),
    `
import net from 'io-reactor/net';
const server = net.createServer((socket) => socket.pipe(socket));
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => client.write('ping'));
  client.on('data', (data) => {
    console.log('echoed ' + data);
    client.destroy();
    server.close();
  });
});
setTimeout(() => process.exit(1), 20_000).unref();
`,
  );
  const r = inApp('node', ['net.js']);
  expect([r.code, r.stdout, r.stderr]).toEqual([0, 'echoed ping\n', '']);
});

test('a simulation over io-reactor/sim runs in the installed package', () => {
  writeFileSync(
    join(app, 'sim.js'),
    `
import { EventType } from 'io-reactor';
import { Simulation } from 'io-reactor/sim';
const sim = new Simulation({ seed: 7, latencyMs: [1, 20] });
const server = await sim.host('server').createReactor({ model: 'completion' });
const client = await sim.host('client').createReactor({ model: 'readiness' });
const { fd: listener, port } = server.os.listen(80);
server.add(listener, 'listener', EventType.READ);
const fd = client.os.connect(port, 'server');
client.add(fd, 'client', EventType.READ);
let echoed = '';
(async () => {
  for (;;) for (const ev of await server.waitAsync(null)) {
    if (ev.type & EventType.ACCEPT) server.add(ev.acceptedFd, 'conn', EventType.READ);
    else if (ev.type & EventType.READ) server.postWrite(ev.fd, ev.buffer);
  }
})();
(async () => {
  client.os.send(fd, new TextEncoder().encode('hello'));
  while (echoed.length < 5) for (const ev of await client.waitAsync(null)) echoed += new TextDecoder().decode(client.os.recv(fd) ?? new Uint8Array());
})();
await sim.runUntilIdle(10_000);
console.log('simulated echo: ' + echoed);
process.exit(0);
`,
  );
  const r = inApp('node', ['sim.js']);
  expect([r.code, r.stdout, r.stderr]).toEqual([0, 'simulated echo: hello\n', '']);
});

test('npx io-reactor sim echo sweeps seeds from the installed package', () => {
  const r = inApp('npx', ['--no-install', 'io-reactor', 'sim', 'echo', '--seeds', '2', '--workers', '1']);
  expect([r.code, r.stderr]).toEqual([0, expect.any(String)]);
  expect(r.stdout).toMatch(/^echo \(readiness, .*\): 2 of 2 seeds passed/);
  expect(inApp('npx', ['--no-install', 'io-reactor', '--version']).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
});

test(
  'types of io-reactor, io-reactor/sim and io-reactor/net resolve under moduleResolution node16, bundler and node',
  async () => {
    writeFileSync(
      join(app, 'check.ts'),
      `
import { Reactor, EventType, type IoEvent } from 'io-reactor';
import { Simulation } from 'io-reactor/sim';
import { createServer, type Server } from 'io-reactor/net';
export const server: Server = createServer((socket) => socket.pipe(socket));
export const reactor: Promise<Reactor<string>> = Reactor.create<string>({ model: 'completion' });
export const read: number = EventType.READ;
export const host = new Simulation({ seed: 1 }).host('a');
export type Event = IoEvent<string>;
// @ts-expect-error: a real type, not any, refuses an unknown option's value
Reactor.create({ model: 'bogus' });
`,
    );
    const modes = [
      ['node16', 'node16'],
      ['bundler', 'esnext'],
      ['node', 'esnext'],
    ];
    // One tsc per mode, side by side: each is seconds of start-up.
    const results = await Promise.all(
      modes.map(([moduleResolution, module]) => {
        const config = `tsconfig.${moduleResolution}.json`;
        writeFileSync(
          join(app, config),
          JSON.stringify({
            compilerOptions: {
              module,
              moduleResolution,
              target: 'es2022',
              strict: true,
              noEmit: true,
              skipLibCheck: true,
              types: ['node'],
              typeRoots: [join(ROOT, 'node_modules/@types')],
            },
            files: ['check.ts'],
          }),
        );
        return new Promise<[string, number | null, string]>((resolve) => {
          execFile(process.execPath, [TSC, '-p', config], { cwd: app, env }, (error, stdout) =>
            resolve([moduleResolution, error ? (error.code as number) : 0, stdout]),
          );
        });
      }),
    );
    expect(results).toEqual(modes.map(([moduleResolution]) => [moduleResolution, 0, '']));
  },
  PACKAGE_TEST_MS,
);

test(
  'where no prebuilt addon fits, Reactor.create says how to build one, and npm rebuild builds it from source with cmake-js',
  () => {
    rmSync(join(app, 'node_modules/io-reactor/prebuilds/linux-x64'), { recursive: true });
    const refused = inApp('node', ['echo.js']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(
      /ENOENT: io-reactor has no native addon for linux-x64 \(prebuilt: win32-x64\): build it from source with npm install --save-dev cmake-js node-addon-api node-api-headers && npm rebuild io-reactor/,
    );
    // The fallback needs a compiler: this step alone runs with the machine's PATH.
    const withCompiler = { ...env, PATH: `${env.PATH}:${process.env.PATH}` };
    const npm = (args: string[]): void => {
      execFileSync(NPM_CLI, args, { cwd: app, env: withCompiler, stdio: ['ignore', 'ignore', 'pipe'] });
    };
    npm(['install', '--save-dev', '--no-audit', '--no-fund', '--prefer-offline', 'cmake-js@8', 'node-addon-api@8', 'node-api-headers@1']);
    npm(['rebuild', 'io-reactor']);
    const r = inApp('node', ['echo.js']);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'echoed ping\n', '']);
  },
  PACKAGE_TEST_MS,
);
