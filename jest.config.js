// Three projects: pure unit tests, and the integration suite twice — on the embedded PostgreSQL 18
// and on the system PostgreSQL 15 — so every database behaviour is proven on both majors.
const base = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
};
export default {
  testTimeout: 60000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts', '<rootDir>/__tests__/lint/**/*.test.ts'] },
    { ...base, displayName: 'pg18', testMatch: ['<rootDir>/__tests__/integration/**/*.test.ts', '<rootDir>/__tests__/reliability/**/*.test.ts', '<rootDir>/__tests__/e2e/**/*.test.ts'], setupFiles: ['<rootDir>/__tests__/setup/pg18.cjs'] },
    { ...base, displayName: 'pg15', testMatch: ['<rootDir>/__tests__/integration/**/*.test.ts', '<rootDir>/__tests__/reliability/**/*.test.ts'], setupFiles: ['<rootDir>/__tests__/setup/pg15.cjs'] },
  ],
};
