import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests and example code import the package by name; run them against the sources.
    alias: [
      { find: /^esgen\/runtime$/, replacement: here('./runtime/index.ts') },
      { find: /^esgen$/, replacement: here('./generator/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Compiles dist/ once for the CLI tests (they run `node bin/esgen.js`).
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Suites share one PostgreSQL server: keep file-level parallelism modest on 2 cores.
    maxWorkers: 2,
  },
});
