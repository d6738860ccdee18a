// Jest runs the compiled tests (build/js/test), so sources and tests are built by one tsc pass.
// Tests run the asserting builds (the core's build/core-debug.wasm, the shim's
// io_reactor_debug.node); workers and the processes tests start inherit it. Benchmarks measure release.
process.env.IO_REACTOR_DEBUG = '1';
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/build/js/test'],
  testMatch: ['**/*.test.js'],
  testTimeout: 30000,
  maxWorkers: 2,
};
