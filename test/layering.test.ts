// The layering STYLE.md asks for: nothing in src/ above the native backend knows the OS.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = new URL('../../../src/', import.meta.url).pathname;
// Loads the addon built for this OS, and says what runs natively here.
const KNOWS_THE_OS = ['native.ts'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

test('only src/native.ts asks which OS it runs on', () => {
  const asking = sources(SRC)
    .map((file) => relative(SRC, file))
    .filter((file) => !KNOWS_THE_OS.includes(file) && /process\.platform|os\.platform\(/.test(readFileSync(join(SRC, file), 'utf8')));
  expect(asking).toEqual([]);
});
