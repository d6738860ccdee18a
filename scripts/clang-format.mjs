// The C style (.clang-format) over every C source in git: `--check` (npm run lint:c) lists what
// is unformatted and fails; without it (npm run format:c) the files are rewritten in place.
// Debian's clang-format is installed with apt-get when missing (as root, as in CI).
import { execFileSync } from 'node:child_process';
import { has, installApt } from './apt.mjs';

const root = new URL('..', import.meta.url).pathname;
const check = process.argv.includes('--check');
const run = (what, command, args) => {
  console.error(`[lint:c] ${what}`);
  execFileSync(command, args, { cwd: root, stdio: 'inherit' });
};

if (!has('clang-format')) installApt('clang-format', 'the C style check needs clang-format', run);
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.c', '*.h', '*.cc'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter(Boolean);
try {
  execFileSync('clang-format', check ? ['--dry-run', '--Werror', ...files] : ['-i', ...files], { cwd: root, stdio: 'inherit' });
} catch {
  console.error('[lint:c] C sources differ from .clang-format: run `npm run format:c`');
  process.exit(1);
}
