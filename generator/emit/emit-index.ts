/**
 * `index.ts` files: one per aggregate folder re-exporting its modules, and the top-level one
 * re-exporting the registry and every aggregate. Names two aggregates both export (value types
 * of the same name in two specs) would make `export *` ambiguous, so such aggregates are
 * re-exported as a namespace instead (`export * as order from …`).
 */
import type { AggregateDef, DomainIR } from '../ir/types.js';
import { aggregateBaseFile } from './emit-aggregate-base.js';
import { hasBus } from './emit-bus.js';
import { crossReadModelFile } from './emit-cross-read-models.js';
import { enumValuesName } from './emit-types.js';
import { type EmitContext, type EmittedFile, FileBuilder, relativeImport } from './emit-context.js';
import { aggregateNames, eventNames, readModelNames } from './names.js';
import { readableVersions } from '../ir/event-versions.js';

export function emitAggregateIndex(aggregate: AggregateDef, context: EmitContext): EmittedFile {
  const { kebab } = aggregateNames(aggregate.name);
  const path = `${kebab}/index.ts`;
  const modules = ['types.ts', 'events.ts', aggregateBaseFile(aggregate).slice(kebab.length + 1), 'read-models.ts', 'registry.ts', ...(hasBus(aggregate) ? ['bus.ts'] : [])];
  return reexports(context, path, modules.map((module) => ({ specifier: relativeImport(path, `${kebab}/${module}`) }))).print(aggregate.file);
}

/** Exported names that are not derived from an aggregate's or event's (globally unique) name. */
function freelyNamedExports(aggregate: AggregateDef): string[] {
  return [
    ...aggregate.types.flatMap((type) => (type.kind === 'enum' ? [type.name, enumValuesName(type.name)] : [type.name])),
    // Payload names: unique among events, but another aggregate may have a value type of that name.
    ...aggregate.events.flatMap((event) => readableVersions(event).map((version) => eventNames(event.name, event.version).payloadOfVersion(version.version))),
    ...aggregate.readModels.flatMap((readModel) => {
      const names = readModelNames(readModel.name);
      return [names.row, names.definition];
    }),
  ];
}

export function emitIndex(domain: DomainIR, context: EmitContext): EmittedFile {
  const path = 'index.ts';
  const owners = new Map<string, number>();
  for (const aggregate of domain.aggregates) for (const name of new Set(freelyNamedExports(aggregate))) owners.set(name, (owners.get(name) ?? 0) + 1);
  const modules: { specifier: string; namespace?: string }[] = [{ specifier: './registry.js' }];
  // Read models across aggregates: their names are unique across the domain (checked), never ambiguous.
  for (const model of domain.readModels ?? []) modules.push({ specifier: relativeImport(path, crossReadModelFile(model)) });
  for (const aggregate of domain.aggregates) {
    const { kebab, camel } = aggregateNames(aggregate.name);
    // An aggregate that shares exported names with another one is exported as a namespace.
    const clashes = freelyNamedExports(aggregate).some((name) => (owners.get(name) ?? 0) > 1);
    modules.push({ specifier: `./${kebab}/index.js`, ...(clashes ? { namespace: camel } : {}) });
  }
  return reexports(context, path, modules).print(context.configFile);
}

function reexports(context: EmitContext, path: string, modules: readonly { specifier: string; namespace?: string }[]): FileBuilder {
  const file = new FileBuilder(context, path);
  const { StructureKind } = context.tsm;
  for (const { specifier, namespace } of modules) file.add({ kind: StructureKind.ExportDeclaration, moduleSpecifier: specifier, ...(namespace ? { namespaceExport: namespace } : {}) });
  return file;
}
