/** schemas/: valid JSON Schema, documented for editors, and accepting every example. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';
import { parse } from 'yaml';
import { loadDomainFromSources } from '../../generator/index.js';
import { describe, expect, it } from 'vitest';
import { diagnosticCodes } from '../../generator/diagnostics/diagnostic-codes.js';
import { generatedValidatorsPath, renderValidatorsModule } from '../../generator/validate/compile-schemas.js';

const Ajv = AjvModule.default;
const root = fileURLToPath(new URL('../../', import.meta.url));
const readJson = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8')) as Record<string, unknown>;
const specSchema = readJson('schemas/esgen.schema.json');
const configSchema = readJson('schemas/esgen.config.schema.json');

/** Every property schema reachable from `properties`, with its JSON pointer. */
function propertiesOf(schema: unknown, pointer = '#'): [string, Record<string, unknown>][] {
  if (typeof schema !== 'object' || schema === null) return [];
  const found: [string, Record<string, unknown>][] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      for (const [name, property] of Object.entries(value)) found.push([`${pointer}/properties/${name}`, property as Record<string, unknown>]);
    }
    if (typeof value === 'object' && value !== null) found.push(...propertiesOf(value, `${pointer}/${key}`));
  }
  return found;
}

function resolveRef(schema: Record<string, unknown>, property: Record<string, unknown>): Record<string, unknown> {
  const ref = property.$ref;
  if (typeof ref !== 'string') return property;
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<Record<string, unknown>>((node, segment) => node[segment] as Record<string, unknown>, schema);
}

const specFiles = (dir: string): string[] =>
  readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.esgen.yaml'))
    .map((file) => join(dir, file));

describe('schemas', () => {
  it.each([
    ['esgen.schema.json', specSchema],
    ['esgen.config.schema.json', configSchema],
  ])('%s describes every property, so editors can offer completion with documentation', (_name, schema) => {
    const properties = propertiesOf(schema);
    expect(properties.length).toBeGreaterThan(5);
    const undocumented = properties.filter(([, property]) => typeof resolveRef(schema, property).description !== 'string').map(([pointer]) => pointer);
    expect(undocumented).toEqual([]);
    for (const [name, definition] of Object.entries((schema.definitions ?? {}) as Record<string, Record<string, unknown>>)) {
      expect(typeof definition.description, `definition ${name}`).toBe('string');
    }
  });

  it('accepts every example spec, the init template and the example configs', () => {
    const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
    const validateSpec = ajv.compile(specSchema);
    const validateConfig = ajv.compile(configSchema);
    const files = [...specFiles('examples'), ...specFiles('templates/init')];
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      expect(validateSpec(parse(readFileSync(join(root, file), 'utf8'))), `${file}: ${JSON.stringify(validateSpec.errors)}`).toBe(true);
    }
    for (const file of ['examples/orders/esgen.config.yaml', 'examples/bank-account/esgen.config.yaml', 'templates/init/esgen.config.yaml']) {
      expect(validateConfig(parse(readFileSync(join(root, file), 'utf8'))), file).toBe(true);
    }
  });

  it('are precompiled into generator/validate/schema-validators.generated.ts from their current text', () => {
    // If this fails after a schema edit, run: npx tsx generator/validate/compile-schemas.ts
    expect(readFileSync(generatedValidatorsPath, 'utf8')).toBe(renderValidatorsModule(root));
  });

  it('describes `default` as the checker applies it: state fields only, never event fields', async () => {
    const description = (specSchema as { definitions: { fieldObject: { properties: { default: { description: string } } } } }).definitions.fieldObject.properties.default.description;
    expect(description).toMatch(/state field/);
    expect(description).toMatch(/upcast `add`/);
    const loaded = await loadDomainFromSources(new Map([['domain/a.esgen.yaml', 'aggregate: A\nevents:\n  X:\n    fields: { n: { type: integer, default: 1 } }\n']]));
    expect(loaded.diagnostics.map((d) => d.code)).toEqual(['ESG113']);
  });

  it('scaffold comments name spec keys as users write them (`custom:`), never IR names', () => {
    const schemaText = readFileSync(join(root, 'schemas/esgen.schema.json'), 'utf8');
    const dir = join(root, 'templates/scaffold');
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8');
      // A backticked `key:` in a comment is a spec key: it must exist in the schema.
      for (const [, key] of text.matchAll(/`(\w+):`/g)) expect(schemaText, `${file} names \`${key}:\``).toContain(`"${key}": {`);
      expect(text, file).not.toMatch(/customOn|deleteOn/);
    }
  });

  it('rejects a spec with an unknown top-level key', () => {
    const validate = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false }).compile(specSchema);
    expect(validate({ aggregate: 'A', evnts: {} })).toBe(false);
  });

  it('example specs point editors at the schema through the yaml-language-server line', () => {
    for (const file of specFiles('examples')) {
      expect(readFileSync(join(root, file), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=../../../schemas/esgen.schema.json');
    }
  });
});

describe('docs/spec-reference.md', () => {
  it('documents every diagnostic code', () => {
    const reference = readFileSync(join(root, 'docs/spec-reference.md'), 'utf8');
    const missing = Object.keys(diagnosticCodes).filter((code) => !reference.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });
});
