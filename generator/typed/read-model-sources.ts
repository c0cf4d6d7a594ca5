/**
 * A read model of a read-model file (no `aggregate:`) reads events of several aggregates. The
 * checks and emitters of read models work on one aggregate (its events and value types), so such a
 * read model is seen through a source view: one aggregate joining the current payloads and value
 * types of the aggregates whose events it names. Everything per aggregate (typing, rule checks,
 * the read-model emitter) then runs on it unchanged.
 */
import type { AggregateDef, DomainIR, ReadModelDef, ValueTypeDef } from '../ir/types.js';

/** Every read model of the domain: per aggregate in file order, then those of read-model files. */
export function allReadModels(domain: DomainIR): ReadModelDef[] {
  return [...domain.aggregates.flatMap((aggregate) => aggregate.readModels), ...(domain.readModels ?? [])];
}

/** The aggregates whose events a read model reacts to, in domain (file) order. */
export function readModelSources(model: ReadModelDef, aggregates: readonly AggregateDef[]): AggregateDef[] {
  if (model.aggregate !== undefined) return aggregates.filter((aggregate) => aggregate.name === model.aggregate);
  const named = new Set([...model.events, ...(model.key.kind === 'computed' ? model.key.sources.map((source) => source.event) : [])]);
  return aggregates.filter((aggregate) => aggregate.events.some((event) => named.has(event.name)));
}

/** A value type declared under the same name by two source aggregates, differently. */
export interface TypeConflict {
  readonly name: string;
  readonly first: AggregateDef;
  readonly second: AggregateDef;
}

const views = new WeakMap<ReadModelDef, { aggregates: readonly AggregateDef[]; view: AggregateDef; conflicts: TypeConflict[] }>();

/**
 * The source view of a read model of a read-model file: named after the read model, with the
 * current version of every event (no apply rules or history: read models read current payloads),
 * the value types of its source aggregates (the first declaration of a name wins; differing
 * duplicates are returned as conflicts, which the checks report), every retired event of the
 * domain, and the read model itself as its only read model. Cached per (frozen) read model and
 * aggregate list, so checks and emitters share one view and its typed IR.
 */
export function sourceView(model: ReadModelDef, aggregates: readonly AggregateDef[]): { view: AggregateDef; conflicts: readonly TypeConflict[] } {
  const cached = views.get(model);
  if (cached && cached.aggregates.length === aggregates.length && cached.aggregates.every((aggregate, i) => aggregate === aggregates[i])) return cached;
  const sources = readModelSources(model, aggregates);
  const types = new Map<string, { type: ValueTypeDef; owner: AggregateDef }>();
  const conflicts: TypeConflict[] = [];
  for (const aggregate of sources) {
    for (const type of aggregate.types) {
      const first = types.get(type.name);
      if (!first) types.set(type.name, { type, owner: aggregate });
      else if (shape(first.type) !== shape(type)) conflicts.push({ name: type.name, first: first.owner, second: aggregate });
    }
  }
  const view: AggregateDef = {
    kind: 'aggregate',
    name: model.name,
    file: model.loc.file,
    // `$aggregateId` has one type in the view: uuid only when every source's ids are uuids.
    idType: { kind: 'primitive', name: sources.length > 0 && sources.every((source) => source.idType.kind === 'primitive' && source.idType.name === 'uuid') ? 'uuid' : 'string' },
    types: [...types.values()].map((entry) => entry.type),
    state: [],
    // Every event of the domain, so a misspelt one gets suggestions from all of them; only the
    // sources' are ever resolved (the types of the others are not in the view).
    events: aggregates.flatMap((aggregate) =>
      aggregate.events.map(({ apply: _apply, ...event }) => ({ ...event, versions: event.versions.slice(-1) })),
    ),
    readModels: [model],
    retiredEvents: aggregates.flatMap((aggregate) => aggregate.retiredEvents ?? []),
    loc: model.loc,
  };
  const entry = { aggregates: [...aggregates], view: Object.freeze(view), conflicts };
  if (Object.isFrozen(model)) views.set(model, entry);
  return entry;
}

/** A value type without its source locations, to compare declarations from two files. */
function shape(type: ValueTypeDef): string {
  return JSON.stringify(type, (key, value: unknown) => (key === 'loc' || key === 'description' ? undefined : value));
}
