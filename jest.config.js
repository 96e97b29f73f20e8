// Two projects: `unit` (pure logic, beside the code in __tests__/) and `e2e` (test/, real Postgres and Redis).
const fs = require('node:fs');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swc.$schema;
const transform = { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] };
const moduleNameMapper = {
  '^@huiliu/([a-z-]+)$': '<rootDir>/libs/$1/src',
  '^@huiliu/([a-z-]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
};
const common = { rootDir: __dirname, transform, moduleNameMapper, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };
module.exports = {
  // Process and service tests wait on real Postgres, Redis and child processes.
  testTimeout: 60000,
  // Client libraries (ioredis reconnect timers, imapflow sockets) can outlive a test file by a moment;
  // the run must end when the tests do, not when the last library timer fires.
  forceExit: true,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/__tests__/**/*.spec.ts', '<rootDir>/apps/**/__tests__/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
