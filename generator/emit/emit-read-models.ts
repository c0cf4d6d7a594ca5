/**
 * `<aggregate>/read-models.ts`: per read model a row interface and a ReadModelDefinition whose
 * pure `keyOf`/`apply` implement the declarative mappings (set, add, increment, min, max, append,
 * delete, time-bucket keys in UTC); `customOn` events call user-owned mappers from
 * `<source>/<aggregate>.mappers.ts` after the declarative rules.
 */
import type { IndexDefinition } from '../../runtime/contracts.js';
import type { AggregateDef, EventDef, KeyBucket, MappingOp, ReadModelDef, ReadModelFieldDef, ReadModelKey, TypeRef, ValueExpr } from '../ir/types.js';
import { type EmitContext, type EmittedFile, printSourceFile, relativeImport, sourcePath } from './emit-context.js';
import { namedTypesIn } from './emit-types.js';
import { fingerprintOf, semanticContent } from './fingerprint.js';
import { aggregateNames, eventNames, propertyKey, readModelNames, stringLiteral } from './names.js';
import { docComment, fieldsBody, TypeScope } from './type-expressions.js';
import { type ValueAccess, valueAccess } from './value-expressions.js';

export interface CustomMapper {
  readonly readModel: string;
  readonly event: string;
  readonly functionName: string;
  readonly row: string;
  readonly payload: string;
}

export function userMappersFile(aggregate: AggregateDef): string {
  return `${aggregateNames(aggregate.name).kebab}.mappers.ts`;
}

export function customMappers(aggregate: AggregateDef): CustomMapper[] {
  return aggregate.readModels.flatMap((readModel) =>
    readModel.customOn.map((event) => ({
      readModel: readModel.name,
      event,
      functionName: readModelNames(readModel.name).customMapper(event),
      row: readModelNames(readModel.name).row,
      payload: eventNames(event).payload,
    })),
  );
}

export function readModelFingerprint(readModel: ReadModelDef): string {
  return fingerprintOf(semanticContent({ ...readModel, mode: undefined }));
}

export function emitReadModels(aggregate: AggregateDef, context: EmitContext): EmittedFile {
  const names = aggregateNames(aggregate.name);
  const path = `${names.kebab}/read-models.ts`;
  const scope = new TypeScope(aggregate);
  const body = aggregate.readModels.map((readModel) => readModelStatements(aggregate, readModel, scope));

  const text = body.join('\n\n');
  const usedPayloads = aggregate.events.map((event) => eventNames(event.name).payload).filter((payload) => new RegExp(`(?<!')\\b${payload}\\b(?!')`).test(text));
  const valueTypes = namedTypesIn(aggregate.readModels.flatMap((readModel) => readModel.fields.map((field) => field.type)));
  const mappers = customMappers(aggregate);
  const runtimeTypes = ['ReadModelDefinition', ...(mappers.length > 0 ? ['EventEnvelope'] : [])];
  const statements = [
    `import type { ${runtimeTypes.join(', ')} } from ${stringLiteral(context.runtimeImport)};`,
    ...(usedPayloads.length > 0 ? [`import type { ${usedPayloads.join(', ')} } from './events.js';`] : []),
    ...(valueTypes.length > 0 ? [`import type { ${valueTypes.join(', ')} } from './types.js';`] : []),
    ...(mappers.length > 0
      ? [`import { ${mappers.map((mapper) => mapper.functionName).join(', ')} } from ${stringLiteral(relativeImport(path, sourcePath(context, userMappersFile(aggregate))))};`]
      : []),
    text || 'export {};',
  ];
  return { path, spec: aggregate.file, text: printSourceFile(context, path, statements) };
}

function readModelStatements(aggregate: AggregateDef, readModel: ReadModelDef, scope: TypeScope): string {
  const names = readModelNames(readModel.name);
  const eventsByName = new Map(aggregate.events.map((event) => [event.name, event]));
  const eventOf = (name: string): EventDef => {
    const event = eventsByName.get(name);
    if (!event) throw new Error(`esgen internal error: read model ${readModel.name} refers to unknown event ${name}`);
    return event;
  };
  const keyed = readModel.key.kind === 'computed' ? new Set(readModel.key.sources.map((source) => source.event)) : undefined;
  const eventTypes = readModel.events.filter((event) => !keyed || keyed.has(event));

  const row = `${docComment(`Row of ${readModel.name} (projection \`${readModel.projection}\`), stored as JSON: datetime fields are ISO strings.${readModel.description ? ` ${readModel.description}` : ''}`)}export interface ${names.row} {\n${fieldsBody(readModel.fields)}\n}`;
  const initialRow = `/** The row an event starts from when the read model has none for its key yet. */\nexport const ${names.initialRow}: ${names.row} = ${scope.initialObject(readModel.fields)};`;

  // Every event of a read model keyed by aggregate goes to its aggregate's row (the runtime calls
  // keyOf only for the read model's eventTypes); computed keys differ by event.
  const keyOf =
    readModel.key.kind === 'aggregateId'
      ? 'keyOf: (event) => event.aggregateId'
      : `keyOf(event) {\n    switch (event.type) {\n${keyOfCases(readModel.key, eventOf, scope)}\n      default:\n        return undefined;\n    }\n  }`;
  const applyCases = eventTypes.map((eventName) => applyCase(readModel, eventOf(eventName), scope));
  const indexes = readModel.fields.filter((field) => field.index || field.unique).map((field) => indexDefinition(field));

  const definition = `export const ${names.definition}: ReadModelDefinition<${names.row}> = {
  name: ${stringLiteral(readModel.name)},
  projection: ${stringLiteral(readModel.projection)},
  aggregateType: ${stringLiteral(aggregate.name)},
  mode: ${stringLiteral(readModel.mode)},
  eventTypes: [${eventTypes.map(stringLiteral).join(', ')}],
  ${keyOf},
  apply(current, event) {
    const row = current ?? ${names.initialRow};
    switch (event.type) {
${applyCases.join('\n')}
      default:
        return { kind: 'unchanged' };
    }
  },
  indexes: [${indexes.map((index) => `{ field: ${stringLiteral(index.field)}, type: ${stringLiteral(index.type)}, unique: ${index.unique} }`).join(', ')}],
  fingerprint: ${stringLiteral(readModelFingerprint(readModel))},
};`;
  return [row, initialRow, definition].join('\n\n');
}

function keyOfCases(key: Extract<ReadModelKey, { kind: 'computed' }>, eventOf: (name: string) => EventDef, scope: TypeScope): string {
  return key.sources
    .map((source) => {
      const event = eventOf(source.event);
      const access = valueAccess(source.value, { data: 'data', context: 'event', event, scope, target: { kind: 'primitive', name: 'string' }, targetOptional: true });
      const usesData = /\bdata\b/.test(access.text);
      const lines = usesData ? [`const data = event.data as ${eventNames(event.name).payload};`] : [];
      let value = access.text;
      if (access.mayBeAbsent) {
        lines.push(`const value = ${value};`, 'if (value === undefined) return undefined;');
        value = 'value';
      }
      lines.push(`return ${keyExpression(value, source.value, access, source.bucket, scope)};`);
      return `case ${stringLiteral(source.event)}: {\n${lines.join('\n')}\n}`;
    })
    .join('\n');
}

const bucketLength: Record<KeyBucket, number> = { hour: 13, day: 10, month: 7, year: 4 };

/** Row id text; time buckets are UTC prefixes of the ISO form ('YYYY-MM-DDTHH', 'YYYY-MM-DD', 'YYYY-MM', 'YYYY'). */
function keyExpression(value: string, expr: ValueExpr, access: ValueAccess, bucket: KeyBucket | undefined, scope: TypeScope): string {
  if (!bucket) return isStringValued(access.type, scope) ? value : `String(${value})`;
  // $occurredAt is a Date already; payload datetimes may carry any offset, so they go through Date to land in UTC.
  const iso = expr.kind === 'envelope' && expr.field === 'occurredAt' ? 'event.occurredAt.toISOString()' : `new Date(${value}).toISOString()`;
  return `${iso}.slice(0, ${bucketLength[bucket]})`;
}

function applyCase(readModel: ReadModelDef, event: EventDef, scope: TypeScope): string {
  const label = `case ${stringLiteral(event.name)}`;
  if (readModel.deleteOn.includes(event.name)) return `${label}:\n return { kind: 'delete' };`;
  const assignments: string[] = [];
  for (const field of readModel.fields) {
    const rule = field.rules.find((candidate) => candidate.event === event.name);
    if (rule) assignments.push(`${propertyKey(field.name)}: ${operation(field, rule.op, event, scope)}`);
  }
  const next = assignments.length > 0 ? `{ ...row, ${assignments.join(', ')} }` : 'row';
  const lines = [];
  const body = `const next: ${readModelNames(readModel.name).row} = ${next};`;
  if (/\bdata\b/.test(body)) lines.push(`const data = event.data as ${eventNames(event.name).payload};`);
  lines.push(body);
  if (readModel.customOn.includes(event.name)) {
    const mapper = readModelNames(readModel.name).customMapper(event.name);
    lines.push(`return ${mapper}(next, event as EventEnvelope<${stringLiteral(event.name)}, ${eventNames(event.name).payload}>, current);`);
  } else lines.push(`return { kind: 'upsert', row: next };`);
  return `${label}: {\n${lines.join('\n')}\n}`;
}

function operation(field: ReadModelFieldDef, op: MappingOp, event: EventDef, scope: TypeScope): string {
  if (op.kind === 'increment') return op.by < 0 ? `${current(field)} - ${-op.by}` : `${current(field)} + ${op.by}`;
  const target = op.kind === 'append' ? elementType(field.type) : field.type;
  const access = valueAccess(op.value, { data: 'data', context: 'event', event, scope, target, targetOptional: field.optional });
  const value = access.text;
  switch (op.kind) {
    case 'set':
      return value;
    case 'add':
      return `${current(field)} + ${access.mayBeAbsent ? `(${value} ?? 0)` : value}`;
    case 'min':
    case 'max': {
      const normalized = isDateTime(access.type) && op.value.kind === 'event' ? `new Date(${value}).toISOString()` : value;
      const better = op.kind === 'min' ? '<' : '>';
      const noValueYet = ['current === undefined', ...(field.optional ? [`row.${field.name} === undefined`] : [])].join(' || ');
      const pick = `${noValueYet} || ${normalized} ${better} row.${field.name} ? ${normalized} : row.${field.name}`;
      return access.mayBeAbsent ? `${value} === undefined ? row.${field.name} : ${pick}` : pick;
    }
    case 'append': {
      const list = field.optional ? `...(row.${field.name} ?? [])` : `...row.${field.name}`;
      if (access.type?.kind === 'array') return `[${list}, ...${access.mayBeAbsent ? `(${value} ?? [])` : value}]`;
      return access.mayBeAbsent ? `${value} === undefined ? row.${field.name} : [${list}, ${value}]` : `[${list}, ${value}]`;
    }
  }
}

function current(field: ReadModelFieldDef): string {
  return field.optional ? `(row.${field.name} ?? 0)` : `row.${field.name}`;
}

function elementType(type: TypeRef): TypeRef {
  return type.kind === 'array' ? type.element : type;
}

function isDateTime(type: TypeRef | undefined): boolean {
  return type?.kind === 'primitive' && type.name === 'datetime';
}

/** JSONB cast of an indexed field (see IndexedFieldType in the runtime contract). */
function indexDefinition(field: ReadModelFieldDef): IndexDefinition {
  const type =
    field.type.kind === 'primitive' && (field.type.name === 'integer' || field.type.name === 'number')
      ? 'numeric'
      : field.type.kind === 'primitive' && field.type.name === 'boolean'
        ? 'boolean'
        : isDateTime(field.type)
          ? 'timestamptz'
          : 'text';
  return { field: field.name, type, unique: field.unique };
}

/** Whether values of a type are strings already (no conversion needed for a row key). */
function isStringValued(type: TypeRef | undefined, scope: TypeScope): boolean {
  if (type?.kind === 'primitive') return ['string', 'uuid', 'date', 'datetime'].includes(type.name);
  return type?.kind === 'named' && scope.named(type.name).kind === 'enum';
}
