// Jest runs the compiled tests (build/js/test), so sources and tests are built by one tsc pass.
// Every test run uses the asserting builds; workers and the processes tests start inherit it.
process.env.IO_REACTOR_DEBUG = '1';
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/build/js/test'],
  testMatch: ['**/*.test.js'],
  testTimeout: 30000,
  maxWorkers: 2,
};
