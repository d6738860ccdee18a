// The tree the simulation's figures are compared with: a commit checked out into a temp dir and
// built there, reusing this tree's node_modules and native builds (the simulation's speed lives
// in src/, the core and the emscripten shim, which are built afresh from the commit's sources).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * main before the third round of simulation-speed work (issue 12: cores kept across seeds, the
 * oracle and the digest fed without record objects): the default "before" of the sim figures.
 */
export const SIM_BASELINE_REF = '6dd2173';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/**
 * Built from the commit's sources: everything else of build/ is copied. The core too: its sizes
 * (how much memory each simulated host's core takes) are part of the simulation's speed.
 */
const REBUILT = new Set(['js', 'sim', 'core.wasm', 'core-debug.wasm']);

/** The root of a built checkout of `ref` (built once, then reused), or `ref` itself when it is one. */
export function baselineTree(ref: string): string {
  if (existsSync(join(ref, 'build/js/src/cli/main.js'))) return ref;
  const commit = execFileSync('git', ['rev-parse', '--short', `${ref}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim();
  // One per tree: its node_modules is this tree's, and a checkout of another tree (a worktree since
  // removed) would lead its packages nowhere.
  const tree = createHash('sha256').update(ROOT).digest('hex').slice(0, 8);
  const dir = join(tmpdir(), `io-reactor-sim-baseline-${commit}-${tree}`);
  const modules = join(ROOT, 'node_modules');
  if (existsSync(join(dir, 'build/js/src/cli/main.js'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'build'), { recursive: true });
  process.stderr.write(`[bench] building the baseline ${commit} in ${dir}\n`);
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C ${dir}`], { cwd: ROOT, stdio: 'inherit' });
  symlinkSync(modules, join(dir, 'node_modules'));
  // Copied after the checkout, so the commit's older sources do not make them stale.
  for (const entry of readdirSync(join(ROOT, 'build'))) {
    if (!REBUILT.has(entry)) cpSync(join(ROOT, 'build', entry), join(dir, 'build', entry), { recursive: true });
  }
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: dir, stdio: 'inherit' });
  return dir;
}

/** This tree's root. */
export const CURRENT_TREE = ROOT;
