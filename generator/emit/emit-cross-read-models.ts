/**
 * `read-models/<read-model>.ts`: a read model of a read-model file (no `aggregate:`), which reads
 * events of several aggregates. The same statements as an aggregate's read models
 * (emit-read-models.ts), written against its source view (read-model-sources.ts) and typed with
 * the event maps of its source aggregates joined: `defineReadModel<Row, CustomerEvents & OrderEvents>`
 * (event names are unique across the domain, so the intersection is the map of all of them).
 */
import type { AggregateDef, DomainIR, ReadModelDef } from '../ir/types.js';
import { readModelSources, sourceView } from '../typed/read-model-sources.js';
import { typeAggregate } from '../typed/typed-aggregate.js';
import { type EmitContext, type EmittedFile, FileBuilder } from './emit-context.js';
import { eventsFile } from './emit-events.js';
import { type CustomMapper, readModelStatements } from './emit-read-models.js';
import { aggregateNames, eventNames, readModelNames } from './names.js';
import { TypeScope } from './type-expressions.js';

export function crossReadModelFile(model: ReadModelDef): string {
  return `read-models/${aggregateNames(model.name).kebab}.ts`;
}

/** The user-owned mappers of a read model across aggregates (source folder), when it has `custom:`. */
export function crossMappersFile(model: ReadModelDef): string {
  return `${aggregateNames(model.name).kebab}.mappers.ts`;
}

export function emitCrossReadModel(model: ReadModelDef, domain: DomainIR, context: EmitContext): EmittedFile {
  const { view } = sourceView(model, domain.aggregates);
  const sources = readModelSources(model, domain.aggregates);
  const file = new FileBuilder(context, crossReadModelFile(model));
  const names = readModelNames(model.name);
  file.declare(names.row, names.definition);
  readModelStatements(file, typeAggregate(view), new TypeScope(view), model, {
    eventMap: (into) => sources.map((aggregate) => into.local(eventsFile(aggregate), aggregateNames(aggregate.name).eventMap, 'type')).join(' & '),
    aggregateTypes: sources.map((aggregate) => aggregate.name),
    mappersFile: crossMappersFile(model),
  });
  return file.print(model.loc.file);
}

/** The custom mappers of a read model across aggregates, with the aggregate whose events file declares each payload. */
export function crossCustomMappers(model: ReadModelDef, aggregates: readonly AggregateDef[]): (CustomMapper & { readonly aggregate: AggregateDef })[] {
  const sources = readModelSources(model, aggregates);
  return model.customOn.flatMap((event) => {
    const aggregate = sources.find((candidate) => candidate.events.some((e) => e.name === event));
    return aggregate === undefined
      ? []
      : [{ readModel: model.name, event, functionName: readModelNames(model.name).customMapper(event), row: readModelNames(model.name).row, payload: eventNames(event).payload, aggregate }];
  });
}
