// The tools the build and the checks need from Debian: found on PATH, or installed with apt-get
// when running as root (CI), or else a message that says what to install.
import { execFileSync } from 'node:child_process';

export function has(command) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `run(what, command, args)` runs the install, the caller's way (build.mjs logs and quiets it). */
export function installApt(pkg, why, run) {
  if (process.getuid?.() !== 0 || !has('apt-get')) {
    console.error(`[build] ${why}: install it (Debian: apt-get install ${pkg}) and run again`);
    process.exit(1);
  }
  run(`installing ${pkg} (apt-get)`, 'sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`]);
}
