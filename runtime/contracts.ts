/**
 * The contract between generated code and the runtime: event shapes, the envelope, and the
 * registry that generated code hands to the runtime. Generated code imports only from here
 * (through `esgen/runtime`), so changing a name here is a breaking change for every user.
 */

/** An event as business code sees it: a type tag and its payload at the current version. */
export interface DomainEvent<TType extends string = string, TData = unknown> {
  readonly type: TType;
  readonly data: TData;
}

/** Free-form, JSON-serialisable user metadata stored with an event. */
export type EventMetadata = Readonly<Record<string, unknown>>;

/** Everything stored around a payload, available to apply handlers and read-model mappers. */
export interface EventContext {
  readonly eventId: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** Position in the aggregate's stream, 1-based. */
  readonly version: number;
  readonly occurredAt: Date;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  readonly metadata: EventMetadata;
}

/**
 * A stored event read back from the store, upcast to the current payload version.
 * `position` is the global position (events.global_position); `transactionId` is the id of the
 * transaction that committed it. Global order is (transactionId, position): see readAllAfter.
 */
export interface EventEnvelope<TType extends string = string, TData = unknown> extends EventContext {
  readonly type: TType;
  readonly data: TData;
  /** Payload version as stored, before upcasting. */
  readonly storedVersion: number;
  readonly position: bigint;
  readonly transactionId: bigint;
}

/** Result of a generated payload validator: the first failing field, named by JSON path. */
export type ValidationResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly errors: readonly ValidationIssue[] };

export interface ValidationIssue {
  /** JSON pointer of the offending value in the payload, '' for the payload itself. */
  readonly path: string;
  readonly message: string;
}

export interface EventDefinition {
  /** The stored event_type (= the event's name in the spec). */
  readonly type: string;
  readonly aggregateType: string;
  /** Current payload version. */
  readonly version: number;
  /** Validates a payload of the given stored version (1..version). Unknown versions are invalid. */
  readonly validate: (version: number, data: unknown) => ValidationResult;
  /** Takes a payload of any stored version to the current version. Identity for the current one. */
  readonly upcast: (fromVersion: number, data: unknown) => unknown;
  /** Names of fields marked `pii: true` in the current version. */
  readonly piiFields: readonly string[];
  /**
   * The spec's `publish:` (the event's own, else its aggregate's). true: a public event, published
   * to the message bus; false: internal on purpose, never published; absent: the spec says nothing
   * (internal once any event of the registry is public). See docs/message-bus.md.
   */
  readonly publish?: boolean;
  /** Where the event's personal data sits and whose it is; absent when it has none (docs/personal-data.md). */
  readonly personalData?: PersonalDataSpec;
}

/** An event's personal data, as the generated registry declares it. */
export interface PersonalDataSpec {
  /** The data subject: a path into the current payload (`['userId']`) or the stream's aggregate id. */
  readonly subject: readonly string[] | '$aggregateId';
  /** Per payload version 1..N, the personal values: encrypted one by one, redacted once forgotten. */
  readonly versions: readonly (readonly PiiValue[])[];
}

/** One personal value: its path in the payload (`*` = every element of a list or value of a map). */
export interface PiiValue {
  readonly path: readonly string[];
  /** What reads return once the subject is forgotten; absent = the property is left out (optional fields). */
  readonly redacted?: unknown;
}

/** What the runtime knows of an aggregate type without its class (the generated registry holds these). */
export interface AggregateSpec {
  /** The stored aggregate_type (= the aggregate's name in the spec). */
  readonly type: string;
  /** The spec's `id` type: with 'uuid' the store refuses other ids. Absent = any non-empty string. */
  readonly idType?: 'string' | 'uuid';
  /** Take a snapshot every N events; undefined = never. */
  readonly snapshotEvery: number | undefined;
  /** Changes whenever the state's shape changes; snapshots with another fingerprint are ignored. */
  readonly stateFingerprint: string;
  readonly eventTypes: readonly string[];
}

/** An aggregate type with a way to create instances: what a repository works with. */
export interface AggregateDefinition<TAggregate extends AggregateRootLike = AggregateRootLike> extends AggregateSpec {
  /** A fresh instance with default state and version 0. */
  readonly create: (id: string) => TAggregate;
}

/** What a mapper decides for one event. */
export type ProjectionChange<TRow> =
  | { readonly kind: 'upsert'; readonly row: TRow }
  | { readonly kind: 'delete' }
  | { readonly kind: 'unchanged' };

/** JSONB cast used by an expression index and by typed queries on a field. */
export type IndexedFieldType = 'text' | 'numeric' | 'boolean' | 'timestamptz';

export interface IndexDefinition<TField extends string = string> {
  readonly field: TField;
  readonly type: IndexedFieldType;
  readonly unique: boolean;
}

/**
 * A read model's definition. `TIndexed` names the fields with an expression index (`index: true`):
 * queries may compare and sort on those; every other scalar field only by equality (docs/read-models.md
 * "Queries"). Generated definitions give it exactly; hand-written ones default to any field.
 */
export interface ReadModelDefinition<TRow = Record<string, unknown>, TIndexed extends string = string> {
  readonly name: string;
  /** projection_name in the shared projections table. */
  readonly projection: string;
  /**
   * The aggregate whose events it reads. Absent for a read model across aggregates (declared in a
   * read-model file): `aggregateTypes` names them. The runtime never filters on either: events
   * reach a read model by `eventTypes` alone, in global commit order, whichever aggregate appended them.
   */
  readonly aggregateType?: string;
  /** Every aggregate whose events it reads (generated read models always give it). */
  readonly aggregateTypes?: readonly string[];
  readonly mode: 'inline' | 'async';
  /** Event types this read model reacts to; the runtime filters on them. */
  readonly eventTypes: readonly string[];
  /**
   * Row id for an event, or undefined when the event does not touch this read model. Called only
   * for events of `eventTypes`.
   */
  readonly keyOf: (event: EventEnvelope) => string | undefined;
  /** Pure: current row (undefined when none) and an event → the change to make. */
  readonly apply: (current: TRow | undefined, event: EventEnvelope) => ProjectionChange<TRow>;
  readonly indexes: readonly IndexDefinition<TIndexed>[];
  /**
   * Every scalar field of the row (strings, enums, dates, numbers, booleans) with the JSON type its
   * value compares as: queries filter on them by equality through the GIN index on `data`. Absent
   * (hand-written definitions): equality on any field, with a JSON scalar value.
   */
  readonly scalars?: Readonly<Record<string, IndexedFieldType>>;
  /** Changes when the mapping rules change: a rebuild is due. */
  readonly fingerprint: string;
}

/** Everything the generated registry module exports as `registry`. */
export interface Registry {
  /** Specs only: instances come from the user's classes (`es.repository(Order)`), so the registry never imports them. */
  readonly aggregates: Readonly<Record<string, AggregateSpec | AggregateDefinition>>;
  readonly events: Readonly<Record<string, EventDefinition>>;
  readonly readModels: Readonly<Record<string, ReadModelDefinition<any>>>;
}

/** The slice of AggregateRoot the runtime relies on (see aggregate-root.ts). */
export interface AggregateRootLike {
  readonly id: string;
  readonly aggregateType: string;
  /** Version including uncommitted events. */
  readonly version: number;
  /** Version as last loaded or saved: the expected version of the next save. */
  readonly persistedVersion: number;
  uncommittedEvents(): readonly PendingEvent[];
  markCommitted(): void;
  replay(event: DomainEvent, context: EventContext): void;
  snapshotState(): unknown;
  restoreSnapshot(state: unknown, version: number): void;
}

/** An event raised but not yet stored. */
export interface PendingEvent {
  readonly event: DomainEvent;
  /** Business time of the event: when it was raised, unless given. */
  readonly occurredAt: Date;
  /** Created when the event was raised (a UUID); stored as its event_id. Absent: the store creates one. */
  readonly eventId?: string;
}
