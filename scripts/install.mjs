// The package's install step. Nothing to do when an addon fits this platform: a prebuilt one in
// prebuilds/<platform>-<arch>/ (found by node-gyp-build, as at run time) or a local build. Otherwise
// it builds the addon from source with cmake-js when the project has it, or says how to.
// In the source tree `npm run build` builds everything, so there it does nothing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

function addonFits() {
  try {
    require('node-gyp-build').path(root);
    return true;
  } catch {
    return existsSync(`${root}build/native/Release/io_reactor.node`);
  }
}

function cmakeJs() {
  try {
    return require.resolve('cmake-js/bin/cmake-js');
  } catch {
    return null;
  }
}

if (!existsSync(`${root}scripts/build.mjs`) && !addonFits()) {
  const where = `${process.platform}-${process.arch}`;
  const cli = cmakeJs();
  if (cli) {
    console.error(`io-reactor: no prebuilt addon for ${where}: building it from source with cmake-js (needs cmake and a C/C++ compiler)`);
    execFileSync(process.execPath, [cli, 'compile', '--out', 'build/native'], { cwd: root, stdio: 'inherit' });
  } else {
    // Not a failed install: the simulation (io-reactor/sim) runs without the addon.
    console.error(
      `io-reactor: no prebuilt addon for ${where}. The simulation works; for the native reactor build it from source:\n` +
        '  npm install --save-dev cmake-js node-addon-api node-api-headers && npm rebuild io-reactor   (needs cmake and a C/C++ compiler)',
    );
  }
}
