// The fences of the house: nothing in src/ above the native backend knows the OS, the simulator
// sits behind its own door (src/sim/), shipped code never imports examples/, no import cycles.
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = new URL('../../../', import.meta.url).pathname;
const SRC = join(ROOT, 'src/');
const SIM = join(SRC, 'sim/');
const EXAMPLES = join(ROOT, 'examples/');
// Loads the addon built for this OS, and says what runs natively here.
const KNOWS_THE_OS = ['native.ts'];
const ENTRY = join(ROOT, 'build/js/src/index.js');
const BUILT_SIM = `file://${join(ROOT, 'build/js/src/sim/')}`;
const LOADED_MODULES = join(ROOT, 'test/fixtures/loaded-modules.mjs');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The files a source imports statically (`import`, `import type`, `export ... from`), as .ts paths. */
function staticImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  return source.statements.flatMap((s) => {
    const from = ts.isImportDeclaration(s) || ts.isExportDeclaration(s) ? s.moduleSpecifier : undefined;
    if (!from || !ts.isStringLiteral(from) || !from.text.startsWith('.')) return [];
    return [resolve(dirname(file), from.text).replace(/\.js$/, '.ts')];
  });
}

const graph = new Map(sources(SRC).map((file) => [file, staticImports(file)]));
const name = (file: string): string => relative(ROOT, file);

/** Every import cycle, each as the files around it; a cycle is reported once, from its first file. */
function cycles(): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string): void => {
    const at = path.indexOf(file);
    if (at >= 0) {
      found.push([...path.slice(at), file].map(name));
      return;
    }
    if (done.has(file)) return;
    path.push(file);
    for (const next of graph.get(file) ?? []) visit(next);
    path.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return found;
}

test('only src/native.ts asks which OS it runs on', () => {
  const asking = sources(SRC)
    .map((file) => relative(SRC, file))
    .filter((file) => !KNOWS_THE_OS.includes(file) && /process\.platform|os\.platform\(/.test(readFileSync(join(SRC, file), 'utf8')));
  expect(asking).toEqual([]);
});

test('no file of src/ outside src/sim/ imports the simulator statically (type imports included)', () => {
  const reaching = [...graph]
    .filter(([file]) => !file.startsWith(SIM))
    .flatMap(([file, imports]) => imports.filter((i) => i.startsWith(SIM)).map((i) => `${name(file)} → ${name(i)}`));
  expect(reaching).toEqual([]);
});

test('nothing under src/ imports examples/', () => {
  const reaching = [...graph].flatMap(([file, imports]) =>
    imports.filter((i) => i.startsWith(EXAMPLES)).map((i) => `${name(file)} → ${name(i)}`),
  );
  expect(reaching).toEqual([]);
});

test('src/ has no import cycle, type-only imports included', () => {
  expect(cycles()).toEqual([]);
});

test('importing the built io-reactor entry loads no file of the simulator', () => {
  const child = spawnSync(process.execPath, [LOADED_MODULES, ENTRY], { encoding: 'utf8' });
  expect({ status: child.status, stderr: child.stderr }).toMatchObject({ status: 0 });
  const loaded = JSON.parse(child.stdout) as string[];
  expect(loaded).toContain(`file://${ENTRY}`);
  expect(loaded.filter((url) => url.startsWith(BUILT_SIM))).toEqual([]);
});
