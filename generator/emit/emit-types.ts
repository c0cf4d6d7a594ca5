/**
 * `<aggregate>/types.ts`: the value types and enums declared in the spec's `types:`, shared by
 * events, state and read models. Enums also get a readonly list of their values (checks use it).
 */
import type { AggregateDef, TypeRef } from '../ir/types.js';
import { type EmitContext, type EmittedFile, FileBuilder } from './emit-context.js';
import { aggregateNames, camelCase, stringLiteral } from './names.js';
import { oneLine, propertiesOf } from './type-expressions.js';

export function typesFile(aggregate: AggregateDef): string {
  return `${aggregateNames(aggregate.name).kebab}/types.ts`;
}

export function emitTypes(aggregate: AggregateDef, context: EmitContext): EmittedFile {
  const { StructureKind, VariableDeclarationKind } = context.tsm;
  const file = new FileBuilder(context, typesFile(aggregate));
  for (const type of aggregate.types) {
    const docs = type.description ? [oneLine(type.description)] : [];
    if (type.kind === 'enum') {
      file.add(
        {
          kind: StructureKind.VariableStatement,
          isExported: true,
          declarationKind: VariableDeclarationKind.Const,
          docs: [`Every value of ${type.name}, in spec order.`],
          declarations: [{ name: enumValuesName(type.name), initializer: `[${type.values.map(stringLiteral).join(', ')}] as const` }],
        },
        { kind: StructureKind.TypeAlias, isExported: true, name: type.name, docs, type: `(typeof ${enumValuesName(type.name)})[number]` },
      );
    } else {
      file.add({ kind: StructureKind.Interface, isExported: true, name: type.name, docs, properties: propertiesOf(type.fields) });
    }
  }
  return file.print(aggregate.file);
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

/** Records a type import from `types.ts` for every value type the types mention. */
export function importValueTypes(file: FileBuilder, aggregate: AggregateDef, types: readonly TypeRef[]): void {
  for (const name of namedTypesIn(types)) file.local(typesFile(aggregate), name, 'type');
}
