/**
 * `<aggregate>/types.ts`: the value types and enums declared in the spec's `types:`, shared by
 * events, state and read models. Enums also get a readonly list of their values (validators use it).
 */
import type { StatementStructures } from 'ts-morph';
import type { AggregateDef, TypeRef } from '../ir/types.js';
import { type EmitContext, type EmittedFile, printSourceFile } from './emit-context.js';
import { aggregateNames, camelCase, stringLiteral } from './names.js';
import { docComment, fieldsBody } from './type-expressions.js';

export function emitTypes(aggregate: AggregateDef, context: EmitContext): EmittedFile {
  const { StructureKind, VariableDeclarationKind } = context.tsm;
  const path = `${aggregateNames(aggregate.name).kebab}/types.ts`;
  const statements: (string | StatementStructures)[] = [];
  for (const type of aggregate.types) {
    const docs = type.description ? [type.description] : [];
    if (type.kind === 'enum') {
      statements.push({
        kind: StructureKind.VariableStatement,
        isExported: true,
        declarationKind: VariableDeclarationKind.Const,
        docs: [`Every value of ${type.name}, in spec order.`],
        declarations: [{ name: enumValuesName(type.name), initializer: `[${type.values.map(stringLiteral).join(', ')}] as const` }],
      });
      statements.push({ kind: StructureKind.TypeAlias, isExported: true, name: type.name, docs, type: `(typeof ${enumValuesName(type.name)})[number]` });
    } else {
      // Interface bodies are printed by one helper (readonly, optional markers, field docs).
      statements.push(`${docComment(type.description)}export interface ${type.name} {\n${fieldsBody(type.fields)}\n}`);
    }
  }
  if (statements.length === 0) statements.push('export {};');
  return { path, spec: aggregate.file, text: printSourceFile(context, path, statements) };
}

/** `OrderStatus` → `orderStatusValues`. */
export function enumValuesName(enumName: string): string {
  return `${camelCase(enumName)}Values`;
}

/** Value types a list of type expressions mentions, in first-mention order. */
export function namedTypesIn(types: readonly TypeRef[]): string[] {
  const names = new Set<string>();
  const visit = (type: TypeRef): void => {
    if (type.kind === 'named') names.add(type.name);
    else if (type.kind === 'array') visit(type.element);
    else if (type.kind === 'map') visit(type.value);
  };
  types.forEach(visit);
  return [...names];
}
