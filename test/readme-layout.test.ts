// The README's layout table is the map of the repository: every folder git knows has its row.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const ROOT = new URL('../../../', import.meta.url).pathname;

test("every folder in git has a row in the README's layout table", () => {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  const folders = new Set(
    files.flatMap((file) =>
      file
        .split('/')
        .slice(0, -1)
        .map((_, i, parts) => `${parts.slice(0, i + 1).join('/')}/`),
    ),
  );
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  const layout = readme.slice(readme.indexOf('\n## Layout\n'));
  const rows = new Set([...layout.matchAll(/^\| `([^`]+\/)` \|/gm)].map((m) => m[1]));
  expect([...folders].filter((folder) => !rows.has(folder)).sort()).toEqual([]);
});
