/**
 * The intermediate representation (IR) of a domain: the only thing stages after validation read.
 *
 * Every node is a plain, deeply readonly object with a `kind` tag. The loader fills it from YAML
 * after validation succeeded, so emitters may assume every reference resolves.
 * Order is meaningful and stable: lists keep the order of the spec files (files sorted by path,
 * entries in document order), which is what keeps generated output byte-identical.
 */

/** Where a node came from, for diagnostics raised after the IR was built. Lines and columns are 1-based. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export type PrimitiveName = 'string' | 'integer' | 'number' | 'boolean' | 'uuid' | 'datetime' | 'date' | 'json';

/** A type expression: `string`, `OrderItem`, `OrderItem[]`, `map<integer>`. Optionality lives on the field. */
export type TypeRef =
  | { readonly kind: 'primitive'; readonly name: PrimitiveName }
  /** A value type or enum declared in `types:` of the same aggregate file. */
  | { readonly kind: 'named'; readonly name: string }
  | { readonly kind: 'array'; readonly element: TypeRef }
  /** A string-keyed map. */
  | { readonly kind: 'map'; readonly value: TypeRef };

export interface FieldDef {
  readonly kind: 'field';
  readonly name: string;
  readonly type: TypeRef;
  /** `T?` or `{ optional: true }`: the property may be absent. */
  readonly optional: boolean;
  /** Personal data, for crypto-shredding. */
  readonly pii: boolean;
  /** With `pii`: the value reads return once the subject is forgotten; absent = the type's empty value. */
  readonly redacted?: JsonValue;
  /** Initial value (state and read-model fields); absent when none was given. */
  readonly default?: JsonValue;
  readonly description?: string;
  readonly loc: SourceLocation;
}

export type ValueTypeDef =
  | {
      readonly kind: 'record';
      readonly name: string;
      readonly fields: readonly FieldDef[];
      readonly description?: string;
      readonly loc: SourceLocation;
    }
  | {
      readonly kind: 'enum';
      readonly name: string;
      readonly values: readonly string[];
      readonly description?: string;
      readonly loc: SourceLocation;
    };

/** One declarative operation taking version N of a payload to version N+1. */
export type UpcastOp =
  | { readonly kind: 'add'; readonly field: string; readonly value: JsonValue }
  | { readonly kind: 'rename'; readonly from: string; readonly to: string }
  | { readonly kind: 'remove'; readonly field: string };

/** How version N becomes N+1: declarative ops (applied in order), or a user-written TypeScript function. */
export type UpcastStep =
  | { readonly kind: 'declarative'; readonly ops: readonly UpcastOp[]; readonly loc: SourceLocation }
  | { readonly kind: 'custom'; readonly loc: SourceLocation };

export interface EventVersionDef {
  readonly kind: 'eventVersion';
  /** 1..N; the last one is the current version. */
  readonly version: number;
  readonly fields: readonly FieldDef[];
  /** The step to version + 1. Absent exactly on the current version. */
  readonly upcast?: UpcastStep;
  /** `draft: true`: work in progress, not locked in esgen.lock yet (absent when not a draft). */
  readonly draft?: true;
  /**
   * `retired: true` on a history version: no stored event of it remains, so nothing reads it any
   * more (no fields, no upcast; the generated code refuses such a payload). Only the oldest
   * versions can be retired: every older version's upcast path goes through it.
   */
  readonly retired?: true;
  readonly loc: SourceLocation;
}

/**
 * A value read from an event when applying it. `event` reads the payload (path into nested
 * records), `envelope` reads the stored envelope, `metadata` reads a key of user metadata,
 * `const` is a literal.
 */
export type ValueExpr =
  | { readonly kind: 'event'; readonly path: readonly string[] }
  | { readonly kind: 'envelope'; readonly field: EnvelopeField }
  | { readonly kind: 'metadata'; readonly key: string }
  | { readonly kind: 'const'; readonly value: JsonValue }
  /**
   * `unitPrice * quantity`, `(price - discount) * quantity`: arithmetic over numbers (read-model
   * operands only). Absent when an operand is absent or a divisor is zero.
   */
  | { readonly kind: 'computed'; readonly op: ArithmeticOp; readonly left: ValueExpr; readonly right: ValueExpr };

export type ArithmeticOp = '+' | '-' | '*' | '/';

/** `$aggregateId`, `$occurredAt`, …: the rows of generator/ops/envelope-fields.ts. */
export type { EnvelopeField } from '../ops/envelope-fields.js';
import type { EnvelopeField } from '../ops/envelope-fields.js';
import type { OperandOpName } from '../ops/mapping-ops.js';

/**
 * `apply: { status: paid }`: set a state field from an event when it is applied. The long form
 * `{ entry: event.sku, add: event.quantity }` changes one entry of a `map<T>` state field, and
 * `{ add: event.amount }` / `{ subtract: … }` change a numeric field by a value.
 */
export interface ApplyRule {
  readonly kind: 'applyRule';
  readonly target: string;
  /** What the rule does (absent: `set`, the short form). `remove` deletes one map entry. */
  readonly op?: ApplyOpName;
  /** `entry: event.sku`: the key of the one map entry the rule changes (absent: the whole field). */
  readonly entry?: ValueExpr;
  /** The value set, added or subtracted; for `remove`, the `true` written. */
  readonly value: ValueExpr;
  readonly loc: SourceLocation;
}

/** The operations of the long form of an apply rule (`set` is also the short form's). */
export type ApplyOpName = 'set' | 'add' | 'subtract' | 'remove';

export interface EventDef {
  readonly kind: 'event';
  /** TypeScript name and the stored `event_type`: unique across all aggregates. */
  readonly name: string;
  readonly aggregate: string;
  /** The current version (= versions.length). */
  readonly version: number;
  /** Every version, ascending from 1; the last is current. */
  readonly versions: readonly EventVersionDef[];
  /** Declarative state changes; absent when the user writes `on<Event>` in TypeScript. */
  readonly apply?: readonly ApplyRule[];
  /** `handler: true`: the user's `on<Event>` runs too, after the `apply` rules (without rules it is the only applier anyway: ESG167). */
  readonly handler?: true;
  /** `publish:` as written on the event (absent: the aggregate's decides); see typed IR `visibility`. */
  readonly publish?: boolean;
  /** Whose personal data the `pii` fields are (docs/personal-data.md); absent when not declared. */
  readonly subject?: SubjectDef;
  readonly description?: string;
  readonly loc: SourceLocation;
}

/**
 * `subject: event.userId` or `subject: $aggregateId`: the value identifying the data subject of an
 * event, read from the current version's payload (or the envelope) when the event is appended.
 */
export interface SubjectDef {
  readonly kind: 'subject';
  readonly value: ValueExpr;
  readonly loc: SourceLocation;
}

/**
 * How a read-model field changes when one event arrives: an operation of
 * generator/ops/mapping-ops.ts (`set` for `from:` and constants) with a value read from the
 * event, or `increment` by a constant.
 */
export type MappingOp = { readonly kind: OperandOpName; readonly value: ValueExpr } | { readonly kind: 'increment'; readonly by: number } | KeyedListOp;

/**
 * An operation on a list of records by key fields (`lines: OrderLine[]`):
 * `upsert` inserts an element or merges into the one with the same key fields (given fields
 * replace, `sum` fields add, `keep` fields keep the existing value); `removeBy` removes the
 * elements whose fields equal the key values; `decrement` subtracts from one number field of the
 * matching elements, removing them at zero or below when `removeAtZero`.
 */
export type KeyedListOp =
  | {
      readonly kind: 'upsert';
      readonly key: readonly string[];
      readonly values: readonly ElementValue[];
      readonly sum: readonly string[];
      readonly keep: readonly string[];
      /** `each: items`: upsert one element per entry of this list of records in the payload; `values` paths read the entry. */
      readonly each?: readonly string[];
    }
  | { readonly kind: 'removeBy'; readonly key: readonly ElementValue[] }
  | { readonly kind: 'decrement'; readonly key: readonly ElementValue[]; readonly field: string; readonly by: ElementValue; readonly removeAtZero: boolean };

/** A field of a list element and the value read from the event for it (`sku: sku` in `values` or `key`). */
export interface ElementValue {
  readonly kind: 'elementValue';
  readonly field: string;
  readonly value: ValueExpr;
  readonly loc: SourceLocation;
}

export interface MappingRule {
  readonly kind: 'mappingRule';
  readonly event: string;
  readonly op: MappingOp;
  readonly loc: SourceLocation;
}

export interface ReadModelFieldDef {
  readonly kind: 'readModelField';
  readonly name: string;
  readonly type: TypeRef;
  readonly optional: boolean;
  readonly default?: JsonValue;
  /** Expression index on data->>name, partial to the projection. */
  readonly index: boolean;
  readonly unique: boolean;
  /** Rules in spec order; at most one rule per event per field. */
  readonly rules: readonly MappingRule[];
  readonly description?: string;
  readonly loc: SourceLocation;
}

export type KeyBucket = 'hour' | 'day' | 'month' | 'year';

/**
 * Which row an event goes to. `aggregateId` is the default (one row per aggregate).
 * `computed`: for each listed event, the row id is computed from a value of that event,
 * optionally truncated to a time bucket (UTC), e.g. `OrderCreated.$occurredAt:day`.
 * Events not listed do not touch the read model.
 */
export type ReadModelKey =
  | { readonly kind: 'aggregateId' }
  | {
      readonly kind: 'computed';
      readonly sources: readonly { readonly event: string; readonly value: ValueExpr; readonly bucket?: KeyBucket }[];
      readonly loc: SourceLocation;
    };

export interface ReadModelDef {
  readonly kind: 'readModel';
  readonly name: string;
  /**
   * The aggregate whose file declares it, and whose events alone it reads. Absent for a read model
   * of a read-model file (no `aggregate:`): it reads events of any aggregates, each found by its
   * `key` (see readModelSources).
   */
  readonly aggregate?: string;
  /** projection_name in the shared projections table: a safe SQL identifier, unique. */
  readonly projection: string;
  /** inline: updated in the append's transaction; async: by the projection worker. */
  readonly mode: 'inline' | 'async';
  readonly key: ReadModelKey;
  readonly fields: readonly ReadModelFieldDef[];
  /** Events that delete the row. */
  readonly deleteOn: readonly string[];
  /** Events handled by a user-written mapper (a user-owned TypeScript function) after the declarative rules. */
  readonly customOn: readonly string[];
  /** Every event this read model reacts to, in spec order of first mention. */
  readonly events: readonly string[];
  readonly description?: string;
  readonly loc: SourceLocation;
}

export interface AggregateDef {
  readonly kind: 'aggregate';
  readonly name: string;
  /** The spec file, relative to the config's folder, with forward slashes. */
  readonly file: string;
  readonly idType: TypeRef;
  /** Take a snapshot every N events; absent = never. */
  readonly snapshotEvery?: number;
  readonly types: readonly ValueTypeDef[];
  readonly state: readonly FieldDef[];
  readonly events: readonly EventDef[];
  readonly readModels: readonly ReadModelDef[];
  /** `publish:` as written on the aggregate: the default of its events (absent = internal). */
  readonly publish?: boolean;
  /** Events marked `retired: true`: nothing is generated for them; their locked versions stay in esgen.lock. Absent when none. */
  readonly retiredEvents?: readonly RetiredEventDef[];
  readonly description?: string;
  readonly loc: SourceLocation;
}

/** An event type no longer raised or read (`retired: true`). */
export interface RetiredEventDef {
  readonly kind: 'retiredEvent';
  readonly name: string;
  readonly loc: SourceLocation;
}

export interface DomainIR {
  readonly kind: 'domain';
  /** Sorted by file path. */
  readonly aggregates: readonly AggregateDef[];
  /**
   * Read models declared in read-model files (files without `aggregate:`), reacting to events of
   * several aggregates; in file order. Absent when there are none.
   */
  readonly readModels?: readonly ReadModelDef[];
}
