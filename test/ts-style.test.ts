// The house's TypeScript style is checked, not hoped for: every file biome.jsonc covers is formatted
// and passes the linter (npm run lint; npm run format rewrites the formatting).
import { spawnSync } from 'node:child_process';

const ROOT = new URL('../../../', import.meta.url).pathname;

test('every TypeScript and JavaScript source passes `biome ci` (npm run lint)', () => {
  const run = spawnSync('node_modules/.bin/biome', ['ci', '--reporter=summary', '--colors=off'], { cwd: ROOT, encoding: 'utf8' });
  const report = `${run.stdout}${run.stderr}${run.error ? String(run.error) : ''}`;
  expect({ status: run.status, report: run.status === 0 ? '' : report }).toEqual({ status: 0, report: '' });
}, 120_000);
