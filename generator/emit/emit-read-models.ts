/**
 * `<aggregate>/read-models.ts`: per read model its row interface and a definition declared with
 * the runtime's `defineReadModel`: the initial row, per event the fields its rules set (each a
 * call of a mapping operation's runtime helper, from the mapping-operation table), the events that
 * delete the row, the user's custom mappers, and how each event finds its row. Every rule gets the
 * event's envelope with its payload typed, so no rule casts `event.data`.
 */
import { InternalError } from '../../runtime/errors.js';
import type { IndexDefinition } from '../../runtime/contracts.js';
import type { AggregateDef, ElementValue, EventDef, MappingOp, ReadModelDef, ReadModelFieldDef, TypeRef } from '../ir/types.js';
import { isKeyedOp, mappingOp, type OperandTarget, type OperationParts, type RuntimeHelper } from '../ops/mapping-ops.js';
import { type KeySource, typeAggregate, type TypedAggregate } from '../typed/typed-aggregate.js';
import { type EmitContext, type EmittedFile, FileBuilder, sourcePath } from './emit-context.js';
import { eventsFile } from './emit-events.js';
import { importValueTypes } from './emit-types.js';
import { fingerprintOf, semanticContent } from './fingerprint.js';
import { aggregateNames, eventNames, propertyKey, readModelNames, stringLiteral } from './names.js';
import { oneLine, propertiesOf, TypeScope } from './type-expressions.js';
import { parameterList, type ValueSources, writeValue } from './value-expressions.js';

export interface CustomMapper {
  readonly readModel: string;
  readonly event: string;
  readonly functionName: string;
  readonly row: string;
  readonly payload: string;
}

export function readModelsFile(aggregate: AggregateDef): string {
  return `${aggregateNames(aggregate.name).kebab}/read-models.ts`;
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

/**
 * Bumped when generated code writes different rows for the same spec, so stored rows are rebuilt:
 * 2 = datetimes canonical (UTC with milliseconds) whichever operation wrote them.
 */
const ROW_FORMAT = 2;

/**
 * Changes whenever the rows a read model holds would differ: its fields, key, every mapping rule,
 * deletes, custom mappers, the row format, and the mode (inline and async keep different
 * bookkeeping: continuing one from the other would apply events twice, issue 12). The runtime
 * rebuilds or refuses a read model whose stored fingerprint differs (read-model-shapes.ts).
 * `index` is left out: it changes indexes only, which ensureReadModelIndexes maintains.
 */
export function readModelFingerprint(readModel: ReadModelDef): string {
  return fingerprintOf(semanticContent({ ...readModel, fields: readModel.fields.map(({ index: _index, ...field }) => field), rowFormat: ROW_FORMAT }));
}

/**
 * What a read model's definition refers to outside its own rules: the event map its envelopes come
 * from, the aggregates it reads and its user mappers file. For a read model of an aggregate file,
 * that aggregate's; for one of a read-model file, its source aggregates' (emit-cross-read-models.ts).
 */
export interface ReadModelHome {
  /** The event map type, imported into `file`: `OrderEvents`, or `CustomerEvents & OrderEvents`. */
  eventMap(file: FileBuilder): string;
  readonly aggregateTypes: readonly string[];
  /** The user-owned mappers file (relative to the source folder). */
  readonly mappersFile: string;
}

export function aggregateHome(aggregate: AggregateDef): ReadModelHome {
  return {
    eventMap: (file) => file.local(eventsFile(aggregate), aggregateNames(aggregate.name).eventMap, 'type'),
    aggregateTypes: [aggregate.name],
    mappersFile: userMappersFile(aggregate),
  };
}

export function emitReadModels(aggregate: AggregateDef, context: EmitContext): EmittedFile {
  const file = new FileBuilder(context, readModelsFile(aggregate));
  const typed = typeAggregate(aggregate);
  const scope = new TypeScope(aggregate);
  file.declare(...aggregate.readModels.flatMap((readModel) => [readModelNames(readModel.name).row, readModelNames(readModel.name).definition]));
  for (const readModel of aggregate.readModels) readModelStatements(file, typed, scope, readModel);
  return file.print(aggregate.file);
}

export function readModelStatements(file: FileBuilder, typed: TypedAggregate, scope: TypeScope, readModel: ReadModelDef, home: ReadModelHome = aggregateHome(typed.aggregate)): void {
  const { StructureKind, VariableDeclarationKind } = file.context.tsm;
  const aggregate = typed.aggregate;
  const names = readModelNames(readModel.name);
  const eventOf = (name: string): EventDef => {
    const event = typed.event(name);
    if (!event) throw new InternalError(`read model ${readModel.name} refers to unknown event ${name}`);
    return event;
  };
  importValueTypes(file, aggregate, readModel.fields.map((field) => field.type));
  const eventMap = home.eventMap(file);

  const properties = [
    `name: ${stringLiteral(readModel.name)}`,
    `projection: ${stringLiteral(readModel.projection)}`,
    home.aggregateTypes.length === 1 ? `aggregateType: ${stringLiteral(home.aggregateTypes[0]!)}` : `aggregateTypes: [${home.aggregateTypes.map(stringLiteral).join(', ')}]`,
    `mode: ${stringLiteral(readModel.mode)}`,
    `initialRow: ${scope.initialObject(readModel.fields)}`,
  ];
  if (readModel.key.kind === 'computed') {
    const keys = readModel.key.sources.map((source) => `${propertyKey(source.event)}: ${keyFunction(file, typed, scope, eventOf(source.event), source)},`);
    properties.push(`keys: {\n${keys.join('\n')}\n}`);
  }
  const rules = readModel.events
    .filter((event) => !readModel.deleteOn.includes(event))
    .flatMap((eventName) => {
      const rule = ruleFunction(file, typed, scope, readModel, eventOf(eventName));
      return rule === undefined ? [] : [`${propertyKey(eventName)}: ${rule},`];
    });
  if (rules.length > 0) properties.push(`on: {\n${rules.join('\n')}\n}`);
  if (readModel.deleteOn.length > 0) properties.push(`delete: [${readModel.deleteOn.map(stringLiteral).join(', ')}]`);
  if (readModel.customOn.length > 0) {
    const mappersFile = sourcePath(file.context, home.mappersFile);
    properties.push(`custom: { ${readModel.customOn.map((event) => `${propertyKey(event)}: ${file.local(mappersFile, names.customMapper(event), 'value')}`).join(', ')} }`);
  }
  const indexes = readModel.fields.filter((field) => field.index || field.unique).map(indexDefinition);
  if (indexes.length > 0) properties.push(`indexes: [${indexes.map((index) => `{ field: ${stringLiteral(index.field)}, type: ${stringLiteral(index.type)}, unique: ${index.unique} }`).join(', ')}]`);
  // Every scalar field filters by equality (through the GIN index on data); indexed ones also by range and sort.
  const scalars = readModel.fields.filter((field) => isScalarType(field.type, scope)).map((field) => `${propertyKey(field.name)}: ${stringLiteral(indexDefinition(field).type)}`);
  if (scalars.length > 0) properties.push(`scalars: { ${scalars.join(', ')} }`);
  const indexed = indexes.length === 0 ? 'never' : indexes.map((index) => stringLiteral(index.field)).join(' | ');
  properties.push(`fingerprint: ${stringLiteral(readModelFingerprint(readModel))}`);

  file.add(
    {
      kind: StructureKind.Interface,
      isExported: true,
      name: names.row,
      docs: [`Row of ${readModel.name} (projection \`${readModel.projection}\`), stored as JSON: datetime fields are ISO strings.${readModel.description ? ` ${oneLine(readModel.description)}` : ''}`],
      properties: propertiesOf(readModel.fields),
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      declarations: [{ name: names.definition, initializer: `${file.runtime('defineReadModel')}<${names.row}, ${eventMap}, ${indexed}>({\n${properties.join(',\n')},\n})` }],
    },
  );
}

function sourcesFor(file: FileBuilder, event: EventDef, scope: TypeScope, used: Set<string>): ValueSources {
  return { payload: { text: 'event.data', root: 'event' }, envelope: { text: 'event', root: 'event' }, use: (root) => used.add(root), event, scope, helper: (name) => file.runtime(name) };
}

/** The fields one event sets, as `(row, event, current) => ({ … })`; undefined when no field has a rule for it. */
function ruleFunction(file: FileBuilder, typed: TypedAggregate, scope: TypeScope, readModel: ReadModelDef, event: EventDef): string | undefined {
  const used = new Set<string>();
  const sources = sourcesFor(file, event, scope, used);
  const assignments: string[] = [];
  for (const field of readModel.fields) {
    const rule = field.rules.find((candidate) => candidate.event === event.name);
    if (!rule) continue;
    const row = mappingOp(rule.op.kind);
    if (isKeyedOp(rule.op)) {
      // Keyed list operations write each element field's value against that field's type.
      const each = typed.each(rule);
      let elementSources = sources;
      let eachParts: OperationParts['each'];
      if (each?.kind === 'entries') {
        // Values read one entry of the list (`item.sku`) inside the callback; envelope fields still read the event.
        let readsEntry = false;
        elementSources = { ...sources, payload: { text: 'item', root: 'item' }, use: (root) => (root === 'item' ? (readsEntry = true) : used.add(root)), event: each.entry };
        const list = writeValue(each.list, { type: each.list.type as TypeRef, optional: true }, sources).text;
        eachParts = {
          list,
          get entry() {
            return readsEntry ? 'item' : '_item';
          },
        };
      }
      const element = (value: ElementValue) => writeElementValue(typed, scope, field, value, elementSources);
      const target = row.operandTarget(field, undefined, typed.aggregate);
      // Not spread: reading `field`/`stored` through a spread would declare parameters the rule does not use.
      assignments.push(`${propertyKey(field.name)}: ${row.emit(operationParts(file, field, used, rule.op, '', undefined, false, target, element, eachParts))}`);
      continue;
    }
    const resolved = rule.op.kind === 'increment' ? undefined : typed.value(rule);
    const target = row.operandTarget(field, resolved?.kind === 'read' ? resolved.type : undefined, typed.aggregate);
    let operand: string;
    let operandType: TypeRef | undefined;
    let operandOptional = false;
    if (rule.op.kind === 'increment') operand = String(rule.op.by);
    else {
      const value = resolved;
      if (!value) throw new InternalError(`${readModel.name}.${field.name} has no resolved value for ${event.name}`);
      const written = writeValue(value, target, sources);
      operandType = written.type;
      operandOptional = written.optional;
      // Payload datetimes arrive in UTC already (writeValue), so min/max compare in time order.
      operand = written.text;
    }
    const noElements = () => {
      throw new InternalError(`${rule.op.kind} has no element values`);
    };
    assignments.push(`${propertyKey(field.name)}: ${row.emit(operationParts(file, field, used, rule.op, operand, operandType, operandOptional, target, noElements))}`);
  }
  if (assignments.length === 0) return undefined;
  return `(${parameterList(['row', 'event', 'current'], used)}) => ({ ${assignments.join(', ')} })`;
}

/** The parts a mapping operation writes its expression from; reading `field` or `stored` records the parameter it uses. */
function operationParts(
  file: FileBuilder,
  field: ReadModelFieldDef,
  used: Set<string>,
  op: MappingOp,
  operand: string,
  operandType: TypeRef | undefined,
  operandOptional: boolean,
  target: OperandTarget,
  element: (value: ElementValue) => string,
  each?: OperationParts['each'],
): OperationParts {
  return {
    get field() {
      used.add('row');
      return `row.${field.name}`;
    },
    get stored() {
      used.add('current');
      return `current?.${field.name}`;
    },
    operand,
    operandType,
    operandOptional,
    target,
    helper: (name: RuntimeHelper) => file.runtime(name),
    op,
    element,
    ...(each ? { each } : {}),
  };
}

/** The value of one element field (`sku: sku`), written against the element record's field type. */
function writeElementValue(typed: TypedAggregate, scope: TypeScope, field: ReadModelFieldDef, value: ElementValue, sources: ValueSources): string {
  const resolved = typed.value(value);
  if (!resolved) throw new InternalError(`${field.name}.${value.field} has no resolved value`);
  const record = field.type.kind === 'array' && field.type.element.kind === 'named' ? scope.named(field.type.element.name) : undefined;
  const elementField = record?.kind === 'record' ? record.fields.find((candidate) => candidate.name === value.field) : undefined;
  if (!elementField) throw new InternalError(`${field.name} has no element field ${value.field}`);
  return writeValue(resolved, { type: elementField.type, optional: true }, sources).text;
}

/** How one event finds its row: the key value as text, truncated to a UTC bucket when the spec says so. */
function keyFunction(file: FileBuilder, typed: TypedAggregate, scope: TypeScope, event: EventDef, source: KeySource): string {
  const used = new Set<string>();
  const value = typed.value(source);
  if (!value) throw new InternalError(`the key of ${event.name} does not resolve`);
  let text: string;
  if (source.bucket) {
    // $occurredAt is a Date already; payload dates and datetimes go through Date to land in UTC.
    const occurredAt = value.kind === 'read' && value.expr.kind === 'envelope' && value.expr.field === 'occurredAt';
    const instant = occurredAt ? (used.add('event'), 'event.occurredAt') : writeValue(value, { type: { kind: 'primitive', name: 'string' }, optional: true }, sourcesFor(file, event, scope, used)).text;
    text = `${file.runtime('timeBucket')}(${instant}, ${stringLiteral(source.bucket)})`;
  } else {
    const written = writeValue(value, { type: { kind: 'primitive', name: 'string' }, optional: true }, sourcesFor(file, event, scope, used));
    text = isStringValued(written.type, scope) && !written.optional ? written.text : `${file.runtime('keyText')}(${written.text})`;
  }
  return `(${parameterList(['event'], used)}) => ${text}`;
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

/** Whether a field holds one JSON scalar (a string, an enum, a number, a boolean): what equality filters compare. */
function isScalarType(type: TypeRef, scope: TypeScope): boolean {
  if (type.kind === 'primitive') return type.name !== 'json';
  return type.kind === 'named' && scope.named(type.name).kind === 'enum';
}

/** Whether values of a type are strings already (no conversion needed for a row key). */
function isStringValued(type: TypeRef | undefined, scope: TypeScope): boolean {
  if (type?.kind === 'primitive') return ['string', 'uuid', 'date', 'datetime'].includes(type.name);
  return type?.kind === 'named' && scope.named(type.name).kind === 'enum';
}

