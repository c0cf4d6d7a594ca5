import type { Diagnostic } from '../diagnostics/types.js';
import { aggregateNames, readModelNames } from '../emit/names.js';
import { formatType } from '../ir/parse-expressions.js';
import type { SpecOrigins } from '../ir/spec-origins.js';
import type { AggregateDef, ReadModelDef, TypeRef } from '../ir/types.js';
import { sourceView } from '../typed/read-model-sources.js';
import { typeAggregate } from '../typed/typed-aggregate.js';
import { createCheckContext, type CheckContext } from './check-context.js';
import { checkIdentifierName, checkOptionalName, checkProjectionName } from './check-names.js';
import { checkReadModels } from './check-read-models.js';

/**
 * Read models of read-model files (no `aggregate:`): each is checked like a read model of its
 * source view (the aggregates whose events it names, see read-model-sources.ts), plus what only
 * reading several aggregates raises: a key for every event (ESG197) of one kind (ESG198), no named
 * types (ESG196, the file declares none), no type declared differently by two sources (ESG199),
 * and names unique across the whole domain (ESG146, ESG156, ESG161).
 */
export function checkCrossReadModels(aggregates: readonly AggregateDef[], readModels: readonly ReadModelDef[], origins: SpecOrigins, sink: Diagnostic[]): void {
  for (const model of readModels) {
    const { view, conflicts } = sourceView(model, aggregates);
    const ctx = createCheckContext([view], origins, sink);
    checkLocalNames(ctx, model);
    for (const conflict of conflicts) {
      ctx.report({
        code: 'ESG199',
        node: model,
        part: 'key',
        message: `\`${model.name}\` reads events of \`${conflict.first.name}\` (${conflict.first.file}) and \`${conflict.second.name}\` (${conflict.second.file}), which both declare a type \`${conflict.name}\`, differently`,
        hint: 'a read model across aggregates resolves value types by name: rename one of the two types',
      });
    }
    if (conflicts.length > 0) continue;
    checkReadModels(ctx, () => undefined);
    for (const field of model.fields) {
      const named = namedTypeIn(field.type);
      if (named === undefined) continue;
      ctx.report({
        code: 'ESG196',
        node: field,
        below: ['type'],
        message: `\`${field.name}\` of \`${model.name}\` has the type \`${named}\`, but a read-model file declares no types`,
        hint: 'use a primitive type (`string` also takes enum values), a list or map of them, or `json`',
      });
    }
    if (model.key.kind !== 'computed') {
      ctx.report({
        code: 'ESG197',
        node: model,
        part: 'key',
        message: `\`${model.name}\` is declared in a read-model file, so it reads events of any aggregate and must say for each event how to find its row`,
        hint: `add \`key: { ${model.events.map((event) => `${event}: <field or $aggregateId>`).join(', ') || 'Event: <field>'} }\``,
      });
    } else checkKeyKinds(ctx, model, view);
  }
  checkDomainNames(aggregates, readModels, origins, sink);
}

function namedTypeIn(type: TypeRef): string | undefined {
  if (type.kind === 'named') return type.name;
  if (type.kind === 'array') return namedTypeIn(type.element);
  if (type.kind === 'map') return namedTypeIn(type.value);
  return undefined;
}

/** ESG198: what a key value becomes in the row id, by kind; keys of two kinds never meet in one row. */
function checkKeyKinds(ctx: CheckContext, model: ReadModelDef, view: AggregateDef): void {
  if (model.key.kind !== 'computed') return;
  const typed = typeAggregate(view);
  let first: { event: string; kind: string } | undefined;
  for (const source of model.key.sources) {
    const resolved = typed.value(source);
    if (resolved?.kind !== 'read') continue;
    const kind = source.bucket ? `a \`:${source.bucket}\` bucket` : keyKind(view, resolved.type);
    if (kind === undefined) continue;
    if (!first) first = { event: source.event, kind };
    else if (first.kind !== kind) {
      ctx.report({
        code: 'ESG198',
        node: source,
        message: `\`${source.event}\` finds its row of \`${model.name}\` by ${kind}, but \`${first.event}\` by ${first.kind}: their rows would never meet`,
        hint: 'key every event on values of the same kind (ids with ids, the same time bucket)',
      });
    }
  }
}

function keyKind(view: AggregateDef, type: TypeRef | 'unchecked'): string | undefined {
  if (type === 'unchecked') return undefined;
  if (type.kind === 'named') return view.types.find((candidate) => candidate.name === type.name)?.kind === 'enum' ? 'a text value' : undefined;
  if (type.kind !== 'primitive') return undefined;
  // Ids of `string` and `uuid` aggregates meet: both are text in the row id.
  if (type.name === 'string' || type.name === 'uuid') return 'a text value';
  return `${type.name === 'integer' ? 'an' : 'a'} ${formatType(type)} value`;
}

function checkLocalNames(ctx: CheckContext, model: ReadModelDef): void {
  checkIdentifierName(ctx, model.name, model, 'the read-model name', true);
  for (const field of model.fields) {
    checkIdentifierName(ctx, field.name, field, 'the field name');
    checkOptionalName(ctx, field, field);
  }
  checkProjectionName(ctx, model);
}

/**
 * Names of read models of read-model files against every other name of the domain: read-model
 * names and projections are unique (ESG156, ESG146); their generated names (`CustomerOrdersRow`,
 * `customerOrdersReadModel`, `read-models/customer-orders.ts`) must not collide with another
 * read model's or with an aggregate's exported names (ESG161).
 */
function checkDomainNames(aggregates: readonly AggregateDef[], readModels: readonly ReadModelDef[], origins: SpecOrigins, sink: Diagnostic[]): void {
  const ctx = createCheckContext(aggregates, origins, sink);
  const where = (model: ReadModelDef) => (model.aggregate !== undefined ? `the aggregate \`${model.aggregate}\` (${model.loc.file})` : model.loc.file);
  const models = new Map<string, ReadModelDef>();
  const projections = new Map<string, ReadModelDef>();
  const generated = new Map<string, string>();
  for (const aggregate of aggregates) {
    const names = aggregateNames(aggregate.name);
    for (const name of [aggregate.name, names.stateInterface, names.baseClass, names.eventMap, names.eventUnion, names.definition]) generated.set(name, `the aggregate \`${aggregate.name}\``);
    // Its folder would be the folder of read models across aggregates (`read-models/`).
    if (names.kebab === 'read-models') generated.set('folder:read-models', `the aggregate \`${aggregate.name}\``);
    for (const type of aggregate.types) generated.set(type.name, `the type \`${type.name}\` of \`${aggregate.name}\``);
    for (const event of aggregate.events) generated.set(event.name, `the event \`${event.name}\``);
    for (const model of aggregate.readModels) {
      models.set(model.name, model);
      projections.set(model.projection, model);
      generated.set(readModelNames(model.name).row, `the read model \`${model.name}\``);
      generated.set(readModelNames(model.name).definition, `the read model \`${model.name}\``);
    }
  }
  const folderClash = generated.get('folder:read-models');
  for (const model of readModels) {
    if (folderClash) ctx.report({ code: 'ESG161', node: model, part: 'key', message: `the read model \`${model.name}\` is generated into \`read-models/\`, the folder ${folderClash} also generates`, hint: 'rename the aggregate' });
    const previous = models.get(model.name);
    if (previous) ctx.report({ code: 'ESG156', node: model, part: 'key', message: `the read model \`${model.name}\` is also declared by ${where(previous)}`, hint: 'read-model names must be unique across the domain' });
    else models.set(model.name, model);
    const used = projections.get(model.projection);
    if (used) ctx.report({ code: 'ESG146', node: model, below: ['projection'], message: `the projection name \`${model.projection}\` is already used by the read model \`${used.name}\` (${used.loc.file})`, hint: 'each read model needs its own projection name' });
    else projections.set(model.projection, model);
    if (previous) continue;
    const names = readModelNames(model.name);
    for (const name of [model.name, names.row, names.definition, `file:${aggregateNames(model.name).kebab}`]) {
      const clash = generated.get(name);
      if (clash) {
        ctx.report({ code: 'ESG161', node: model, part: 'key', message: `the read model \`${model.name}\` and ${clash} would generate the same name \`${name.replace(/^file:/, 'read-models/')}\``, hint: 'rename the read model' });
        break;
      }
    }
    for (const name of [model.name, names.row, names.definition]) generated.set(name, `the read model \`${model.name}\``);
    generated.set(`file:${aggregateNames(model.name).kebab}`, `the read model \`${model.name}\``);
  }
}
