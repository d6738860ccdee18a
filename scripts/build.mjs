// Installs and builds whatever is missing or stale: node_modules, build/core.wasm, the native
// addon, the emscripten build of the shim for the simulation, the compiled TypeScript.
// `npm start`, `npm test` and `npm run bench` run it first.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { has, installApt as installAptWith } from './apt.mjs';
import { buildHarness } from './build-harness.mjs';
import { buildWindows } from './build-windows.mjs';

const root = new URL('..', import.meta.url).pathname;
const quiet = process.argv.includes('--quiet');
// `npm start` runs only on the real OS: it does not need the simulation's toolchain.
const withSim = !process.argv.includes('--skip-sim');
// `prepare` (scripts/package.mjs) without mingw-w64: what the package ships, not the tests' Windows side or browser.
const forPackage = process.argv.includes('--package');

function newest(paths) {
  let t = 0;
  for (const p of paths) {
    const full = join(root, p);
    if (!existsSync(full)) continue;
    const s = statSync(full);
    if (s.isDirectory()) t = Math.max(t, newest(readdirSync(full).map((f) => join(p, f))));
    else t = Math.max(t, s.mtimeMs);
  }
  return t;
}

function stale(output, inputs) {
  const out = join(root, output);
  return !existsSync(out) || statSync(out).mtimeMs < newest(inputs);
}

function run(what, command, args, env = {}) {
  if (!quiet) console.error(`[build] ${what}`);
  // IO_REACTOR_BUILD: the npm install run here must not start `prepare` (scripts/package.mjs), which builds.
  execFileSync(command, args, {
    cwd: root,
    env: { ...process.env, IO_REACTOR_BUILD: '1', ...env },
    stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'],
  });
}

const installApt = (pkg, why) => installAptWith(pkg, why, run);
const bin = (name) => join(root, 'node_modules', '.bin', name);

if (stale('node_modules/.package-lock.json', ['package.json', 'package-lock.json'])) {
  // `npm ci` fails against this registry (other platforms' optional binaries are absent).
  run('npm install', 'npm', ['install', '--no-audit', '--no-fund']);
}
// The seam's numbers, derived for assembly/, native/ and src/ (committed; a test checks they match).
if (stale('src/seam.ts', ['scripts/seam-definition.mjs', 'scripts/gen-seam.mjs'])) run('seam (gen-seam)', 'node', ['scripts/gen-seam.mjs']);
// The core imports its memory: src/core.ts makes it at its final size, as growing one detaches its
// old ArrayBuffer, and a detach anywhere makes V8 check every typed array access in the process.
const asc = ['assembly/index.ts', '--runtime', 'stub', '--optimizeLevel', '3', '--shrinkLevel', '0', '--importMemory'];
// Release drops the core's assertions; tests and IO_REACTOR_DEBUG=1 load the asserting build.
if (stale('build/core.wasm', ['assembly', 'scripts/build.mjs']))
  run('core.wasm (AssemblyScript)', bin('asc'), [...asc, '--outFile', 'build/core.wasm', '--noAssert']);
if (stale('build/core-debug.wasm', ['assembly', 'scripts/build.mjs']))
  run('core-debug.wasm (AssemblyScript, asserting)', bin('asc'), [...asc, '--outFile', 'build/core-debug.wasm']);
// Both addons, release and asserting (IO_REACTOR_DEBUG=1), the echo benchmark's C programs
// (bench/c) and the chat tests' C clients (test/c) come from one cmake-js build. A stamp marks it
// done: ninja leaves an output it did not need to relink untouched, so an output's time cannot.
const NATIVE_STAMP = 'build/native/.built';
if (stale(NATIVE_STAMP, ['native', 'CMakeLists.txt', 'test/c', 'bench/c'])) {
  // The io_uring shim links liburing statically (CMakeLists.txt).
  if (!existsSync('/usr/include/liburing.h')) installApt('liburing-dev', 'the io_uring shim needs liburing');
  run('native shim (cmake-js)', bin('cmake-js'), ['compile', '--out', 'build/native']);
  writeFileSync(join(root, NATIVE_STAMP), '');
}
if (withSim && stale('build/sim/shim.mjs', ['native', 'scripts/build.mjs'])) buildSimShim();
if (withSim && stale('build/sim/shim-wasm.mjs', ['build/sim/shim.mjs'])) extractSimShimWasm();
// The Windows addon and its Wine tests: part of `npm test`, not of `npm start`.
if (withSim && !forPackage) buildWindows({ root, run, stale, has });
// The shim's C harness under the sanitizers and valgrind: part of `npm test`, not of `npm start`.
if (withSim && !forPackage) buildHarness({ root, run, stale, has, installApt });
// tsc is incremental and decides staleness itself (file times miss files added concurrently).
run('TypeScript', bin('tsc'), ['-p', '.']);
if (stale('build/viz/app.js', ['src', 'scripts/viz-bundle.mjs'])) run('visualizer page (esbuild)', 'node', ['scripts/viz-bundle.mjs']);
// The visualizer's tests drive Debian's chromium; `npm start` does not need it.
if (withSim && !forPackage && !existsSync('/usr/bin/chromium')) installApt('chromium', 'the visualizer tests need chromium');
// package.json's bin: npx runs it directly, and tsc writes it without the executable bit.
chmodSync(join(root, 'build/js/src/cli/main.js'), 0o755);

/** The shim's C, built by emscripten, its OS calls imported from the simulated kernel. */
function buildSimShim() {
  if (!has('emcc')) installApt('emscripten', 'the simulation needs emscripten');
  const sources = [
    'sim/sim_entry.c',
    'common/driver.c',
    'common/fdmap.c',
    'unix/posix_driver.c',
    'unix/epoll.c',
    'unix/poll.c',
    'unix/io_uring.c',
    'win/iocp.c',
  ].map((f) => `native/${f}`);
  const exported = ['open', 'requests', 'results', 'wake_fd', 'wake', 'apply', 'cycle', 'close'].map((f) => `_sim_shim_${f}`).join(',');
  mkdirSync(join(root, 'build/sim'), { recursive: true });
  // No NDEBUG: the simulation always runs with the shim's assertions on.
  run(
    'simulation shim (emscripten)',
    'emcc',
    [
      ...sources,
      '-Inative',
      '-O2',
      '--js-library',
      'native/sim/sim_os.js',
      '-sMODULARIZE',
      '-sEXPORT_ES6',
      '-sSINGLE_FILE',
      '-sENVIRONMENT=web',
      '-sEXPORT_NAME=createSimShim',
      `-sEXPORTED_FUNCTIONS=${exported}`,
      '-sEXPORTED_RUNTIME_METHODS=HEAPU8,HEAP32,HEAPU32',
      // One module serves every simulated reactor of a thread, up to thousands: it starts small and grows.
      '-sINITIAL_MEMORY=1048576',
      '-sTOTAL_STACK=65536',
      '-sALLOW_MEMORY_GROWTH',
      '-sFILESYSTEM=0',
      '-o',
      'build/sim/shim.mjs',
    ],
    // Debian's emscripten finds its own node modules only through NODE_PATH.
    { NODE_PATH: '/usr/share/nodejs' },
  );
}

/**
 * The shim's wasm, apart, as base64 in a module: src/sim/shim.ts compiles it once per process,
 * where shim.mjs alone would decode and compile it again for every reactor.
 */
function extractSimShimWasm() {
  const source = readFileSync(join(root, 'build/sim/shim.mjs'), 'utf8');
  const base64 = /data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)/.exec(source)?.[1];
  if (!base64) throw new Error('build/sim/shim.mjs holds no inline wasm: was it built without -sSINGLE_FILE?');
  writeFileSync(join(root, 'build/sim/shim-wasm.mjs'), `export default '${base64}';\n`);
}
