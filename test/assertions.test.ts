// The core states its invariants as assertions: the asserting build (build/core-debug.wasm) runs
// in every test, and a broken invariant stops it at once; the release build carries none.
import { readFileSync } from 'node:fs';
import { instantiateCore, coreFile, type CoreExports } from '../src/core.js';
import { MODEL, MECHANISM, CODES_ERRNO, RESULT, RESULT_FIELD, ENTRY_INTS } from '../src/seam.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const SIZES = { poolSize: 8, bufferSize: 64, maxSockets: 16 } as const;

/** A completion for context 0, which is free: no shim ever held it. */
function completeFreeContext(core: CoreExports): number {
  expect(core.init(MODEL.completion, MECHANISM.epoll, CODES_ERRNO, 0)).toBe(0);
  const entry = new Int32Array(core.memory.buffer, core.resultsAt(), ENTRY_INTS);
  entry[RESULT_FIELD.kind] = RESULT.complete;
  entry[RESULT_FIELD.fd] = 42;
  entry[RESULT_FIELD.target] = 0;
  return core.endWait(1, 0);
}

test('tests run the asserting core', () => {
  expect(coreFile()).toBe('core-debug.wasm');
});

test('a completion for a context the shim does not hold stops the asserting core, naming the invariant', async () => {
  const core = (await instantiateCore(SIZES))!;
  expect(() => completeFreeContext(core)).toThrow(
    /core aborted: a completion for a context the shim does not hold \(.*completion\.ts:\d+:\d+\)/,
  );
});

test('the release core has its assertions compiled out', async () => {
  const aborts: number[] = [];
  // The memory's size, as the asserting core plans it (the same layout code).
  const bytes = (await instantiateCore(SIZES))!.plan(SIZES.poolSize, SIZES.bufferSize, SIZES.maxSockets);
  const { instance } = await WebAssembly.instantiate(readFileSync(`${ROOT}build/core.wasm`), {
    env: {
      memory: new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) }),
      abort: (message: number) => {
        aborts.push(message);
      },
    },
  });
  const core = instance.exports as unknown as CoreExports;
  core.plan(SIZES.poolSize, SIZES.bufferSize, SIZES.maxSockets);
  completeFreeContext(core);
  expect(aborts).toEqual([]);
});
