/**
 * Compiles the package once before the suites run: CLI tests start the real binary
 * (`node bin/esgen.js`), which loads dist/. Type errors are the job of `npm run typecheck`; here
 * a failed compile only stops the run when it produced no CLI to test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    const output = `${result.stdout}${result.stderr}`.trim();
    if (!existsSync(`${root}/dist/cli/main.js`)) throw new Error(`npm run build failed:\n${output}`);
    console.warn(`[global-setup] tsc reported errors (dist/ was still emitted):\n${output.split('\n').slice(0, 20).join('\n')}`);
  }
}
