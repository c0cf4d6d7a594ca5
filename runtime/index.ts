// Public entry of `esgen/runtime`: what applications and generated code import. Operator
// functions (migrations, projection admin, rebuilds, bulk import helpers) are in
// `esgen/runtime/admin`; a test pins both lists (test/runtime/public-surface.test.ts).
export * from './contracts.js';
export { AggregateRoot, type RaiseOptions } from './aggregate-root.js';
// Helpers generated code is written with (runtime/codegen).
export * from './codegen/index.js';

// Connecting.
export type { ListenOptions, QueryOptions, QueryResult, SqlClient, SqlExecutor } from './sql-client.js';
export { createPgClient, type PgClientOptions, type PgConnectionLike, type PgPoolLike } from './pg-client.js';
export { createPgliteClient, type PgliteClientOptions } from './pglite-client.js';
export { connect, type ConnectOptions } from './connect.js';
export { DEFAULT_POOL_OPTIONS, type PgPoolOptions } from './pg-pool-options.js';
export type { ReconnectOptions } from './backoff.js';

// One call that opens, migrates and wires everything for an application.
export { createEventSourcing, type EventSourcing, type EventSourcingOptions } from './event-sourcing.js';

// Errors: every code is in the registry (errorCodes), with its meaning and fix.
export { errorCodes, type ErrorCode, type ErrorCodeEntry } from './error-codes.js';
export {
  AggregateNotFound,
  CommitOutcomeUnknown,
  ConcurrencyError,
  ConnectionLost,
  DatabaseUnreachable,
  isConnectionFault,
  QueryTimedOut,
  type TimeoutKind,
  type WriteOutcome,
  DatabaseInUse,
  EsgenError,
  InternalError,
  ComputedValueOutOfRange,
  InvalidAggregateId,
  InvalidArgument,
  InvalidEvent,
  InvalidIdentifier,
  InvalidImport,
  isEsgenError,
  MigrationChecksumMismatch,
  PgliteOpenFailed,
  UnknownAggregateType,
  UnknownEventType,
  type EsgenErrorCode,
  type ExpectedVersion,
  type ImportIssue,
  type InvalidEventIssue,
} from './errors.js';
export {
  InvalidReadModelQuery,
  ProjectionError,
  ProjectionMapperFailed,
  ProjectionNotFailed,
  ProjectionWaitTimedOut,
  ReadModelShapeChanged,
  RebuildConflict,
  UnknownProjection,
  type ProjectionErrorCode,
  type StaleReadModel,
} from './projections/projection-errors.js';
export type { ShapeChangePolicy } from './projections/read-model-shapes.js';

// The event store: the EventStore seam and its PostgreSQL implementation.
export {
  createEventStore,
  PostgresEventStore,
  type AppendEvent,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type EventStoreOptions,
  type EventsByTypeOptions,
  type GlobalPosition,
  type LimitOptions,
  type OnAppend,
  type ReadAllOptions,
  type ReadAllPage,
  type StoredSnapshot,
  type StreamAppend,
  type StreamReadOptions,
} from './store/event-store.js';
export type { ReplayEvent } from './store/stored-event.js';
export type { WakeUp } from './store/wake-up.js';
export type { BulkEvent, BulkImportOptions, BulkImportResult } from './store/bulk-import.js';

// Repositories.
export {
  aggregateDefinition,
  createRepository,
  EventSourcedRepository,
  type RepositoryOptions,
  type RepositoryTarget,
  type RetryOptions,
  type RetryResult,
  type SaveOptions,
} from './repository/event-sourced-repository.js';
export type { RetryBackoff } from './repository/retry-backoff.js';

// Read models: typed queries, in-process workers, subscriptions.
export {
  readModel,
  type FieldCondition,
  type FindOptions,
  type OrderBy,
  type Page,
  type ReadModelQuery,
  type ReadModelQueryOptions,
  type ReadModelRow,
  type SortDirection,
  type Where,
} from './projections/read-model-query.js';
export { createReadModelManager, type BatchReport, type ReadModelManager, type ReadModelManagerOptions } from './projections/read-model-manager.js';
export type { WorkerConnectionEvent, WorkerLogger } from './projections/connection-health.js';
export type { ProjectionLockMode } from './projections/projection-leases.js';
export type { BatchOutcome } from './projections/projection-batch.js';
export type { WaitOptions } from './projections/projection-waits.js';
export type { Checkpoint } from './projections/checkpoint.js';
export { subscribe, type SubscribeOptions, type Subscription, type SubscriptionHandler, type SubscriptionStart } from './projections/subscriptions.js';
export { followEvents, type EventFollower, type FollowEventsOptions } from './projections/follow-events.js';
export type { EventReplayer, RebuildOptions, RebuildProgress, RebuildResult } from './projections/event-replayer.js';

// Personal data: pii fields sealed per data subject, forgotten by deleting a key (docs/personal-data.md).
export { localMasterKey, type MasterKeyProvider, type MasterKeySource } from './personal-data/master-key.js';
export type { PersonalDataOptions } from './personal-data/personal-data-vault.js';
export type { ForgetOptions, ForgetReport, SubjectEvent, SubjectExport } from './personal-data/subject-requests.js';
export { DataKeyUnwrapFailed, InvalidMasterKey, PersonalDataCorrupt, PersonalDataNotConfigured, SubjectForgotten } from './personal-data/personal-data-errors.js';

// Publishing events to a message bus, and typed consumers of them (docs/message-bus.md).
export * from './publish/index.js';
export * from './consume/index.js';
