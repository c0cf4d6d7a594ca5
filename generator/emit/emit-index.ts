/**
 * `index.ts` files: one per aggregate folder re-exporting its modules, and the top-level one
 * re-exporting the registry and every aggregate. Names two aggregates both export (value types
 * of the same name in two specs) would make `export *` ambiguous, so such aggregates are
 * re-exported as a namespace instead (`export * as order from …`).
 */
import type { AggregateDef, DomainIR } from '../ir/types.js';
import { aggregateBaseFile } from './emit-aggregate-base.js';
import { enumValuesName } from './emit-types.js';
import { type EmitContext, type EmittedFile, printSourceFile, relativeImport } from './emit-context.js';
import { aggregateNames, readModelNames } from './names.js';

export function emitAggregateIndex(aggregate: AggregateDef, context: EmitContext): EmittedFile {
  const { kebab } = aggregateNames(aggregate.name);
  const path = `${kebab}/index.ts`;
  const modules = ['types.ts', 'events.ts', 'validators.ts', 'upcasters.ts', aggregateBaseFile(aggregate).slice(kebab.length + 1), 'read-models.ts', 'registry.ts'];
  const statements = modules.map((module) => `export * from ${`'${relativeImport(path, `${kebab}/${module}`)}'`};`);
  return { path, spec: aggregate.file, text: printSourceFile(context, path, statements) };
}

/** Exported names that are not derived from an aggregate's or event's (globally unique) name. */
function freelyNamedExports(aggregate: AggregateDef): string[] {
  return [
    ...aggregate.types.flatMap((type) => (type.kind === 'enum' ? [type.name, enumValuesName(type.name)] : [type.name])),
    ...aggregate.readModels.flatMap((readModel) => {
      const names = readModelNames(readModel.name);
      return [names.row, names.definition, names.initialRow];
    }),
  ];
}

export function emitIndex(domain: DomainIR, context: EmitContext): EmittedFile {
  const path = 'index.ts';
  const owners = new Map<string, number>();
  for (const aggregate of domain.aggregates) for (const name of new Set(freelyNamedExports(aggregate))) owners.set(name, (owners.get(name) ?? 0) + 1);
  const statements = [`export * from './registry.js';`];
  for (const aggregate of domain.aggregates) {
    const { kebab, camel } = aggregateNames(aggregate.name);
    const clashes = freelyNamedExports(aggregate).some((name) => (owners.get(name) ?? 0) > 1);
    statements.push(clashes ? `// ${aggregate.name} shares exported names with another aggregate.\nexport * as ${camel} from './${kebab}/index.js';` : `export * from './${kebab}/index.js';`);
  }
  return { path, spec: context.configFile, text: printSourceFile(context, path, statements) };
}
