// `prepare` (npm pack, npm publish, installs from git): builds what the package ships, then puts the
// native addons where node-gyp-build finds them at run time: prebuilds/<platform>-<arch>/, named
// with prebuildify's tags (napi: one build for every Node with Node-API 8; glibc: not for musl).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
// scripts/build.mjs sets this for the npm install it runs, which would otherwise come back here.
if (process.env.IO_REACTOR_BUILD) process.exit(0);

const has = (command) => {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
// The Windows addon comes from the full build's mingw-w64 cross-compile, when that toolchain is here.
const withWindows = has('x86_64-w64-mingw32-gcc-posix');
execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), ...(withWindows ? [] : ['--package'])], {
  cwd: root,
  stdio: ['ignore', 2, 2],
});

const PREBUILDS = [
  {
    from: 'build/native/Release/io_reactor.node',
    to: `prebuilds/linux-${process.arch}/node.napi.${existsSync('/etc/alpine-release') ? 'musl' : 'glibc'}.node`,
    when: process.platform === 'linux',
  },
  { from: 'build/win/io_reactor.node', to: 'prebuilds/win32-x64/node.napi.node', when: withWindows },
];
rmSync(join(root, 'prebuilds'), { recursive: true, force: true });
for (const { from, to, when } of PREBUILDS) {
  if (!when) {
    console.error(`[package] no ${to}: it is built on ${to.includes('win32') ? 'a machine with mingw-w64' : 'Linux'}`);
    continue;
  }
  mkdirSync(join(root, to, '..'), { recursive: true });
  copyFileSync(join(root, from), join(root, to));
  console.error(`[package] ${to}`);
}
