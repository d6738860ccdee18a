// The shim's assertions (native/common/assert.h) are on where the tests run and compiled out of
// release: a request the core never makes (an unknown kind) stops the asserting shim at once,
// naming the broken condition and where it is, in the native addon and in the simulation's build.
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from '@jest/globals';
import { REQUEST } from '../src/seam.js';

const NATIVE = new URL('../src/native.js', import.meta.url).href;
const SIM_SHIM = new URL('../../sim/shim.mjs', import.meta.url).href;
const SIM_SHIM_WASM = new URL('../../sim/shim-wasm.mjs', import.meta.url).href;
const UNKNOWN_KIND = 99;
const KNOWN_KINDS: number[] = Object.values(REQUEST);

/** Runs `script` as an ES module in a fresh node, IO_REACTOR_DEBUG as given. */
function runNode(script: string, debug: boolean) {
  const env = { ...process.env };
  if (debug) env.IO_REACTOR_DEBUG = '1';
  else delete env.IO_REACTOR_DEBUG;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8', timeout: 20000 });
}

/** One request of an unknown kind through the native addon's epoll shim; prints the results. */
const nativeScript = `
  import { nativeBinding } from '${NATIVE}';
  const { Shim } = nativeBinding();
  const memory = new ArrayBuffer(4096);
  new Int32Array(memory, 0, 8).set([${UNKNOWN_KIND}, 5, 0, 0, 0, 0, 0, 0]);
  const shim = new Shim(memory, 0, 0, 4, 4, 0, 1024, 8, 2048);
  console.log('results', shim.cycle(1, 0));
  shim.close();
`;

/** The same through the emscripten build over an IOCP kernel that only opens its port. */
const simScript = `
  const { default: createSimShim } = await import('${SIM_SHIM}');
  const { default: base64 } = await import('${SIM_SHIM_WASM}');
  const wasm = await WebAssembly.compile(Buffer.from(base64, 'base64'));
  const kernel = { get now() { return 0; }, iocpOpen: () => 0, iocpShut: () => {}, iocpWait: () => 0, close: () => 0 };
  const m = await createSimShim({ kernel, instantiateWasm: (imports, receive) => {
    WebAssembly.instantiate(wasm, imports).then((instance) => receive(instance, wasm));
    return {};
  } });
  const shim = m._sim_shim_open(1, 2, 4, 4, 8, 8);
  m.HEAP32.set([${UNKNOWN_KIND}, 5, 0, 0, 0, 0, 0, 0], m._sim_shim_requests(shim) >> 2);
  try {
    console.log('results', m._sim_shim_cycle(shim, 1, 0));
  } catch (e) {
    console.log('aborted', e.message);
  }
`;

describe('shim assertions', () => {
  test('the asserting addon (IO_REACTOR_DEBUG=1) aborts on a broken precondition, naming it and its file:line', () => {
    expect(KNOWN_KINDS).not.toContain(UNKNOWN_KIND);
    const run = runNode(nativeScript, true);
    expect(run.signal).toBe('SIGABRT');
    expect(run.stdout).not.toContain('results');
    expect(run.stderr).toMatch(/io-reactor shim: assertion failed: valid_io_request\(s, q\) \(.*native\/common\/requests\.h:\d+\)/);
  });

  test('the release addon has them compiled out: the same request ends as a bad-fd completion', () => {
    const run = runNode(nativeScript, false);
    expect(run.stderr).not.toContain('assertion failed');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('results 1');
  });

  test("the simulation's shim (emscripten) asserts too", () => {
    const run = runNode(simScript, false);
    expect(run.stderr).toMatch(
      /io-reactor shim: assertion failed: q->kind == REQ_MODIFY \|\| q->kind == REQ_NONE \(.*native\/win\/iocp\.c:\d+\)/,
    );
    expect(run.stdout).toMatch(/^aborted /);
  });
});
