import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests and example code import the package by name; run them against the sources.
    alias: [
      { find: /^esgen\/runtime$/, replacement: here('./runtime/index.ts') },
      { find: /^esgen\/runtime\/admin$/, replacement: here('./runtime/admin.ts') },
      { find: /^esgen\/testing$/, replacement: here('./runtime/testing/index.ts') },
      { find: /^esgen$/, replacement: here('./generator/index.ts') },
    ],
  },
  test: {
    // The examples' own business-rule tests run with the suite (they use esgen/testing).
    include: ['test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    // Type-level tests (`expectTypeOf`, `@ts-expect-error`) live in `*.test-d.ts`: vitest runs them
    // through tsc, so a wrong expectation is a failing test, not a no-op at run time.
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.type-tests.json',
    },
    // Compiles dist/ once for the CLI tests (they run `node bin/esgen.js`).
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // On a server, suites run one file at a time: gap-safe reads only see transactions below the
    // cluster-wide xmin, so one suite's deliberately open transactions (gap and torture tests) would
    // hold back what another suite expects to read at once. On PGlite each suite has its own database.
    maxWorkers: process.env.DATABASE_URL ? 1 : 2,
  },
});
