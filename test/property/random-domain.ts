/**
 * Random *valid* domains: 1–3 aggregates, each with value types, state, 1–5 versioned events and
 * read models, built so that every choice is one the spec language accepts
 * (docs/spec-reference.md): types resolve, upcasts turn version N into exactly N+1, apply and
 * mapping values fit their targets, computed keys cover every event a read model reacts to.
 * The same seed gives the same domain (see seeded-random.ts).
 */
import {
  applyEnvelopes,
  currentVersion,
  findType,
  primitiveNames,
  type AggregateModel,
  type ApplyRule,
  type CustomMapperPlan,
  type DomainModel,
  type EventModel,
  type EventVersion,
  type Field,
  type HandlerPatch,
  type Json,
  type KeyBucket,
  type KeySource,
  type MappingOp,
  type MappingRule,
  type Operand,
  type ElementValues,
  type ReadModel,
  type ReadModelField,
  type ReadModelFile,
  type ReadModelKey,
  type TypeExpr,
  type Upcast,
  type ValueSource,
  type ValueType,
} from './domain-model.js';
import { envelopeType, eventPaths, fits, isNumeric, isScalar, isTemporal, payloadPaths, type TypedPath } from './model-type-rules.js';
import { randomValue } from './random-values.js';
import { createRandom, type Random } from './seeded-random.js';

export interface DomainOptions {
  /**
   * Probability of names that collide with what generated code imports or derives (`EventContext`,
   * `OrderState`, `data`, `toString`, …). The spec language accepts them; generated code must too.
   */
  readonly trickyNames?: number;
  /**
   * For the runtime round trip: no `unique` indexes (random payloads repeat values, and a unique
   * violation is the user's data, not a bug), and by default no tricky names or descriptions
   * (their failures are compile failures, which the compile property reports).
   */
  readonly forRuntime?: boolean;
}

const aggregateStems = ['Order', 'Account', 'Cart', 'Ticket', 'Device', 'Shipment', 'Ledger', 'Booking', 'Invoice', 'Sensor', 'Parcel', 'Member', 'Room', 'Task'];
const trickyAggregateNames = ['Event', 'State', 'Index', 'Registry', 'Support', 'Data', 'Types', 'Events', 'AggregateRoot', 'HTTPServer', 'Validators', 'Upcasters', 'ReadModels'];
const eventVerbs = ['Created', 'Opened', 'Renamed', 'Closed', 'Updated', 'Tagged', 'Moved', 'Archived', 'Restored', 'Noted', 'Measured', 'Counted', 'Reset', 'Flagged', 'Assigned', 'Priced'];
const recordStems = ['Money', 'Address', 'Item', 'Point', 'Range', 'Line', 'Note', 'Geo', 'Dimensions', 'Person', 'Slot', 'Reading'];
const enumStems = ['Status', 'Color', 'Level', 'Kind', 'Channel', 'Priority', 'Phase'];
/** Names generated code imports from the runtime or declares itself. */
const runtimeTypeNames = [
  'EventContext',
  'RaiseOptions',
  'DomainEvent',
  'EventEnvelope',
  'ProjectionChange',
  'ReadModelDefinition',
  'AggregateDefinition',
  'EventDefinition',
  'Registry',
  'ValidationResult',
  'ValidationIssue',
  'Check',
  'OptionalField',
  'PayloadValidator',
];
const fieldNames = ['amount', 'title', 'count', 'at', 'tags', 'owner', 'email', 'note', 'code', 'size', 'ratio', 'active', 'ref', 'day', 'meta', 'label', 'level', 'items', 'points', 'total', 'limit', 'color', 'address', 'qty', 'price', 'x', 'y', 'n', 'flag', 'weight', 'since', 'until', 'reason', 'score'];
/** Valid field names that are also names generated code uses (parameters, locals, helpers, Object.prototype). */
const trickyFieldNames = [
  // Not toString, valueOf, hasOwnProperty: the checks refuse them for optional fields (ESG131), and
  // the generator does not know yet whether a field will be optional when it names it.
  'data', 'context', 'event', 'state', 'type', 'version', 'options', 'row', 'current', 'next', 'key', 'value', 'id', 'length',
  'name', 'occurredAt', 'aggregateId', 'eventId', 'kind', 'issues', 'path', 'check', 'optional', 'string',
  'number', 'Date', '_', '__', 'then', 'async', 'of', 'get', 'set', 'as', 'from', 'readonly', 'declare', 'keyof', 'never', 'unknown',
  'any', 'object', 'require', 'module', 'exports', 'process', 'JSON', 'Math', 'Object', 'Array', 'Promise', 'Symbol', 'fields', 'description',
];
const enumWords = ['open', 'closed', 'red', 'green', 'blue', 'low', 'high', 'web', 'store', 'pending', 'done', 'A', 'b_2'];
/** Valid enum values that need quoting in YAML or escaping in TypeScript. */
const trickyEnumValues = ['', 'yes', 'no', 'null', 'true', '123', 'on', 'with space', "it's", 'say "x"', 'back\\slash', 'ünï', '🙂', '${x}', '*/', 'a-b', 'a.b', '$x', 'event.x', 'line\nbreak'];

type Primitive = (typeof primitiveNames)[number];
const primitive = (name: Primitive): TypeExpr => ({ kind: 'primitive', name });

export function randomDomain(seed: number, options: DomainOptions = {}): DomainModel {
  const random = createRandom(seed);
  plainDescriptions = options.forRuntime === true && options.trickyNames === undefined;
  const tricky = options.trickyNames ?? (options.forRuntime ? 0 : 0.15);
  const names = new NameBook(random.fork('names'), tricky);
  const count = random.weighted([[3, 1], [4, 2], [2, 3]]);
  const aggregates: AggregateModel[] = [];
  for (let i = 0; i < count; i++) {
    aggregates.push(randomAggregate(random.fork(`aggregate-${i}`), names, options));
  }
  // Drawn after the aggregates, from streams of their own: the aggregates of a seed stay as they were.
  const readModelFiles = randomReadModelFiles(random.fork('across'), names, aggregates, options);
  return { seed, aggregates, ...(readModelFiles.length > 0 ? { readModelFiles } : {}) };
}

/**
 * Read-model files with read models across aggregates, for about half of the domains with two or
 * more aggregates: each reads events of at least two aggregates that declare no type of the same
 * name (ESG199), every event keyed (ESG197) by values of one kind (ESG198): text ids, or one time
 * bucket. Fields are primitives or lists of them (a read-model file declares no types, ESG196).
 */
function randomReadModelFiles(random: Random, names: NameBook, aggregates: readonly AggregateModel[], options: DomainOptions): ReadModelFile[] {
  if (aggregates.length < 2 || !random.chance(0.5)) return [];
  // An aggregate `ReadModels` generates `read-models/`, the folder of read models across aggregates (ESG161).
  if (aggregates.some((aggregate) => aggregate.name === 'ReadModels')) return [];
  const models: ReadModel[] = [];
  const count = random.weighted([[3, 1], [1, 2]]);
  for (let i = 0; i < count; i++) {
    const model = randomCrossReadModel(random.fork(`model-${i}`), names, aggregates, options);
    if (model) models.push(model);
  }
  return models.length === 0 ? [] : [{ name: random.pick(['across', 'read-models', 'joined', 'reports']), ...describe(random), readModels: models }];
}

function randomCrossReadModel(random: Random, names: NameBook, aggregates: readonly AggregateModel[], options: DomainOptions): ReadModel | undefined {
  const sources: AggregateModel[] = [];
  for (const aggregate of random.shuffle([...aggregates])) {
    const clash = sources.some((source) => source.types.some((type) => aggregate.types.some((other) => other.name === type.name)));
    if (!clash) sources.push(aggregate);
  }
  if (sources.length < 2) return undefined;
  const ownerOf = new Map<string, AggregateModel>();
  const reacting: EventModel[] = [];
  // `$aggregateId` is a uuid only when every aggregate read has uuid ids (docs/spec-reference.md).
  const idType = sources.every((source) => source.idType === 'uuid') ? 'uuid' : 'string';
  for (const aggregate of sources) {
    for (const event of random.sample(aggregate.events, random.int(1, aggregate.events.length))) {
      ownerOf.set(event.name, { ...aggregate, idType });
      reacting.push(event);
    }
  }
  const name = names.readModel(random.pick(['Joined', 'Across', 'Combined']));
  const projection = names.projection(name);
  const mode = random.chance(0.5) ? 'inline' : 'async';
  // One kind of key for every event, so their rows can meet (ESG198).
  const bucket = random.chance(0.3) ? random.pick<KeyBucket>(['hour', 'day', 'month', 'year']) : undefined;
  const sourcesOfKey = reacting.map((event): KeySource => {
    const aggregate = ownerOf.get(event.name)!;
    const paths = eventPaths(aggregate, event).filter((p) => !p.optional);
    if (bucket !== undefined) {
      const times = paths.filter((p) => p.type.kind === 'primitive' && (p.type.name === 'datetime' || (p.type.name === 'date' && bucket !== 'hour')));
      const chosen = times.length > 0 && random.chance(0.4) ? random.pick(times) : undefined;
      return { event: event.name, value: chosen ? { kind: 'event', path: chosen.path } : { kind: 'envelope', field: 'occurredAt' }, bucket };
    }
    const texts = paths.filter((p) => (p.type.kind === 'primitive' && (p.type.name === 'string' || p.type.name === 'uuid')) || (p.type.kind === 'named' && findType(aggregate, p.type.name).kind === 'enum'));
    const chosen = texts.length > 0 && random.chance(0.6) ? random.pick(texts) : undefined;
    return { event: event.name, value: chosen ? { kind: 'event', path: chosen.path } : { kind: 'envelope', field: 'aggregateId' } };
  });
  const deleteOn = reacting.filter(() => random.chance(0.1)).map((e) => e.name);
  const updating = reacting.filter((e) => !deleteOn.includes(e.name));
  const customOn = updating.filter(() => random.chance(0.15)).map((e) => e.name);
  const fields: ReadModelField[] = names.fields(random.weighted([[1, 1], [3, 2], [2, 4]]), { noId: true }).map((fieldName) => {
    const scalarType = () => primitive(random.pick(['integer', 'number', 'string', 'boolean', 'date', 'datetime', 'uuid'] as const));
    const type = random.weighted<() => TypeExpr>([
      [3, () => primitive(random.pick(['integer', 'number'] as const))],
      [3, scalarType],
      [1, () => ({ kind: 'list', element: scalarType() })],
    ])();
    let optional = random.chance(0.3);
    const rules: MappingRule[] = [];
    for (const event of updating) {
      if (!random.chance(0.6)) continue;
      const op = mappingOp(random, ownerOf.get(event.name)!, event, type, optional, options.forRuntime === true);
      if (op) rules.push({ event: event.name, op, viaFrom: op.kind === 'set' && (op.value.kind === 'event' || op.value.kind === 'envelope') && random.chance(0.4) });
    }
    let fieldDefault: Json | undefined;
    if (random.chance(0.3) || (rules.length === 0 && customOn.length === 0 && !optional && random.chance(0.7))) {
      fieldDefault = optional && random.chance(0.2) ? null : randomValue(sources[0]!, type, random, 'spec');
    }
    if (rules.length === 0 && customOn.length === 0 && fieldDefault === undefined) optional = true;
    return { name: fieldName, type, optional, ...(fieldDefault !== undefined ? { default: fieldDefault } : {}), index: type.kind === 'primitive' && random.chance(0.25), unique: false, rules, ...describe(random) };
  });
  const customMappers: Record<string, CustomMapperPlan> = {};
  for (const event of customOn) customMappers[event] = random.pick<CustomMapperPlan>([{ kind: 'upsert' }, { kind: 'unchangedOnEvenVersion' }, { kind: 'deleteOnEveryThird' }]);
  void options;
  return { name, projection, mode, modeExplicit: mode === 'inline' || random.chance(0.3), key: { kind: 'map', sources: sourcesOfKey }, fields, deleteOn, customOn, customMappers, ...describe(random) };
}

/** Names unique where the language requires (aggregates, events, read models, projections: domain-wide; types: per file). */
class NameBook {
  readonly #global = new Set<string>();
  readonly #projections = new Set<string>();
  readonly #kebab = new Set<string>();
  #local = new Set<string>();

  constructor(
    readonly random: Random,
    readonly tricky: number,
  ) {}

  /** Starts a new file: type names only need to be unique per file (but differ from its global names). */
  startFile(): void {
    this.#local = new Set();
  }

  #free(name: string): boolean {
    return !this.#global.has(name) && !this.#local.has(name) && !['map', ...primitiveNames].includes(name);
  }

  #claim(candidates: () => string, scope: 'global' | 'local'): string {
    for (let attempt = 0; ; attempt++) {
      const base = candidates();
      const name = attempt < 5 ? base : `${base}${attempt}`;
      if (this.#free(name)) {
        (scope === 'global' ? this.#global : this.#local).add(name);
        if (scope === 'global') this.#local.add(name);
        return name;
      }
    }
  }

  aggregate(): string {
    const name = this.#claim(() => (this.random.chance(this.tricky) ? this.random.pick(trickyAggregateNames) : this.random.pick(aggregateStems)), 'global');
    this.#kebab.add(name.toLowerCase());
    return name;
  }

  event(aggregate: string, others: readonly string[]): string {
    return this.#claim(() => {
      if (this.random.chance(this.tricky) && others.length > 0) {
        // Not `V1`: `<Event>V1` is the generated name of an older payload version, which the checks reserve (ESG134).
        return `${this.random.pick(others)}${this.random.pick(['Event', 'V0', 'Type', 'Version'])}`;
      }
      // Not `<Aggregate>State`, `Base`, `Events`, `Event`: generated names the checks reserve (ESG134).
      if (this.random.chance(this.tricky / 2)) return this.random.pick(['Event', 'Check', 'DomainEvent', 'SpecAggregate', `${aggregate}Status`, `${aggregate}Definition`]);
      return this.random.chance(0.7) ? `${aggregate}${this.random.pick(eventVerbs)}` : this.random.pick(eventVerbs);
    }, 'global');
  }

  type(kind: 'record' | 'enum', aggregate: string): string {
    return this.#claim(() => {
      if (this.random.chance(this.tricky)) return this.random.pick([...runtimeTypeNames, 'SpecAggregate', 'Appliers', 'EventOf', `${aggregate}Aggregate`, `${aggregate}Definition`]);
      return this.random.pick(kind === 'record' ? recordStems : enumStems);
    }, 'local');
  }

  readModel(aggregate: string): string {
    return this.#claim(() => {
      if (this.random.chance(this.tricky)) return this.random.pick([`${aggregate}Row`, 'Row', 'ReadModel', `${aggregate}ReadModel`]);
      return `${aggregate}${this.random.pick(['List', 'Summary', 'Stats', 'Index', 'Daily', 'Totals', 'View'])}`;
    }, 'global');
  }

  projection(readModel: string): string {
    for (let attempt = 0; ; attempt++) {
      const snake = readModel.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
      const roll = this.random.next();
      let name = roll < 0.1 ? `_${snake}` : roll < 0.15 ? `${snake}_${'x'.repeat(62)}`.slice(0, 63) : roll < 0.2 ? this.random.pick(['select', 'order', 'user', 'table']) : snake;
      if (attempt > 0) name = `${name.slice(0, 58)}_${attempt}`;
      if (!this.#projections.has(name)) {
        this.#projections.add(name);
        return name;
      }
    }
  }

  /** Distinct field names for one record, payload, state or row. */
  fields(count: number, options: { noId?: boolean } = {}): string[] {
    const chosen: string[] = [];
    while (chosen.length < count) {
      const pool = this.random.chance(this.tricky) ? trickyFieldNames : fieldNames;
      let name = this.random.pick(pool);
      if (chosen.includes(name)) name = `${name}${chosen.length}`;
      if (options.noId && name === 'id') continue;
      if (!chosen.includes(name)) chosen.push(name);
    }
    return chosen;
  }

  enumValues(count: number): string[] {
    const values = new Set<string>();
    while (values.size < count) values.add(this.random.chance(this.tricky * 2) ? this.random.pick(trickyEnumValues) : this.random.pick(enumWords));
    return [...values];
  }
}

interface AggregateDraft {
  name: string;
  idType: 'string' | 'uuid';
  types: ValueType[];
}

function randomAggregate(random: Random, names: NameBook, options: DomainOptions): AggregateModel {
  names.startFile();
  const name = names.aggregate();
  const idType = random.chance(0.4) ? 'uuid' : 'string';
  const draft: AggregateDraft = { name, idType, types: [] };
  // The model is completed in stages; functions below read the parts already decided.
  const view = (): AggregateModel => ({ name, idType, idExplicit: false, types: draft.types, state: [], events: [], readModels: [] });

  draft.types = randomTypes(random.fork('types'), names, name);
  const typeRandom = random.fork('type-exprs');
  const anyType = (depth = 0) => randomType(typeRandom, draft.types, depth, 'any');

  const stateRandom = random.fork('state');
  const stateCount = stateRandom.weighted([[1, 0], [3, 2], [4, 4], [2, 6]]);
  // Some state fields take the type of a field of a value type, so that nested paths
  // (`event.address.city`) have somewhere to go.
  const recordFieldTypes = draft.types.flatMap((t) => (t.kind === 'record' ? t.fields.map((f) => f.type) : []));
  const state: Field[] = names.fields(stateCount).map((fieldName) => {
    const type = recordFieldTypes.length > 0 && stateRandom.chance(0.35) ? stateRandom.pick(recordFieldTypes) : anyType();
    const optional = stateRandom.chance(0.3);
    const field: Field = { name: fieldName, type, optional, ...(stateRandom.chance(0.2) ? { pii: true } : {}), ...describe(stateRandom) };
    if (stateRandom.chance(0.3)) return { ...field, default: optional && stateRandom.chance(0.3) ? null : randomValue(view(), type, stateRandom, 'spec') };
    return field;
  });
  const withState = (): AggregateModel => ({ ...view(), state });

  const eventRandom = random.fork('events');
  const eventCount = eventRandom.weighted([[3, 1], [3, 2], [3, 3], [2, 4], [1, 5]]);
  const events: EventModel[] = [];
  for (let i = 0; i < eventCount; i++) {
    const eventName = names.event(name, events.map((e) => e.name));
    events.push(randomEvent(eventRandom.fork(eventName), names, withState(), eventName, anyType));
  }
  const withEvents = (): AggregateModel => ({ ...withState(), events });

  const modelRandom = random.fork('read-models');
  const modelCount = modelRandom.weighted([[3, 0], [4, 1], [3, 2], [1, 3]]);
  const readModels: ReadModel[] = [];
  for (let i = 0; i < modelCount; i++) readModels.push(randomReadModel(modelRandom.fork(`model-${i}`), names, withEvents(), anyType, options));

  const extras = random.fork('extras');
  return {
    ...withEvents(),
    idExplicit: idType === 'uuid' || extras.chance(0.3),
    ...(extras.chance(0.4) ? { snapshotEvery: extras.pick([1, 2, 3, 5, 100]) } : {}),
    readModels,
    ...describe(extras),
  };
}

const descriptions = ['A plain description.', 'Ends a comment */ and opens /* one', 'Quotes \' " ` and ${template}', 'Line one\nline two', 'Ünïcödé ✓', '@param x {@link y}', ''];
let plainDescriptions = false;

function describe(random: Random): { description?: string } {
  if (!random.chance(0.15)) return {};
  const description = random.pick(descriptions);
  return { description: plainDescriptions && /\*\/|\$\{|`/.test(description) ? 'A plain description.' : description };
}

/**
 * Value types. Type i may use any type inside a list, a map or an optional field, but a required
 * field may only hold a record declared after it: required references never form a cycle, so
 * every record has a finite zero value.
 */
function randomTypes(random: Random, names: NameBook, aggregate: string): ValueType[] {
  const count = random.weighted([[3, 0], [3, 1], [3, 2], [2, 3], [1, 4]]);
  const shapes: TypeShape[] = Array.from({ length: count }, () => {
    const kind = random.chance(0.4) ? 'enum' : 'record';
    return { kind, name: names.type(kind, aggregate) };
  });
  const types = shapes.map((shape, i): ValueType => {
    if (shape.kind === 'enum') return { kind: 'enum', name: shape.name, values: names.enumValues(random.int(1, 4)), ...describe(random) };
    const later = shapes.slice(i + 1).map((t) => t.name);
    const fieldCount = random.weighted([[1, 0], [3, 1], [4, 2], [3, 3], [1, 4]]);
    const fields: Field[] = names.fields(fieldCount).map((name) => {
      const optional = random.chance(0.3);
      // An optional field may refer back (even to this type): its zero value is "absent".
      const type = randomType(random, shapes, 0, optional ? 'any' : later);
      // `pii` inside value types may sit in a recursive one (ESG186): random domains mark event
      // fields only. The draw stays, so every seed still builds the domain it built before.
      random.chance(0.1);
      return { name, type, optional, ...describe(random) };
    });
    return { kind: 'record', name: shape.name, fields, ...describe(random) };
  });
  // Declaration order is independent of dependency order.
  return random.chance(0.5) ? types : random.shuffle(types);
}

/** What a type expression needs to know of the value types: their names and kinds. */
interface TypeShape {
  readonly kind: 'record' | 'enum';
  readonly name: string;
}

/**
 * A type expression. `direct` lists the value types a required field may hold without a list or
 * map in between ('any' outside value types).
 */
function randomType(random: Random, types: readonly TypeShape[], depth: number, direct: readonly string[] | 'any'): TypeExpr {
  const enums = types.filter((t) => t.kind === 'enum').map((t) => t.name);
  const directNames = direct === 'any' ? types.map((t) => t.name) : types.filter((t) => t.kind === 'enum' || direct.includes(t.name)).map((t) => t.name);
  const wrapped = types.map((t) => t.name);
  const roll = random.next();
  if (depth < 2 && roll < 0.14) return { kind: 'list', element: randomType(random, types, depth + 1, wrapped) };
  if (depth < 2 && roll < 0.22) return { kind: 'map', value: randomType(random, types, depth + 1, wrapped) };
  if (roll < 0.4 && directNames.length > 0) return { kind: 'named', name: random.pick(random.chance(0.3) && enums.length > 0 ? enums.filter((e) => directNames.includes(e)).concat(directNames) : directNames) };
  return primitive(random.pick(primitiveNames));
}

function randomEvent(random: Random, names: NameBook, aggregate: AggregateModel, name: string, anyType: (depth?: number) => TypeExpr): EventModel {
  const payloadless = random.chance(0.25);
  const fields: Field[] = payloadless
    ? []
    : names.fields(random.int(1, 5)).map((fieldName) => ({ name: fieldName, type: anyType(), optional: random.chance(0.25), ...(random.chance(0.1) ? { pii: true } : {}), ...describe(random) }));
  const versionCount = random.weighted([[14, 1], [4, 2], [2, 3], [1, 4]]);
  // Build the history backwards: each older version is derived from the next one through its upcast.
  const versions: EventVersion[] = [{ version: versionCount, fields }];
  for (let v = versionCount - 1; v >= 1; v--) {
    versions.unshift(olderVersion(random, names, aggregate, v, versions[0]!.fields, anyType));
  }
  const draft: EventModel = { name, versions, ...describe(random) };
  const state = aggregate.state;
  if (random.chance(0.6)) {
    const targets = random.sample(state, random.weighted([[1, 0], [3, 1], [3, 2], [2, 3], [1, 4]]));
    const apply = targets.map((target): ApplyRule => applyRule(random, aggregate, draft, target));
    // Rules and a hand-written handler after them (`handler: true`).
    if (apply.length > 0 && random.chance(0.2)) return { ...draft, apply, handler: random.sample(state, random.int(0, 2)).map((target) => handlerPatch(random, aggregate, draft, target)) };
    return { ...draft, apply };
  }
  const targets = random.sample(state, random.int(0, 3));
  return { ...draft, handler: targets.map((target) => handlerPatch(random, aggregate, draft, target)) };
}

/**
 * Version v, given version v+1: a custom step (any fields), or declarative ops chosen first and
 * inverted: fields of v+1 that are added get a constant, renamed ones had another name, removed
 * ones are extra fields of v; optional fields of v+1 may simply be missing from v.
 */
function olderVersion(random: Random, names: NameBook, aggregate: AggregateModel, version: number, next: readonly Field[], anyType: (depth?: number) => TypeExpr): EventVersion {
  if (random.chance(0.3)) {
    const fields = names.fields(random.int(0, 4)).map((name) => ({ name, type: anyType(), optional: random.chance(0.3) }));
    return { version, fields, upcast: { kind: 'custom' } };
  }
  const older: Field[] = [];
  const rename: [string, string][] = [];
  const add: [string, Json][] = [];
  const taken = new Set(next.map((f) => f.name));
  for (const field of next) {
    const roll = random.next();
    if (roll < 0.2) {
      add.push([field.name, field.optional && random.chance(0.3) ? null : randomValue(aggregate, field.type, random, 'spec')]);
    } else if (roll < 0.35) {
      const oldName = freshName(random, names, taken);
      rename.push([oldName, field.name]);
      // A renamed field may become optional, never the reverse.
      older.push({ name: oldName, type: field.type, optional: field.optional && random.chance(0.5) });
    } else if (field.optional && roll < 0.45) {
      // Absent in version v, optional in v+1: nothing to do.
    } else {
      older.push({ name: field.name, type: field.type, optional: field.optional && random.chance(0.5) });
    }
  }
  const remove: string[] = [];
  for (let i = random.weighted([[3, 0], [2, 1], [1, 2]]); i > 0; i--) {
    // Sometimes a field that version v+1 re-adds with another type: remove, then add.
    const reAdd = add.find(([name]) => !older.some((f) => f.name === name) && !remove.includes(name));
    const name = reAdd && random.chance(0.3) ? reAdd[0] : freshName(random, names, taken);
    remove.push(name);
    older.push({ name, type: anyType(), optional: random.chance(0.3) });
  }
  const upcast: Upcast = { kind: 'declarative', rename, remove, add };
  if (rename.length + remove.length + add.length === 0) {
    // `upcast: {}` is refused by the schema (an upcast says something); identical versions use `add` of an optional field or custom.
    return { version, fields: older, upcast: { kind: 'custom' } };
  }
  return { version, fields: random.shuffle(older), upcast };
}

function freshName(random: Random, names: NameBook, taken: Set<string>): string {
  for (;;) {
    const [candidate] = names.fields(1);
    const name = taken.has(candidate!) ? `${candidate}Old${random.int(1, 99)}` : candidate!;
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}

/**
 * One apply rule on `target`: set it (short or long form); on a numeric field, add or subtract;
 * on a `map<T>` field, set, add, subtract or remove one entry under a string-like key.
 */
function applyRule(random: Random, aggregate: AggregateModel, event: EventModel, target: Field): ApplyRule {
  const roll = random.next();
  if (target.type.kind === 'map' && roll < 0.6) {
    const entry = entryKey(random, aggregate, event);
    const value: Field = { name: target.name, type: target.type.value, optional: false };
    const ops = isNumeric(value.type) ? (['set', 'add', 'subtract', 'remove'] as const) : (['set', 'remove'] as const);
    const op = random.pick(ops);
    if (op === 'remove') return { target: target.name, op, entry, value: { kind: 'const', value: true } };
    // An added amount may be absent (changes nothing); a set entry must be present.
    const source = applySource(random, aggregate, event, op === 'set' ? value : { ...value, optional: true });
    return { target: target.name, ...(op === 'set' ? {} : { op }), entry, value: source };
  }
  if (isNumeric(target.type) && roll < 0.35) {
    return { target: target.name, op: random.pick(['add', 'subtract'] as const), value: applySource(random, aggregate, event, { ...target, optional: true }) };
  }
  return { target: target.name, value: applySource(random, aggregate, event, target), ...(random.chance(0.1) ? { longForm: true } : {}) };
}

/** A map key: a required string, uuid, date or enum path of the payload, or `$aggregateId` / `$eventId`. */
function entryKey(random: Random, aggregate: AggregateModel, event: EventModel): ValueSource {
  const stringLike = (type: TypeExpr) =>
    (type.kind === 'primitive' && ['string', 'uuid', 'date'].includes(type.name)) || (type.kind === 'named' && findType(aggregate, type.name).kind === 'enum');
  const paths = eventPaths(aggregate, event).filter((p) => !p.optional && stringLike(p.type));
  if (paths.length > 0 && random.chance(0.7)) return { kind: 'event', path: random.pick(paths).path };
  return { kind: 'envelope', field: random.pick(['aggregateId', 'eventId'] as const) };
}

/** A source whose value fits `target`: a payload path, an envelope value, or a constant. */
function applySource(random: Random, aggregate: AggregateModel, event: EventModel, target: Field): ValueSource {
  const paths = eventPaths(aggregate, event).filter((p) => fits(aggregate, p.type, target.type) && (!p.optional || target.optional));
  const envelopes = applyEnvelopes.filter((field) => fits(aggregate, envelopeType(aggregate, field).type, target.type));
  const nested = paths.filter((p) => p.path.length > 1);
  const roll = random.next();
  if (roll < 0.5 && paths.length > 0) return { kind: 'event', path: random.pick(nested.length > 0 && random.chance(0.5) ? nested : paths).path };
  if (roll < 0.7 && envelopes.length > 0) return { kind: 'envelope', field: random.pick(envelopes) };
  return { kind: 'const', value: target.optional && random.chance(0.15) ? null : randomValue(aggregate, target.type, random, 'spec') };
}

function handlerPatch(random: Random, aggregate: AggregateModel, event: EventModel, target: Field): HandlerPatch {
  const fields = currentVersion(event).fields.filter((f) => fits(aggregate, f.type, target.type));
  const is = (...names: string[]) => target.type.kind === 'primitive' && names.includes(target.type.name);
  const contexts = [
    ...(is('integer', 'number', 'json') ? (['version'] as const) : []),
    ...(is('string', 'json', aggregate.idType) ? (['aggregateId'] as const) : []),
    ...(is('string', 'json', 'datetime') ? (['occurredAt'] as const) : []),
  ];
  const roll = random.next();
  if (roll < 0.4 && fields.length > 0) {
    const field = random.pick(fields);
    return { target: target.name, kind: 'payload', field: field.name, ...(field.optional && !target.optional ? { fallback: randomValue(aggregate, target.type, random, 'spec') } : {}) };
  }
  if (roll < 0.6 && contexts.length > 0) return { target: target.name, kind: 'context', field: random.pick(contexts) };
  if (roll < 0.8 && isNumeric(target.type)) return { target: target.name, kind: 'count' };
  return { target: target.name, kind: 'const', value: randomValue(aggregate, target.type, random, 'spec') };
}

function randomReadModel(random: Random, names: NameBook, aggregate: AggregateModel, anyType: (depth?: number) => TypeExpr, options: DomainOptions): ReadModel {
  const name = names.readModel(aggregate.name);
  const projection = names.projection(name);
  const mode = random.chance(0.5) ? 'inline' : 'async';
  const allEvents = aggregate.events;
  const keyRoll = random.next();
  let key: ReadModelKey;
  let reacting: EventModel[];
  if (keyRoll < 0.2) {
    const event = random.pick(allEvents);
    key = { kind: 'single', source: keySource(random, aggregate, event) };
    reacting = [event];
  } else if (keyRoll < 0.45) {
    reacting = random.sample(allEvents, random.int(1, allEvents.length));
    key = { kind: 'map', sources: reacting.map((event) => keySource(random, aggregate, event)) };
  } else {
    key = { kind: 'aggregateId', explicit: random.chance(0.3) };
    reacting = random.sample(allEvents, random.weighted([[1, 0], [6, random.int(1, allEvents.length)]]));
  }

  const deleteOn = reacting.filter(() => random.chance(0.12)).map((e) => e.name);
  // An event that deletes the row neither has a custom mapper nor field rules (ESG162).
  const updating = reacting.filter((e) => !deleteOn.includes(e.name));
  const customOn = updating.filter(() => random.chance(0.2)).map((e) => e.name);
  const fieldCount = random.weighted([[1, 0], [3, 1], [4, 2], [3, 3], [2, 5]]);
  const fields: ReadModelField[] = names.fields(fieldCount, { noId: true }).map((fieldName) => {
    // Numbers, times and lists more often than elsewhere: they have operations of their own.
    // Lists of records have keyed operations (upsert, removeBy, decrement) keyed on a scalar field.
    const keyedRecords = aggregate.types.filter((t) => t.kind === 'record' && t.fields.some((f) => isScalar(aggregate, f.type)));
    const decrementable = keyedRecords.filter((t) => t.kind === 'record' && t.fields.some((f) => isNumeric(f.type)) && t.fields.filter((f) => isScalar(aggregate, f.type)).length >= 2);
    const listedRecords = [
      ...new Set(
        updating.flatMap((event) =>
          eventPaths(aggregate, event).flatMap((p) => (p.type.kind === 'list' && p.type.element.kind === 'named' && keyedRecords.some((t) => t.name === (p.type as { element: { name: string } }).element.name) ? [p.type.element.name] : [])),
        ),
      ),
    ];
    const type = random.weighted<() => TypeExpr>([
      [3, () => primitive(random.pick(['integer', 'number'] as const))],
      [1, () => primitive(random.pick(['date', 'datetime'] as const))],
      [1, () => ({ kind: 'list', element: anyType(1) })],
      [keyedRecords.length > 0 ? 3 : 0, () => ({ kind: 'list', element: { kind: 'named', name: random.pick(keyedRecords).name } })],
      // Records `decrement` can work on (a number field and another scalar), and records payloads carry lists of (for `upsert` with `each`).
      [decrementable.length > 0 ? 1.5 : 0, () => ({ kind: 'list', element: { kind: 'named', name: random.pick(decrementable).name } })],
      [listedRecords.length > 0 ? 1.5 : 0, () => ({ kind: 'list', element: { kind: 'named', name: random.pick(listedRecords) } })],
      [4, () => anyType()],
    ])();
    let optional = random.chance(0.3);
    const rules: MappingRule[] = [];
    for (const event of updating) {
      if (!random.chance(0.6)) continue;
      const op = mappingOp(random, aggregate, event, type, optional, options.forRuntime === true);
      if (op) rules.push({ event: event.name, op, viaFrom: op.kind === 'set' && (op.value.kind === 'event' || op.value.kind === 'envelope') && random.chance(0.4) });
    }
    let fieldDefault: Json | undefined;
    if (random.chance(0.3) || (rules.length === 0 && customOn.length === 0 && !optional && random.chance(0.7))) {
      fieldDefault = optional && random.chance(0.2) ? null : randomValue(aggregate, type, random, 'spec');
    }
    // Without rules, a default or a custom mapper, a required field would never be set (ESG158).
    if (rules.length === 0 && customOn.length === 0 && fieldDefault === undefined) optional = true;
    const scalar = isScalar(aggregate, type);
    return {
      name: fieldName,
      type,
      optional,
      ...(fieldDefault !== undefined ? { default: fieldDefault } : {}),
      index: scalar && random.chance(0.25),
      unique: scalar && !options.forRuntime && random.chance(0.08),
      rules,
      ...describe(random),
    };
  });
  const customMappers: Record<string, CustomMapperPlan> = {};
  for (const event of customOn) {
    const numeric = fields.filter((f) => isNumeric(f.type));
    customMappers[event] = random.weighted<CustomMapperPlan>([
      [3, { kind: 'upsert' }],
      [2, { kind: 'unchangedOnEvenVersion' }],
      [1, { kind: 'deleteOnEveryThird' }],
      [numeric.length > 0 ? 2 : 0, { kind: 'setVersion', field: numeric.length > 0 ? random.pick(numeric).name : '' }],
    ]);
  }
  return { name, projection, mode, modeExplicit: mode === 'inline' || random.chance(0.3), key, fields, deleteOn, customOn, customMappers, ...describe(random) };
}

/** A key for one event: a required scalar of its payload, or an envelope value; temporal values sometimes bucketed. */
function keySource(random: Random, aggregate: AggregateModel, event: EventModel): KeySource {
  const paths = eventPaths(aggregate, event).filter((p) => !p.optional && isScalar(aggregate, p.type));
  const envelope = (field: 'aggregateId' | 'occurredAt' | 'version' | 'eventId'): TypedPath => ({ path: [`$${field}`], type: envelopeType(aggregate, field).type, optional: false });
  const candidates: TypedPath[] = [...paths, ...paths, envelope('occurredAt'), envelope('occurredAt'), envelope('aggregateId'), envelope('version'), envelope('eventId')];
  const chosen = random.pick(candidates);
  const value: ValueSource = chosen.path[0]!.startsWith('$') ? { kind: 'envelope', field: chosen.path[0]!.slice(1) as 'occurredAt' } : { kind: 'event', path: chosen.path };
  let bucket: KeyBucket | undefined;
  if (isTemporal(chosen.type) && random.chance(0.75)) {
    const isDate = chosen.type.kind === 'primitive' && chosen.type.name === 'date';
    bucket = random.pick<KeyBucket>(isDate ? ['day', 'month', 'year'] : ['hour', 'day', 'month', 'year']);
  }
  return { event: event.name, value, ...(bucket ? { bucket } : {}) };
}

/** One operation on a read-model field of `type` for `event`, or undefined when none fits. */
function mappingOp(random: Random, aggregate: AggregateModel, event: EventModel, type: TypeExpr, optional: boolean, forRuntime: boolean): MappingOp | undefined {
  const paths = eventPaths(aggregate, event);
  const envelopes = applyEnvelopes.map((field) => ({ field, ...envelopeType(aggregate, field) }));
  const ops: (() => MappingOp | undefined)[] = [];

  /**
   * Arithmetic over the event's numbers for a numeric target: integer targets take integer
   * operands under + - *; number targets also `/` (whose value may be absent). On the runtime,
   * products and quotients only by modest literals, so random payload numbers cannot overflow.
   */
  const computed = (of: TypeExpr, allowOptional: boolean, within: readonly TypedPath[] = paths): Operand => {
    const integer = of.kind === 'primitive' && of.name === 'integer';
    const isInteger = (candidate: TypeExpr) => candidate.kind === 'primitive' && candidate.name === 'integer';
    const sources: Operand[] = [
      ...within.filter((p) => isNumeric(p.type) && (!integer || isInteger(p.type)) && (allowOptional || !p.optional)).map((p): Operand => ({ kind: 'event', path: p.path })),
      { kind: 'envelope', field: 'version' },
    ];
    const literal = (nonZero = false): Operand => ({ kind: 'const', value: integer ? random.pick(nonZero ? [1, 2, -3, 10] : [0, 1, 2, -3, 10]) : random.pick(nonZero ? [0.5, 2, -1.25, 100] : [0, 0.5, 2, -1.25, 100]) });
    const leaf = (): Operand => (random.chance(0.7) ? random.pick(sources) : literal());
    const build = (depth: number): Operand => {
      const ops = integer || !allowOptional ? (['+', '-', '*'] as const) : (['+', '-', '*', '/'] as const);
      const op = random.pick<'+' | '-' | '*' | '/'>(ops);
      const left = depth > 0 && random.chance(0.3) ? build(depth - 1) : leaf();
      const right = forRuntime && (op === '*' || op === '/') ? literal(true) : op === '/' && random.chance(0.5) ? literal(true) : leaf();
      return { kind: 'computed', op, left, right };
    };
    return build(1);
  };
  const numericOperand = (value: Operand, allowOptional: boolean): Operand => (isNumeric(type) && random.chance(0.3) ? computed(type, allowOptional) : value);

  // set: a path, an envelope value or a constant that fits; optional values only into optional fields.
  ops.push(() => {
    const fitting = [
      ...paths.filter((p) => fits(aggregate, p.type, type) && (!p.optional || optional)).map((p): ValueSource => ({ kind: 'event', path: p.path })),
      ...envelopes.filter((e) => fits(aggregate, e.type, type)).map((e): ValueSource => ({ kind: 'envelope', field: e.field })),
    ];
    if (isNumeric(type) && random.chance(0.2)) return { kind: 'set', value: computed(type, optional) };
    if (fitting.length > 0 && random.chance(0.7)) return { kind: 'set', value: random.pick(fitting) };
    return { kind: 'set', value: { kind: 'const', value: optional && random.chance(0.15) ? null : randomValue(aggregate, type, random, 'spec') } };
  });

  const operands = (allowOptional: boolean): ValueSource[] => [
    ...paths.filter((p) => fits(aggregate, p.type, type) && (allowOptional || !p.optional)).map((p): ValueSource => ({ kind: 'event', path: p.path })),
    ...envelopes.filter((e) => fits(aggregate, e.type, type)).map((e): ValueSource => ({ kind: 'envelope', field: e.field })),
  ];
  const constant = (of: TypeExpr): ValueSource => ({ kind: 'const', value: randomValue(aggregate, of, random, 'spec') });

  if (isNumeric(type)) {
    const integer = type.kind === 'primitive' && type.name === 'integer';
    for (const kind of ['add', 'subtract'] as const) {
      ops.push(() => {
        const from = operands(true);
        return { kind, value: numericOperand(from.length > 0 && random.chance(0.75) ? random.pick(from) : constant(type), true) };
      });
    }
    ops.push(() => ({ kind: 'increment', by: integer ? random.pick([1, -1, 0, 5, 1000]) : random.pick([1, 0.5, -2.25, 1e-3]) }));
  }
  if (isNumeric(type) || isTemporal(type)) {
    for (const kind of ['min', 'max'] as const) {
      ops.push(() => {
        const from = operands(true);
        return { kind, value: numericOperand(from.length > 0 && random.chance(0.75) ? random.pick(from) : constant(type), true) };
      });
    }
  }
  // setOnce: any type, the first value wins (not always offered: it fits every field and would crowd out the rest).
  if (random.chance(0.35)) ops.push(() => {
    const from = operands(true);
    return { kind: 'setOnce', value: numericOperand(from.length > 0 && random.chance(0.75) ? random.pick(from) : constant(type), true) };
  });
  const record = type.kind === 'list' && type.element.kind === 'named' ? findType(aggregate, type.element.name) : undefined;
  if (record?.kind === 'record') {
    const scalars = record.fields.filter((f) => isScalar(aggregate, f.type));
    /** A value for an element field: a path (of the event, or of an `each` entry), an envelope value, a computed number or a constant that fits. */
    const elementValue = (field: Field, allowOptional: boolean, within = paths): Operand => {
      const from: Operand[] = [
        ...within.filter((p) => fits(aggregate, p.type, field.type) && (allowOptional || !p.optional)).map((p): Operand => ({ kind: 'event', path: p.path })),
        ...envelopes.filter((e) => fits(aggregate, e.type, field.type)).map((e): Operand => ({ kind: 'envelope', field: e.field })),
      ];
      if (isNumeric(field.type) && random.chance(0.25)) return computed(field.type, allowOptional, within);
      return from.length > 0 && random.chance(0.7) ? random.pick(from) : { kind: 'const', value: randomValue(aggregate, field.type, random, 'spec') };
    };
    const keyValues = (keys: readonly Field[]): ElementValues => keys.map((field) => [field.name, elementValue(field, true)] as const);
    if (scalars.length > 0) {
      // An event with a list of records offers `upsert` (with `each`) more often.
      const hasLists = paths.some((p) => p.type.kind === 'list' && p.type.element.kind === 'named' && findType(aggregate, p.type.element.name).kind === 'record');
      for (let upserts = hasLists ? 3 : 1; upserts > 0; upserts--) ops.push(() => {
        const key = random.sample(scalars, random.int(1, Math.min(2, scalars.length)));
        const given = record.fields.filter((f) => key.includes(f) || !f.optional || random.chance(0.5));
        // Sometimes once per entry of a list of records in the payload (`each`): values then read the entry.
        const lists = paths.filter((p) => p.type.kind === 'list' && p.type.element.kind === 'named' && findType(aggregate, p.type.element.name).kind === 'record');
        const each = lists.length > 0 && random.chance(0.7) ? random.pick(lists) : undefined;
        const entryType = each?.type.kind === 'list' && each.type.element.kind === 'named' ? findType(aggregate, each.type.element.name) : undefined;
        const within = entryType?.kind === 'record' ? payloadPaths(aggregate, entryType.fields) : paths;
        const values: ElementValues = given.map((field) => [field.name, elementValue(field, field.optional, within)] as const);
        const rest = given.filter((f) => !key.includes(f));
        const sum = rest.filter((f) => isNumeric(f.type) && random.chance(0.5));
        const keep = rest.filter((f) => !sum.includes(f) && random.chance(0.3));
        return { kind: 'upsert', key: key.map((f) => f.name), values, sum: sum.map((f) => f.name), keep: keep.map((f) => f.name), ...(each ? { each: each.path } : {}) };
      });
      ops.push(() => ({ kind: 'removeBy', key: keyValues(random.sample(scalars, random.int(1, Math.min(2, scalars.length)))) }));
      const numbers = record.fields.filter((f) => isNumeric(f.type));
      const decremented = numbers.length > 0 ? random.pick(numbers) : undefined;
      const keys = scalars.filter((f) => f !== decremented);
      if (decremented && keys.length > 0) {
        // Twice: it needs a number field and another scalar, which fewer records have.
        for (let twice = 0; twice < 2; twice++) ops.push(() => ({
          kind: 'decrement',
          key: keyValues(random.sample(keys, random.int(1, Math.min(2, keys.length)))),
          field: decremented.name,
          ...(random.chance(0.6) ? { by: elementValue({ ...decremented, optional: true }, true) } : {}),
          removeAtZero: random.chance(0.5),
        }));
      }
    }
  }
  if (type.kind === 'list') {
    ops.push(() => {
      const element = type.element;
      const from = [
        ...paths.filter((p) => !p.optional && fits(aggregate, p.type, element)).map((p): ValueSource => ({ kind: 'event', path: p.path })),
        ...envelopes.filter((e) => fits(aggregate, e.type, element)).map((e): ValueSource => ({ kind: 'envelope', field: e.field })),
      ];
      return { kind: 'append', value: from.length > 0 && random.chance(0.75) ? random.pick(from) : constant(element) };
    });
  }
  // The set rule first, the type-specific operations more often.
  const pick = ops.length > 1 && random.chance(0.65) ? random.pick(ops.slice(1)) : ops[0]!;
  return pick();
}
