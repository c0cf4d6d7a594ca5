// Public entry of `esgen/runtime`: what generated code and applications import.
export * from './contracts.js';
export { AggregateRoot, type RaiseOptions } from './aggregate-root.js';
// Helpers generated code is written with (runtime/codegen).
export * from './codegen/index.js';
export type { QueryOptions, QueryResult, SqlClient, SqlExecutor } from './sql-client.js';
export { createPgClient, type PgClientOptions, type PgConnectionLike, type PgPoolLike } from './pg-client.js';
export { createPgliteClient, PgliteOpenFailed, type PgliteClientOptions } from './pglite-client.js';
export { connect, type ConnectOptions } from './connect.js';

// Event store, repository and schema (issue 4).
export {
  AggregateNotFound,
  ConcurrencyError,
  DatabaseInUse,
  InvalidAggregateId,
  EsgenError,
  InvalidArgument,
  InvalidEvent,
  InvalidIdentifier,
  InvalidImport,
  isEsgenError,
  MigrationChecksumMismatch,
  UnknownAggregateType,
  UnknownEventType,
  type EsgenErrorCode,
  type ExpectedVersion,
  type ImportIssue,
  type InvalidEventIssue,
} from './errors.js';
export { assertIdentifier, quoteIdentifier, resolveSchema, DEFAULT_SCHEMA } from './identifiers.js';
export { migrations, migrationChecksum, type Migration } from './migrations/index.js';
export {
  migrate,
  migrationStatus,
  type AppliedMigration,
  type MigrateOptions,
  type MigrateResult,
  type MigrationStatus,
} from './migrations/migrate.js';
export { eventsChannel } from './store/notify-channel.js';
export {
  createEventStore,
  PostgresEventStore,
  type AppendEvent,
  type AppendOptions,
  type AppendResult,
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
export { bulkEventFromJson, checkEvent as checkImportEvent, type BulkEvent, type BulkImportOptions, type BulkImportResult } from './store/bulk-import.js';
export { notifyAfterCommit, type NotifyAfterCommitOptions, type WakeUp } from './store/wake-up.js';
export {
  aggregateDefinition,
  createRepository,
  EventSourcedRepository,
  type RepositoryTarget,
  type RepositoryOptions,
  type RetryOptions,
  type RetryResult,
  type SaveOptions,
} from './repository/event-sourced-repository.js';

// Read models: projections, rebuilds, subscriptions, typed queries (issue 5).
export * from './projections/index.js';

// Publishing events to a message bus, and typed consumers of them (issue 14).
export * from './publish/index.js';
export * from './consume/index.js';

// One call that opens, migrates and wires everything for an application.
export { createEventSourcing, type EventSourcing, type EventSourcingOptions } from './event-sourcing.js';
