// Bundles the visualizer page (src/viz/page) for the browser into build/viz: app.js and index.html.
// The page runs the simulation on the real sources; the few Node-only modules they import are
// swapped for browser stand-ins (src/viz/browser; node:os by src/sim/browser-os.ts), and
// core.wasm and the emscripten shim are fetched from the page's server (src/viz/server.ts).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const standIns = {
  'node:os': `${root}src/sim/browser-os.ts`,
};

await build({
  entryPoints: [`${root}src/viz/page/main.ts`],
  outfile: `${root}build/viz/app.js`,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
  // core.ts reads the wasm from disk only when it is a file: URL, which it never is in the page.
  external: ['node:fs/promises'],
  plugins: [
    {
      name: 'browser-stand-ins',
      setup(b) {
        b.onResolve({ filter: /^node:os$/ }, (args) => ({ path: standIns[args.path] }));
        b.onResolve({ filter: /\/native\.js$/ }, (args) =>
          args.importer.startsWith(`${root}src/`) && !args.importer.includes('/viz/browser/')
            ? { path: `${root}src/viz/browser/native.ts` }
            : undefined,
        );
      },
    },
  ],
});
mkdirSync(`${root}build/viz`, { recursive: true });
copyFileSync(`${root}src/viz/page/index.html`, `${root}build/viz/index.html`);
