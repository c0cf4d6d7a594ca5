/**
 * `<aggregate>/validators.ts`: a validator per event version, written out ahead of time from the
 * spec (no JSON Schema is compiled when the application starts). Each returns a ValidationResult
 * naming every offending field by JSON pointer.
 */
import type { AggregateDef, FieldDef, TypeRef } from '../ir/types.js';
import { type EmitContext, type EmittedFile, printSourceFile, relativeImport } from './emit-context.js';
import { enumValuesName, namedTypesIn } from './emit-types.js';
import { supportPath } from './emit-support.js';
import { aggregateNames, eventNames, propertyKey, stringLiteral } from './names.js';
import { TypeScope } from './type-expressions.js';

const supportNames = [
  'checkArray',
  'checkBoolean',
  'checkDate',
  'checkDateTime',
  'checkEnum',
  'checkInteger',
  'checkJson',
  'checkMap',
  'checkNumber',
  'checkRecord',
  'checkString',
  'checkUuid',
  'optional',
  'payloadValidator',
  'unknownVersion',
] as const;

export function emitValidators(aggregate: AggregateDef, context: EmitContext): EmittedFile {
  const names = aggregateNames(aggregate.name);
  const path = `${names.kebab}/validators.ts`;
  const scope = new TypeScope(aggregate);
  const body: string[] = [];

  // Only value types some event payload uses: an unused check would trip noUnusedLocals.
  const used = reachableTypes(aggregate.events.flatMap((event) => event.versions.flatMap((version) => version.fields.map((field) => field.type))), scope);
  // Checks declared so far: a reference to one of them is direct, any other goes through a closure.
  const declared = new Set<string>();
  for (const type of aggregate.types.filter((candidate) => used.has(candidate.name))) {
    const name = checkName(type.name);
    if (type.kind === 'enum') {
      body.push(`const ${name}: Check = checkEnum(${stringLiteral(type.name)}, ${enumValuesName(type.name)});`);
    } else {
      body.push(`const ${name}: Check = ${recordCheck(type.name, type.fields, scope, declared)};`);
    }
    declared.add(type.name);
  }

  for (const event of aggregate.events) {
    const eventName = eventNames(event.name);
    for (const version of event.versions) {
      body.push(
        `export const ${eventName.validatorOfVersion(version.version)}: PayloadValidator = ${recordCheck(`${event.name} v${version.version}`, version.fields, scope, declared, 'payloadValidator')};`,
      );
    }
    const cases = event.versions.map((version) => `case ${version.version}:\n return ${eventName.validatorOfVersion(version.version)}(data);`);
    const unknown = `unknownVersion(${stringLiteral(event.name)}, version, ${event.version})`;
    body.push(
      event.versions.length === 1
        ? `export function ${eventName.validator}(version: number, data: unknown): ValidationResult {\n  return version === 1 ? ${eventName.validatorOfVersion(1)}(data) : ${unknown};\n}`
        : `/** Validates a payload of ${event.name} stored at any version. */\nexport function ${eventName.validator}(version: number, data: unknown): ValidationResult {\n  switch (version) {\n${cases.join('\n')}\ndefault:\n return ${unknown};\n  }\n}`,
    );
  }

  const text = body.join('\n\n');
  const usedSupport = supportNames.filter((name) => new RegExp(`\\b${name}\\b`).test(text));
  const enums = aggregate.types.filter((type) => type.kind === 'enum' && used.has(type.name)).map((type) => enumValuesName(type.name));
  const statements = [
    `import type { ValidationResult } from ${stringLiteral(context.runtimeImport)};`,
    `import { type Check, type PayloadValidator, ${usedSupport.join(', ')} } from ${stringLiteral(relativeImport(path, supportPath))};`,
    ...(enums.length > 0 ? [`import { ${enums.join(', ')} } from './types.js';`] : []),
    text,
  ];
  return { path, spec: aggregate.file, text: printSourceFile(context, path, statements) };
}

function checkName(typeName: string): string {
  return `check${typeName}`;
}

function recordCheck(label: string, fields: readonly FieldDef[], scope: TypeScope, declared: ReadonlySet<string>, combinator = 'checkRecord'): string {
  const entries = fields.map((field) => {
    const check = checkOf(field.type, scope, declared);
    return `${propertyKey(field.name)}: ${field.optional ? `optional(${check})` : check}`;
  });
  return `${combinator}(${stringLiteral(label)}, { ${entries.join(', ')} })`;
}

function checkOf(type: TypeRef, scope: TypeScope, declared: ReadonlySet<string>): string {
  switch (type.kind) {
    case 'primitive':
      return {
        string: 'checkString',
        integer: 'checkInteger',
        number: 'checkNumber',
        boolean: 'checkBoolean',
        uuid: 'checkUuid',
        datetime: 'checkDateTime',
        date: 'checkDate',
        json: 'checkJson',
      }[type.name];
    case 'named':
      scope.named(type.name);
      // A value type declared further down (types may refer to each other, or themselves, in any
      // order) is reached through a closure: its check does not exist yet when this one is built.
      return declared.has(type.name) ? checkName(type.name) : `(value, path, issues) => ${checkName(type.name)}(value, path, issues)`;
    case 'array':
      return `checkArray(${checkOf(type.element, scope, declared)})`;
    case 'map':
      return `checkMap(${checkOf(type.value, scope, declared)})`;
  }
}

function reachableTypes(roots: readonly TypeRef[], scope: TypeScope): Set<string> {
  const seen = new Set<string>();
  const pending = namedTypesIn(roots);
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (seen.has(name)) continue;
    seen.add(name);
    const type = scope.named(name);
    if (type.kind === 'record') pending.push(...namedTypesIn(type.fields.map((field) => field.type)));
  }
  return seen;
}
