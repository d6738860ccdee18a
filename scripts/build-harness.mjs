// The POSIX shim's C harness (test/native/posix_harness.c), built three ways into build/harness/:
// under AddressSanitizer and UndefinedBehaviorSanitizer, under ThreadSanitizer (its wakeups come
// from another thread), and plainly for valgrind memcheck. Installs clang-14 and valgrind with
// apt-get when missing (as root). DWARF 4: Debian's valgrind cannot read clang-14's default DWARF 5.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const SHIM_SOURCES = ['common/driver.c', 'common/fdmap.c', 'common/address.c', 'unix/posix_driver.c', 'unix/epoll.c', 'unix/poll.c',
  'unix/os_posix.c', 'unix/sockets_posix.c', 'unix/io_uring.c', 'unix/os_uring.c'].map((f) => `native/${f}`);
const HARNESS = 'test/native/posix_harness.c';
/** Each build's flags; test/posix-harness.test.ts runs build/harness/posix_harness_<build>. Assertions stay on (no NDEBUG). */
const HARNESS_BUILDS = {
  asan: ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer', '-O1'],
  tsan: ['-fsanitize=thread', '-O1'],
  plain: ['-O1'],
};
const harnessPath = (root, build) => join(root, 'build/harness', `posix_harness_${build}`);

export function buildHarness({ root, run, stale, has, installApt }) {
  if (!has('clang-14')) installApt('clang-14', 'the shim harness is built by clang-14 with its sanitizers');
  if (!has('valgrind')) installApt('valgrind', 'the shim harness runs under valgrind memcheck');
  mkdirSync(join(root, 'build/harness'), { recursive: true });
  for (const [build, flags] of Object.entries(HARNESS_BUILDS)) {
    const out = harnessPath(root, build);
    if (!stale(out, ['native', HARNESS, 'scripts/build-harness.mjs'])) continue;
    run(`shim harness (${build})`, 'clang-14', ['-gdwarf-4', ...flags, '-Wall', '-Wextra', '-Wno-unused-parameter', '-Werror', '-Inative',
      '-o', out, HARNESS, ...SHIM_SOURCES, '-l:liburing.a', '-lpthread', '-lm']);
  }
}
