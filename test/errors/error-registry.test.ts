/**
 * The one error registry (runtime/error-codes.ts): every code declared once with its meaning and
 * fix, every error esgen throws carries a registered code, the docs show exactly the registry, and
 * nothing reads error message text to decide what happened.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorTables, renderErrorTable, withRenderedErrorTable } from '../../generator/diagnostics/error-docs.js';
import { diagnosticCodes } from '../../generator/diagnostics/diagnostic-codes.js';
import { errorCodes } from '../../runtime/error-codes.js';
import { EsgenError, InternalError, InvalidArgument, isEsgenError, PgliteOpenFailed } from '../../runtime/errors.js';
import { repoRoot } from '../codegen/codegen-support.js';

function sourceFiles(folder: string): string[] {
  return readdirSync(join(repoRoot, folder)).flatMap((name) => {
    const path = join(repoRoot, folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(relative(repoRoot, path));
    return name.endsWith('.ts') && !name.endsWith('.generated.ts') ? [path] : [];
  });
}

const sources = ['runtime', 'generator', 'cli'].flatMap(sourceFiles).map((path) => ({ path: relative(repoRoot, path), text: readFileSync(path, 'utf8') }));
const registrySource = readFileSync(join(repoRoot, 'runtime/error-codes.ts'), 'utf8');
/** Codes owned by the connection half of issue 10 (registered here, thrown by runtime/pg-client.ts there). */
describe('the error registry', () => {
  it('declares every code once, as ESG followed by three digits', () => {
    const declared = [...registrySource.matchAll(/^\s+(ESG\d+): \{/gm)].map((match) => match[1]!);
    expect(declared.length).toBeGreaterThan(70);
    expect(new Set(declared).size).toBe(declared.length);
    expect(declared).toEqual(Object.keys(errorCodes));
    for (const code of declared) expect(code).toMatch(/^ESG\d{3}$/);
  });

  it('gives every code a meaning and a fix, and every runtime code its own class name', () => {
    for (const [code, entry] of Object.entries(errorCodes)) {
      expect(entry.meaning.length, code).toBeGreaterThan(10);
      expect(entry.fix.length, code).toBeGreaterThan(5);
    }
    const classes = Object.entries(errorCodes).filter(([code]) => code.startsWith('ESG2') || code === 'ESG000' || code === 'ESG008' || code === 'ESG009');
    const names = classes.map(([, entry]) => entry.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[A-Z][A-Za-z]+$/);
  });

  it('keeps one meaning per code: appending to a non-list field and refusing to overwrite a file are two codes', () => {
    expect(errorCodes.ESG150.meaning).toMatch(/append/);
    expect(errorCodes.ESG008.name).toBe('UnableToWriteOutput');
    expect(errorCodes.ESG211.name).toBe('InvalidImport');
    expect(errorCodes.ESG216.name).toBe('PgliteOpenFailed');
    expect(errorCodes.ESG000.name).toBe('InternalError');
  });

  it('is what diagnostics draw their codes from', () => {
    expect(Object.keys(diagnosticCodes)).toEqual(Object.keys(errorCodes).filter((code) => /^ESG[01]/.test(code)));
  });
});

describe('errors esgen throws', () => {
  const classes = sources.flatMap(({ path, text }) =>
    [...text.matchAll(/class (\w+) extends (\w+)[^{]*\{([\s\S]*?)\n\}/g)].map((match) => ({ path, name: match[1]!, base: match[2]!, body: match[3]! })),
  );

  it('all extend EsgenError, except control-flow signals that never leave their module', () => {
    const heads = sources.flatMap(({ path, text }) => [...text.matchAll(/class (\w+) extends Error\b/g)].map((match) => `${path}:${match[1]}`));
    const plain = heads.filter((head) => head !== 'runtime/errors.ts:EsgenError');
    // Thrown and caught inside one function each, mapped to a registered error or an outcome there;
    // StatementReadTimeout, the pg client's own read timeout, which every caller maps to
    // QueryTimedOut through translateFault; and ScenarioFailed, a failed test expectation of
    // esgen/testing (a test failure, not a runtime error).
    expect(plain.sort()).toEqual([
      'runtime/pg-faults.ts:StatementReadTimeout',
      'runtime/projections/projection-batch.ts:CheckpointMoved',
      'runtime/projections/projection-batch.ts:Fenced',
      'runtime/store/event-store.ts:StreamCollision',
      'runtime/testing/scenario-failed.ts:ScenarioFailed',
    ]);
  });

  it('name their code in the registry, under their own class name', () => {
    const withCode = classes.filter((entry) => /super\(\s*'ESG\d{3}'/.test(entry.body));
    expect(withCode.length).toBeGreaterThan(20);
    for (const entry of withCode) {
      const code = /super\(\s*'(ESG\d{3})'/.exec(entry.body)![1] as keyof typeof errorCodes;
      expect(errorCodes[code], `${entry.path}: ${entry.name}`).toBeDefined();
      expect(errorCodes[code].name, `${entry.path}: ${entry.name}`).toBe(entry.name);
    }
    const thrown = new Set(withCode.map((entry) => /super\(\s*'(ESG\d{3})'/.exec(entry.body)![1]));
    const runtimeCodes = Object.keys(errorCodes).filter((code) => code.startsWith('ESG2'));
    const missing = runtimeCodes.filter((code) => !thrown.has(code));
    expect(missing).toEqual([]);
  });

  it('never throw a bare Error (only build scripts of the repository may)', () => {
    const bare = sources
      .filter(({ text }) => /throw new Error\(|reject\(new Error\(/.test(text))
      .map(({ path }) => path)
      .sort();
    expect(bare).toEqual(['generator/ops/ops-docs.ts', 'generator/validate/compile-schemas.ts']);
  });

  it('are recognised by code, with the fix from the registry', () => {
    const error = new InvalidArgument('options.limit', 'must be an integer from 1 to 2147483647; got 0');
    expect(error).toBeInstanceOf(EsgenError);
    expect(error).toMatchObject({ code: 'ESG206', name: 'InvalidArgument', argument: 'options.limit', fix: errorCodes.ESG206.fix });
    expect(isEsgenError(error, 'ESG206')).toBe(true);
    expect(isEsgenError({ code: 'ESG999' })).toBe(false);
    expect(isEsgenError(new Error('ESG206'))).toBe(false);
    const open = new PgliteOpenFailed('/data', new Error('Aborted()'));
    expect(open).toMatchObject({ code: 'ESG216', name: 'PgliteOpenFailed', dataDir: '/data' });
    expect(new InternalError('x')).toMatchObject({ code: 'ESG000' });
  });

  it('are never told apart by their message text in the CLI', () => {
    const cli = sources.filter(({ path }) => path.startsWith('cli/'));
    for (const { path, text } of cli) expect(text, path).not.toMatch(/\.message\.(split|includes|match|startsWith|replace)\(|\.message\)?\s*\.test\(|test\(\w+\.message\)/);
  });
});

describe('the docs error tables', () => {
  for (const table of errorTables) {
    it(`in ${relative(repoRoot, table.path)} show exactly the registry's ${table.name} codes (rewrite with \`npx tsx generator/diagnostics/error-docs.ts\`)`, () => {
      const docs = readFileSync(table.path, 'utf8');
      expect(withRenderedErrorTable(docs, table)).toBe(docs);
      const rendered = renderErrorTable(table);
      for (const code of Object.keys(errorCodes).filter((code) => table.range.test(code))) expect(rendered).toContain(`\`${code}\``);
    });
  }
});
