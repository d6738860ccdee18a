// Installs and builds whatever is missing or stale: node_modules, build/core.wasm, the native
// addon, the compiled TypeScript. `npm start`, `npm test` and `npm run bench` run it first.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const quiet = process.argv.includes('--quiet');

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

function run(what, command, args) {
  if (!quiet) console.error(`[build] ${what}`);
  execFileSync(command, args, { cwd: root, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'] });
}

const bin = (name) => join(root, 'node_modules', '.bin', name);

if (stale('node_modules/.package-lock.json', ['package.json', 'package-lock.json'])) {
  // `npm ci` fails against this registry (other platforms' optional binaries are absent).
  run('npm install', 'npm', ['install', '--no-audit', '--no-fund']);
}
if (stale('build/core.wasm', ['assembly'])) {
  run('core.wasm (AssemblyScript)', bin('asc'), ['assembly/index.ts', '--outFile', 'build/core.wasm',
    '--runtime', 'stub', '--optimizeLevel', '3', '--shrinkLevel', '0', '--noAssert']);
}
if (stale('build/native/Release/io_reactor.node', ['native', 'CMakeLists.txt'])) {
  run('native shim (cmake-js)', bin('cmake-js'), ['compile', '--out', 'build/native']);
}
if (stale('build/js/.tsbuildinfo', ['src', 'examples', 'bench', 'test', 'tsconfig.json'])) {
  run('TypeScript', bin('tsc'), ['-p', '.']);
}
