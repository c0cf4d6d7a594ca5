/**
 * The invalid-spec corpus: every folder under test/spec/invalid/ is a case whose diagnostics are
 * compared with its golden file `expected.txt` (file:line:column, code, message, hint).
 * Update the goldens after an intended change with `npx vitest run test/spec -u`, then review the diff.
 */
import { existsSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDomainFromSources } from '../../generator/load/load-domain.js';
import { loadProject } from '../../generator/load/load-project.js';
import { loadSpecFiles } from '../../generator/load/load-project.js';
import { sortDiagnostics } from '../../generator/diagnostics/format-diagnostics.js';
import { diagnosticCodes } from '../../generator/diagnostics/diagnostic-codes.js';
import type { Diagnostic } from '../../generator/diagnostics/types.js';

const corpus = fileURLToPath(new URL('./invalid/', import.meta.url));
const cases = readdirSync(corpus, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

/** Cases with their own esgen.config.yaml go through loadProject; the others load their *.esgen.yaml files directly. */
export async function diagnoseCase(dir: string): Promise<readonly Diagnostic[]> {
  if (existsSync(join(dir, 'esgen.config.yaml'))) return (await loadProject({ cwd: dir, env: {} })).diagnostics;
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.esgen.yaml'))
    .sort();
  const result = await loadSpecFiles(dir, files);
  expect(result.ok).toBe(false);
  return result.diagnostics;
}

export function renderGolden(diagnostics: readonly Diagnostic[]): string {
  return sortDiagnostics(diagnostics)
    .map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}${d.hint ? `\n    hint: ${d.hint}` : ''}`)
    .join('\n')
    .concat('\n');
}

describe('the invalid-spec corpus', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('%s reports the expected diagnostics', async (name) => {
    const dir = join(corpus, name);
    const diagnostics = await diagnoseCase(dir);
    expect(diagnostics.length).toBeGreaterThan(0);
    // The case name states the code it is about.
    const code = /^(esg\d{3})-/.exec(name)?.[1]?.toUpperCase();
    if (code) expect(diagnostics.map((d) => d.code)).toContain(code);
    for (const d of diagnostics) {
      expect(Object.keys(diagnosticCodes)).toContain(d.code);
      expect(d.line).toBeGreaterThanOrEqual(1);
      expect(d.column).toBeGreaterThanOrEqual(1);
      // Raw ajv wording never reaches the user.
      expect(d.message).not.toMatch(/must have required property|must NOT have additional properties|must match "then" schema/);
    }
    await expect(renderGolden(diagnostics)).toMatchFileSnapshot(join(dir, 'expected.txt'));
  });

  it('reports every problem of a run at once, across files', async () => {
    const diagnostics = await diagnoseCase(join(corpus, 'many-errors-across-files'));
    expect(new Set(diagnostics.map((d) => d.file))).toEqual(new Set(['order.esgen.yaml', 'invoice.esgen.yaml', 'broken.esgen.yaml']));
    expect(diagnostics.map((d) => d.code).sort()).toEqual(['ESG101', 'ESG111', 'ESG135', 'ESG137', 'ESG138']);
  });
});

describe('hostile input', () => {
  it('refuses a spec file over 1 MiB with ESG005 before parsing it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'esgen-huge-'));
    try {
      writeFileSync(join(dir, 'huge.esgen.yaml'), `aggregate: Huge\ndescription: "${'x'.repeat(1024 * 1024)}"\n`);
      const result = await loadSpecFiles(dir, ['huge.esgen.yaml']);
      expect(result.ok).toBe(false);
      expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'ESG005', file: 'huge.esgen.yaml', line: 1, column: 1 })]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks constants of value types whose fields are named like Object.prototype members (toString, valueOf)', () => {
    const spec = (stateDefault: string, toString = 'string') =>
      `aggregate: Thing\ntypes:\n  Label: { text: string, toString: ${toString}, valueOf: integer }\nstate:\n  label: { type: Label, default: ${stateDefault} }\nevents:\n  ThingMade: {}\n`;
    expect(loadDomainFromSources(new Map([['thing.esgen.yaml', spec('{ text: hi, toString: x, valueOf: 1 }')]])).diagnostics).toEqual([]);
    // A missing `valueOf` is missing, not Object.prototype.valueOf (the check used to crash on it).
    const missing = loadDomainFromSources(new Map([['thing.esgen.yaml', spec('{ text: hi, toString: x }')]]));
    expect(missing.diagnostics).toEqual([expect.objectContaining({ code: 'ESG143', message: expect.stringContaining('`valueOf` is required in `Label`') })]);
    // Optional, such a field would not type-check in generated code (an object literal "has" toString): refused.
    const optional = loadDomainFromSources(new Map([['thing.esgen.yaml', spec('{ text: hi, valueOf: 1 }', 'string?')]]));
    expect(optional.diagnostics).toEqual([expect.objectContaining({ code: 'ESG131', message: expect.stringContaining('optional field `toString`') })]);
  });

  it('reports a deeply nested document as a diagnostic instead of overflowing the stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'esgen-deep-'));
    try {
      writeFileSync(join(dir, 'deep.esgen.yaml'), `aggregate: Deep\ndescription: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
      const result = await loadSpecFiles(dir, ['deep.esgen.yaml']);
      expect(result.ok).toBe(false);
      expect(result.diagnostics.length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
