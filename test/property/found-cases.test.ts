/**
 * The specs in test/property/found-cases/ (reduced from failing fuzz seeds) validate, build with
 * the real CLI, and compile with their scaffolded classes under the strict flags of the compile
 * property, and with exactOptionalPropertyTypes too. What each one was about is in its header.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runEsgen, runTscAsync, strictTsconfig } from '../codegen/codegen-support.js';

const casesFolder = fileURLToPath(new URL('./found-cases/', import.meta.url));
const cases = readdirSync(casesFolder)
  .filter((file) => file.endsWith('.esgen.yaml'))
  .sort();
const scratch = mkdtempSync(join(tmpdir(), 'esgen-found-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function project(file: string): string {
  const dir = join(scratch, file.replace(/\.esgen\.yaml$/, ''));
  mkdirSync(join(dir, 'domain'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'esgen.config.yaml'), 'specs: domain/*.esgen.yaml\n');
  writeFileSync(join(dir, 'domain', file), readFileSync(join(casesFolder, file), 'utf8'));
  return dir;
}

describe('specs the fuzzer found', () => {
  it('are at least the four of the 500-seed run', () => {
    expect(cases.length).toBeGreaterThanOrEqual(4);
  });

  it('validate, build, and compile under tsc --strict --noUnusedLocals --noUnusedParameters (and exactOptionalPropertyTypes)', async () => {
    const dirs = cases.map(project);
    for (const dir of dirs) {
      const built = runEsgen(['build'], dir);
      expect(`${built.stdout}${built.stderr}`, dir).not.toMatch(/error/i);
      expect(built.status, dir).toBe(0);
    }
    const include = dirs.map((dir) => join(dir, 'src/**/*.ts'));
    const asInstalled = { paths: { 'esgen/runtime': [join(repoRoot, 'dist/runtime/index.d.ts')] } };
    for (const extra of [{}, { exactOptionalPropertyTypes: true, ...asInstalled }]) {
      const tsconfig = strictTsconfig(mkdtempSync(join(scratch, 'tsc-')), include, extra);
      const checked = await runTscAsync(['-p', tsconfig], repoRoot);
      expect(checked.output, JSON.stringify(extra)).toBe('');
      expect(checked.status).toBe(0);
    }
  }, 240_000);

  it('append: a list whose elements fit is appended element by element, any other value as one element', () => {
    const generated = readFileSync(join(scratch, 'append-list-operands/src/generated/device/read-models.ts'), 'utf8');
    expect(generated).toMatch(/batches: append\(row\.batches, event\.data\.color\)/);
    expect(generated).toMatch(/raw: append\(row\.raw, event\.data\.color\)/);
    expect(generated).toMatch(/readings: appendAll\(row\.readings, event\.data\.color\)/);
    expect(generated).toMatch(/tags: appendAll\(row\.tags, event\.data\.tags\)/);
    expect(generated).toMatch(/anything: appendAll\(row\.anything, event\.data\.tags\)/);
  });
});
