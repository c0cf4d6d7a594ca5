/**
 * `<aggregate>/registry.ts` (the typed definitions of one aggregate: its class factory, events
 * with validators and upcasters, read models) and the top-level `registry.ts` that gathers every
 * aggregate into the `registry: Registry` object the runtime takes. The top-level file changes
 * only when aggregates or events are added or removed, which keeps incremental builds small.
 */
import type { AggregateDef, DomainIR } from '../ir/types.js';
import { aggregateBaseFile } from './emit-aggregate-base.js';
import { type EmitContext, type EmittedFile, printSourceFile, relativeImport, sourcePath } from './emit-context.js';
import { aggregateNames, eventNames, propertyKey, readModelNames, stringLiteral } from './names.js';

export function userAggregateFile(aggregate: AggregateDef): string {
  return `${aggregateNames(aggregate.name).kebab}.ts`;
}

export function aggregateRegistryNames(aggregate: AggregateDef) {
  const { camel } = aggregateNames(aggregate.name);
  return { aggregate: `${camel}Aggregate`, events: `${camel}EventDefinitions`, readModels: `${camel}ReadModels` };
}

export function emitAggregateRegistry(aggregate: AggregateDef, context: EmitContext): EmittedFile {
  const names = aggregateNames(aggregate.name);
  const exported = aggregateRegistryNames(aggregate);
  const path = `${names.kebab}/registry.ts`;
  const userClass = relativeImport(path, sourcePath(context, userAggregateFile(aggregate)));
  const events = aggregate.events.map((event) => ({ event, names: eventNames(event.name) }));
  const readModels = aggregate.readModels.map((readModel) => readModelNames(readModel.name));
  const statements = [
    `import type { AggregateDefinition, EventDefinition${readModels.length ? ', ReadModelDefinition' : ''} } from ${stringLiteral(context.runtimeImport)};`,
    `import { ${aggregate.name} } from ${stringLiteral(userClass)};`,
    `import { ${names.stateFingerprint} } from ${stringLiteral(relativeImport(path, aggregateBaseFile(aggregate)))};`,
    `import { ${[`${names.camel}EventTypes`, ...events.flatMap(({ names: n }) => [n.typeConstant, n.versionConstant])].join(', ')} } from './events.js';`,
    `import { ${events.map(({ names: n }) => n.validator).join(', ')} } from './validators.js';`,
    `import { ${events.map(({ names: n }) => n.upcaster).join(', ')} } from './upcasters.js';`,
    ...(readModels.length ? [`import { ${readModels.map((n) => n.definition).join(', ')} } from './read-models.js';`] : []),
    `/** ${aggregate.name} for the runtime: creates instances of your \`${aggregate.name}\` class. */
export const ${exported.aggregate}: AggregateDefinition<${aggregate.name}> = {
  type: ${stringLiteral(aggregate.name)},
  create: (id) => new ${aggregate.name}(id),
  idType: ${stringLiteral(aggregate.idType.kind === 'primitive' && aggregate.idType.name === 'uuid' ? 'uuid' : 'string')},
  snapshotEvery: ${aggregate.snapshotEvery ?? 'undefined'},
  stateFingerprint: ${names.stateFingerprint},
  eventTypes: ${names.camel}EventTypes,
};`,
    `/** The events of ${aggregate.name} with their validators and upcasters, by event type. */
export const ${exported.events} = {
${events
  .map(({ event, names: n }) => {
    const pii = (event.versions.at(-1)?.fields ?? []).filter((field) => field.pii).map((field) => stringLiteral(field.name));
    return `${propertyKey(event.name)}: { type: ${n.typeConstant}, aggregateType: ${stringLiteral(aggregate.name)}, version: ${n.versionConstant}, validate: ${n.validator}, upcast: ${n.upcaster}, piiFields: [${pii.join(', ')}] },`;
  })
  .join('\n')}
} as const satisfies Readonly<Record<string, EventDefinition>>;`,
    `/** The read models fed by ${aggregate.name} events, by name. */
export const ${exported.readModels} = {
${aggregate.readModels.map((readModel) => `${propertyKey(readModel.name)}: ${readModelNames(readModel.name).definition},`).join('\n')}
} as const${readModels.length ? ' satisfies Readonly<Record<string, ReadModelDefinition<any>>>' : ''};`,
  ];
  return { path, spec: aggregate.file, text: printSourceFile(context, path, statements) };
}

export function emitRegistry(domain: DomainIR, context: EmitContext): EmittedFile {
  const path = 'registry.ts';
  const aggregates = domain.aggregates.map((aggregate) => ({ aggregate, names: aggregateRegistryNames(aggregate) }));
  const statements = [
    `import type { Registry } from ${stringLiteral(context.runtimeImport)};`,
    ...aggregates.map(
      ({ aggregate, names }) =>
        `import { ${names.aggregate}, ${names.events}, ${names.readModels} } from './${aggregateNames(aggregate.name).kebab}/registry.js';`,
    ),
    `/** Everything the runtime needs about this domain: aggregates, events (validators, upcasters) and read models. */
export const registry: Registry = {
  aggregates: { ${aggregates.map(({ aggregate, names }) => `${propertyKey(aggregate.name)}: ${names.aggregate}`).join(', ')} },
  events: { ${aggregates.map(({ names }) => `...${names.events}`).join(', ')} },
  readModels: { ${aggregates.map(({ names }) => `...${names.readModels}`).join(', ')} },
};`,
  ];
  return { path, spec: context.configFile, text: printSourceFile(context, path, statements) };
}
