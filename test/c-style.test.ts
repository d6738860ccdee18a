// The house's C style is checked, not hoped for: every C source git knows matches .clang-format
// (scripts/clang-format.mjs installs Debian's clang-format when it is missing).
import { spawnSync } from 'node:child_process';

const ROOT = new URL('../../../', import.meta.url).pathname;

test('every C source matches .clang-format (npm run lint:c)', () => {
  const run = spawnSync('node', ['scripts/clang-format.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
  expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
}, 120_000);
