// Jest runs the compiled tests (build/js/test), so sources and tests are built by one tsc pass.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/build/js/test'],
  testMatch: ['**/*.test.js'],
  testTimeout: 30000,
  maxWorkers: 2,
};
