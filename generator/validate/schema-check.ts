import type { ErrorObject, ValidateFunction } from 'ajv';
import { suggestion } from '../diagnostics/did-you-mean.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { DocPath, YamlLocator } from '../load/yaml-locator.js';

import * as precompiled from './schema-validators.generated.js';

type SchemaName = 'esgen.schema.json' | 'esgen.config.schema.json';

/**
 * The schemas, compiled ahead of time by compile-schemas.ts (ajv standalone, `verbose` so errors
 * carry the failing subschema for "did you mean" among allowed properties).
 */
function validatorFor(name: SchemaName): ValidateFunction {
  return (name === 'esgen.schema.json' ? precompiled.spec : precompiled.config) as ValidateFunction;
}

/**
 * What the spec schema expects at a path, in words, for "wrong type" messages. Keyed on the
 * instance path: precompiled validators report schema paths relative to each definition, so the
 * definition name is not available.
 */
function expectedInSpec(path: DocPath): string | undefined {
  const [section] = path;
  const last = path.at(-1);
  const parent = path.at(-2);
  const depth = path.length;
  if (last === 'type' && depth >= 3) return 'a type such as `string`, `OrderItem[]`, `[OrderItem]` or `integer?`';
  if (parent === 'fields' && section !== 'readModels') return 'a type such as `string` or `[OrderItem]`, or a mapping `{ type: ... }`';
  if ((section === 'state' && depth === 2) || (section === 'types' && depth === 3)) return 'a type such as `string` or `[OrderItem]`, or a mapping `{ type: ... }`';
  if (section === 'types' && depth === 2) return 'a record `{ field: type }` or an enum `{ enum: [...] }`';
  if (section === 'events' && depth === 2) return 'an event mapping `{ fields, apply, ... }` (or `{}`)';
  if (parent === 'history') return 'a mapping `{ fields, upcast }`';
  if (last === 'upcast') return '`custom` or `{ rename, remove, add }`';
  if (parent === 'apply') return '`event.path`, an envelope field like `$occurredAt`, or a constant';
  if (section === 'readModels' && depth === 2) return 'a read-model mapping `{ projection, fields, ... }`';
  if (section === 'readModels' && depth === 4 && parent === 'fields') return 'a mapping `{ type, from | on, ... }`';
  if (parent === 'on') return 'a constant or one operation `{ set | add | min | max | append | increment: ... }`';
  return undefined;
}

/**
 * Checks a parsed document against a schema from schemas/ and turns ajv's errors into located,
 * plain-English diagnostics (one per problem; ajv's `if` bookkeeping errors are dropped).
 */
export function checkAgainstSchema(schema: SchemaName, value: unknown, file: string, locator: YamlLocator): Diagnostic[] {
  const expected = schema === 'esgen.schema.json' ? expectedInSpec : () => undefined;
  const validate = validatorFor(schema);
  if (validate(value)) return [];
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const error of validate.errors ?? []) {
    if (error.keyword === 'if') continue;
    // propertyNames reports the failing name twice: once itself, once for the inner keyword.
    if (error.schemaPath.includes('/propertyNames/')) continue;
    const diagnostic = translate(error, file, locator, expected);
    const id = `${diagnostic.line}:${diagnostic.column}:${diagnostic.code}:${diagnostic.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    diagnostics.push(diagnostic.hint === undefined ? withoutHint(diagnostic) : diagnostic);
  }
  return diagnostics;
}

function pathOf(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `events.OrderCreated.fields` (or "the file" for the root). */
export function describePath(path: DocPath): string {
  return path.length === 0 ? 'the top level' : `\`${path.join('.')}\``;
}

function typeOfValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string \`${value.length > 40 ? `${value.slice(0, 37)}...` : value}\``;
  return `the ${typeof value} \`${String(value)}\``;
}

function translate(error: ErrorObject, file: string, locator: YamlLocator, expectedAt: (path: DocPath) => string | undefined): Diagnostic {
  const path = pathOf(error.instancePath);
  const where = describePath(path);
  const base = { severity: 'error' as const, file };
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      // At the top level `readModels` is required only of a file without `aggregate:` (schema `else`).
      const hint = path.length === 0 && missing === 'readModels' ? 'start an aggregate file with `aggregate: Name`, or give a read-model file `readModels:`' : `add \`${missing}:\``;
      return { ...base, code: 'ESG110', message: `${where} is missing the required property \`${missing}\``, ...locator.locate(path, 'key'), hint };
    }
    case 'not':
      // Only the top-level `else` (a file without `aggregate:`) forbids properties this way.
      return {
        ...base,
        code: 'ESG111',
        message: `${where} belongs in an aggregate file, but this file has no \`aggregate:\`: a read-model file holds only \`readModels:\` (and \`description:\`)`,
        ...locator.locate(path, 'key'),
        hint: 'add `aggregate: Name` at the top, or move this section to an aggregate file',
      };
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return {
        ...base,
        code: 'ESG111',
        message: `unknown property \`${extra}\` in ${where}`,
        ...locator.locate([...path, extra], 'key'),
        hint: suggestion(extra, allowed, 'allowed properties'),
      };
    }
    case 'propertyNames': {
      const name = String(params.propertyName);
      return { ...base, code: 'ESG113', message: `\`${name}\` is not a version number; keys of ${where} must be versions like \`1\``, ...locator.locate([...path, name], 'key') };
    }
    case 'type': {
      const expected = expectedAt(path) ?? describeJsonTypes(params.type);
      return { ...base, code: 'ESG112', message: `${where} should be ${expected}, but it is ${typeOfValue(error.data)}`, ...locator.locate(path) };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      return {
        ...base,
        code: 'ESG113',
        message: `${typeOfValue(error.data)} is not allowed for ${where}; expected ${allowed.map((a) => `\`${a}\``).join(' or ')}`,
        ...locator.locate(path),
        hint: typeof error.data === 'string' ? suggestion(error.data, allowed, 'allowed values') : undefined,
      };
    }
    case 'minimum':
      return { ...base, code: 'ESG113', message: `${where} must be at least ${String(params.limit)}, but it is ${String(error.data)}`, ...locator.locate(path) };
    case 'maximum':
      return { ...base, code: 'ESG113', message: `${where} must be at most ${String(params.limit)}, but it is ${String(error.data)}`, ...locator.locate(path) };
    case 'minItems':
      return { ...base, code: 'ESG113', message: `${where} must list at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`, ...locator.locate(path) };
    case 'minLength':
      return { ...base, code: 'ESG113', message: `${where} must not be empty`, ...locator.locate(path) };
    case 'minProperties':
      return { ...base, code: 'ESG113', message: `${where} must not be empty`, ...locator.locate(path) };
    case 'maxProperties':
      return {
        ...base,
        code: 'ESG113',
        message: `${where} must contain exactly one operation, but it has ${Object.keys(error.data as object).length}`,
        ...locator.locate(path),
        hint: 'split into separate fields, or use a custom mapper',
      };
    case 'pattern':
      return { ...base, code: 'ESG113', message: `${typeOfValue(error.data)} is not a valid value for ${where} (expected the pattern ${String(params.pattern)})`, ...locator.locate(path) };
    default:
      return { ...base, code: 'ESG113', message: `${where} is not valid (${error.keyword})`, ...locator.locate(path) };
  }
}

function describeJsonTypes(type: unknown): string {
  const types = Array.isArray(type) ? type.map(String) : [String(type)];
  const words = types.map((t) => ({ object: 'a mapping', array: 'a list', string: 'a string', integer: 'a whole number', number: 'a number', boolean: '`true` or `false`', null: 'empty' })[t] ?? t);
  return words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

function withoutHint(diagnostic: Diagnostic): Diagnostic {
  const { hint: _hint, ...rest } = diagnostic;
  return rest;
}
