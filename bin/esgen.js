#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `prepack`, so the published
// package and a git install have it; in a clone, `npm run example` and `npm test` build it).
import('../dist/cli/main.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/main.js')) {
    console.error('esgen: the CLI is not compiled yet. Run `npm run build` in the esgen package.');
    process.exit(1);
  }
  throw error;
});
