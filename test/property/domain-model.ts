/**
 * The random domains of the property tests, as the generator decides them: a spec-level model,
 * independent of the generator's IR (the harness must not share the code it checks). It is
 * rendered to YAML (spec-text.ts), to user code for the runtime tests (user-code.ts), and read
 * by the oracle that predicts state, upcasts and read-model rows (domain-oracle.ts).
 */

export type PrimitiveName = 'string' | 'integer' | 'number' | 'boolean' | 'uuid' | 'datetime' | 'date' | 'json';
export const primitiveNames: readonly PrimitiveName[] = ['string', 'integer', 'number', 'boolean', 'uuid', 'datetime', 'date', 'json'];

export type TypeExpr =
  | { readonly kind: 'primitive'; readonly name: PrimitiveName }
  | { readonly kind: 'named'; readonly name: string }
  | { readonly kind: 'list'; readonly element: TypeExpr }
  | { readonly kind: 'map'; readonly value: TypeExpr };

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

export interface Field {
  readonly name: string;
  readonly type: TypeExpr;
  readonly optional: boolean;
  readonly pii?: boolean;
  /** State and read-model fields only. */
  readonly default?: Json;
  readonly description?: string;
}

export type ValueType =
  | { readonly kind: 'record'; readonly name: string; readonly fields: readonly Field[]; readonly description?: string }
  | { readonly kind: 'enum'; readonly name: string; readonly values: readonly string[]; readonly description?: string };

export type Upcast =
  | { readonly kind: 'custom' }
  | {
      readonly kind: 'declarative';
      readonly rename: readonly (readonly [from: string, to: string])[];
      readonly remove: readonly string[];
      readonly add: readonly (readonly [field: string, value: Json])[];
    };

export interface EventVersion {
  readonly version: number;
  readonly fields: readonly Field[];
  /** The step to version + 1; absent on the current version. */
  readonly upcast?: Upcast;
}

/** Envelope values an aggregate's `apply` may read (correlation, causation and metadata are refused there). */
export type ApplyEnvelope = 'aggregateId' | 'occurredAt' | 'version' | 'eventId';
export const applyEnvelopes: readonly ApplyEnvelope[] = ['aggregateId', 'occurredAt', 'version', 'eventId'];

/** A value read when an event is applied or mapped: a payload path, an envelope field, a constant. */
export type ValueSource =
  | { readonly kind: 'event'; readonly path: readonly string[] }
  | { readonly kind: 'envelope'; readonly field: ApplyEnvelope }
  | { readonly kind: 'const'; readonly value: Json };

export interface ApplyRule {
  readonly target: string;
  /** The value set, added or subtracted (for `remove`: the constant `true` written). */
  readonly value: ValueSource;
  /** Absent: set (the short form, or `{ set: … }`). */
  readonly op?: 'add' | 'subtract' | 'remove';
  /** `entry:` the key of the one map entry the rule changes: a required string-like path, `$aggregateId` or `$eventId`. */
  readonly entry?: ValueSource;
  /** Written in the long form `{ set: value }` (a set rule without entry only). */
  readonly longForm?: boolean;
}

/**
 * What the harness's hand-written `on<Event>` handler does (events without `apply`): each patch
 * sets one state field, deterministically from the payload, the context or the current state.
 */
export type HandlerPatch =
  | { readonly target: string; readonly kind: 'payload'; readonly field: string; readonly fallback?: Json }
  | { readonly target: string; readonly kind: 'context'; readonly field: 'version' | 'aggregateId' | 'occurredAt' }
  | { readonly target: string; readonly kind: 'const'; readonly value: Json }
  | { readonly target: string; readonly kind: 'count' };

export interface EventModel {
  readonly name: string;
  /** 1..N; the last is current. */
  readonly versions: readonly EventVersion[];
  /** Declarative state changes; absent = a hand-written handler (`handler`). `[]` = `apply: {}`. */
  readonly apply?: readonly ApplyRule[];
  /** The hand-written handler's patches: the handler alone, or after the rules (`handler: true`) when `apply` is given too. */
  readonly handler?: readonly HandlerPatch[];
  readonly description?: string;
}

/** A read-model operand: a value source, or arithmetic over numeric ones (`a * b`). */
export type Operand = ValueSource | { readonly kind: 'computed'; readonly op: '+' | '-' | '*' | '/'; readonly left: Operand; readonly right: Operand };

/** `field: operand` pairs of keyed list operations, in spec order. */
export type ElementValues = readonly (readonly [string, Operand])[];

export type MappingOp =
  | { readonly kind: 'set'; readonly value: Operand }
  | { readonly kind: 'add' | 'subtract' | 'min' | 'max' | 'setOnce' | 'append'; readonly value: Operand }
  | { readonly kind: 'increment'; readonly by: number }
  | { readonly kind: 'upsert'; readonly key: readonly string[]; readonly values: ElementValues; readonly sum: readonly string[]; readonly keep: readonly string[]; readonly each?: readonly string[] }
  | { readonly kind: 'removeBy'; readonly key: ElementValues }
  | { readonly kind: 'decrement'; readonly key: ElementValues; readonly field: string; readonly by?: Operand; readonly removeAtZero: boolean };

export interface MappingRule {
  readonly event: string;
  readonly op: MappingOp;
  /** Written as `from: Event.path` rather than under `on:` (set rules from a path or envelope only). */
  readonly viaFrom: boolean;
}

export interface ReadModelField {
  readonly name: string;
  readonly type: TypeExpr;
  readonly optional: boolean;
  readonly default?: Json;
  readonly index: boolean;
  readonly unique: boolean;
  readonly rules: readonly MappingRule[];
  readonly description?: string;
}

export type KeyBucket = 'hour' | 'day' | 'month' | 'year';

export interface KeySource {
  readonly event: string;
  /** A payload path or an envelope field (never a constant). */
  readonly value: ValueSource;
  readonly bucket?: KeyBucket;
}

export type ReadModelKey =
  | { readonly kind: 'aggregateId'; readonly explicit: boolean }
  /** `key: Event.path[:bucket]`: the read model reacts to that one event. */
  | { readonly kind: 'single'; readonly source: KeySource }
  | { readonly kind: 'map'; readonly sources: readonly KeySource[] };

/** What the harness's custom mapper returns for one (read model, event). */
export type CustomMapperPlan =
  | { readonly kind: 'upsert' }
  /** `unchanged` on even stream versions, else the declarative row. */
  | { readonly kind: 'unchangedOnEvenVersion' }
  /** `delete` when the stream version is a multiple of 3, else the declarative row. */
  | { readonly kind: 'deleteOnEveryThird' }
  /** The declarative row with one integer or number field set to the stream version. */
  | { readonly kind: 'setVersion'; readonly field: string };

export interface ReadModel {
  readonly name: string;
  readonly projection: string;
  readonly mode: 'inline' | 'async';
  /** Write `mode:` even when it is the default. */
  readonly modeExplicit: boolean;
  readonly key: ReadModelKey;
  readonly fields: readonly ReadModelField[];
  readonly deleteOn: readonly string[];
  readonly customOn: readonly string[];
  readonly customMappers: Readonly<Record<string, CustomMapperPlan>>;
  readonly description?: string;
}

export interface AggregateModel {
  readonly name: string;
  readonly idType: 'string' | 'uuid';
  readonly idExplicit: boolean;
  readonly snapshotEvery?: number;
  readonly types: readonly ValueType[];
  readonly state: readonly Field[];
  readonly events: readonly EventModel[];
  readonly readModels: readonly ReadModel[];
  readonly description?: string;
}

/** A read-model file (no `aggregate:`): read models reacting to events of several aggregates, keyed per event. */
export interface ReadModelFile {
  /** File name stem: `domain/<name>.esgen.yaml`. */
  readonly name: string;
  readonly description?: string;
  readonly readModels: readonly ReadModel[];
}

export interface DomainModel {
  readonly seed: number;
  readonly aggregates: readonly AggregateModel[];
  /** Read-model files; absent when the domain has none. */
  readonly readModelFiles?: readonly ReadModelFile[];
}

export function currentVersion(event: EventModel): EventVersion {
  return event.versions.at(-1)!;
}

export function findType(aggregate: AggregateModel, name: string): ValueType {
  const type = aggregate.types.find((t) => t.name === name);
  if (!type) throw new Error(`random domain: ${aggregate.name} has no type ${name}`);
  return type;
}

/** The spec's own notation (`Item[]`, `map<integer>`), for messages and type comparison. */
export function formatTypeExpr(type: TypeExpr): string {
  switch (type.kind) {
    case 'primitive':
    case 'named':
      return type.name;
    case 'list':
      return `${formatTypeExpr(type.element)}[]`;
    case 'map':
      return `map<${formatTypeExpr(type.value)}>`;
  }
}

/** Every event a read model reacts to, in the order the spec mentions them (field rules, delete, custom, key). */
export function readModelEvents(model: ReadModel): string[] {
  const events: string[] = [];
  const mention = (event: string) => {
    if (!events.includes(event)) events.push(event);
  };
  for (const field of model.fields) for (const rule of field.rules) mention(rule.event);
  model.deleteOn.forEach(mention);
  model.customOn.forEach(mention);
  if (model.key.kind === 'single') mention(model.key.source.event);
  if (model.key.kind === 'map') model.key.sources.forEach((source) => mention(source.event));
  return events;
}
