// The POSIX shim's C harness (test/native/posix_harness.c), built three ways into build/harness/:
// under AddressSanitizer and UndefinedBehaviorSanitizer, under ThreadSanitizer (its wakeups come
// from another thread), and plainly for valgrind memcheck. Installs clang-14 and valgrind with
// apt-get when missing (as root). DWARF 4: Debian's valgrind cannot read clang-14's default DWARF 5.
// Also the shim's libFuzzer targets (test/native/fuzz_*.c), under AddressSanitizer and
// UndefinedBehaviorSanitizer; libFuzzer comes with Debian's libclang-rt-14-dev.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const SHIM_SOURCES = [
  'common/driver.c',
  'common/fdmap.c',
  'common/address.c',
  'unix/posix_driver.c',
  'unix/epoll.c',
  'unix/poll.c',
  'unix/os_posix.c',
  'unix/sockets_posix.c',
  'unix/io_uring.c',
  'unix/os_uring.c',
].map((f) => `native/${f}`);
const HARNESS = 'test/native/posix_harness.c';
/** The harness's headers, which the fuzz target shares. */
const HARNESS_HEADERS = ['test/native/seam_core.h', 'test/native/request_driver.h'];
/** Each libFuzzer target: its source and what of the shim it links; test/shim-fuzz.test.ts runs build/harness/fuzz_<target>. */
const FUZZ_TARGETS = {
  request_ring: ['test/native/fuzz_request_ring.c', ...SHIM_SOURCES],
  parse_address: ['test/native/fuzz_parse_address.c', 'native/common/address.c'],
};
const FUZZ_FLAGS = ['-fsanitize=fuzzer,address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer', '-O1'];
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
    if (!stale(out, ['native', HARNESS, ...HARNESS_HEADERS, 'scripts/build-harness.mjs'])) continue;
    run(`shim harness (${build})`, 'clang-14', [
      '-gdwarf-4',
      ...flags,
      '-Wall',
      '-Wextra',
      '-Wno-unused-parameter',
      '-Werror',
      '-Inative',
      '-o',
      out,
      HARNESS,
      ...SHIM_SOURCES,
      '-l:liburing.a',
      '-lpthread',
      '-lm',
    ]);
  }
  if (!hasLibFuzzer()) installApt('libclang-rt-14-dev', "the shim's fuzz targets link clang-14's libFuzzer");
  for (const [target, sources] of Object.entries(FUZZ_TARGETS)) {
    const out = join(root, 'build/harness', `fuzz_${target}`);
    if (!stale(out, ['native', sources[0], ...HARNESS_HEADERS, 'scripts/build-harness.mjs'])) continue;
    run(`shim fuzz target (${target})`, 'clang-14', [
      '-g',
      ...FUZZ_FLAGS,
      '-Wall',
      '-Wextra',
      '-Wno-unused-parameter',
      '-Werror',
      '-Inative',
      '-Itest/native',
      '-o',
      out,
      ...sources,
      '-l:liburing.a',
      '-lpthread',
      '-lm',
    ]);
  }
}

function hasLibFuzzer() {
  const runtimes = execFileSync('clang-14', ['--print-runtime-dir'], { encoding: 'utf8' }).trim();
  return existsSync(join(runtimes, 'libclang_rt.fuzzer-x86_64.a'));
}
