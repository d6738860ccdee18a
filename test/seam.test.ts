// The seam's numbers have one definition (scripts/seam-definition.mjs); the files derived from it
// are committed, and must be exactly what the generator makes of it.
import { execFileSync } from 'node:child_process';

const ROOT = new URL('../../../', import.meta.url).pathname;

test('assembly/seam.ts, native/common/seam.h and src/seam.ts are what gen-seam derives from the definition', () => {
  const check = (): string => execFileSync('node', ['scripts/gen-seam.mjs', '--check'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
  expect(check).not.toThrow();
});
