// Entry of `esgen/runtime/admin`: what operators and tools use (the `esgen` CLI is built on it):
// migrations, projection status and repair, rebuilds, bulk import helpers, wiring pieces that
// createEventSourcing assembles for applications. Applications import `esgen/runtime`.
export { DEFAULT_SCHEMA, resolveSchema, assertIdentifier } from './identifiers.js';
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
  verifyDatabase,
  type DatabaseVerification,
  type ReadModelVerification,
  type StoredEventVersion,
  type VerifyOptions,
} from './database-verification.js';
export { PersonalDataVault, type SealedRow, type SealInput } from './personal-data/personal-data-vault.js';
export { notifyAfterCommit, type NotifyAfterCommitOptions } from './store/wake-up.js';
export { bulkEventFromJson, checkEvent as checkImportEvent } from './store/bulk-import.js';
export { replayReadModel } from './projections/apply-events.js';
export { compareCheckpoints, ORIGIN } from './projections/checkpoint.js';
export { createInlineProjector, type InlineProjector, type InlineProjectorOptions } from './projections/inline-projector.js';
export { ensureReadModelIndexes, planReadModelIndexes, type EnsureIndexesResult, type ReadModelIndexPlan } from './projections/read-model-indexes.js';
export type { PositionState, ProjectionErrorRecord } from './projections/projection-positions.js';
export { createEventReplayer, type EventReplayerOptions } from './projections/event-replayer.js';
export { projectionStatus, retryProjection, skipFailedEvent, type ProjectionStatus, type SkipResult, type StatusOptions } from './projections/projection-status.js';
export {
  publisherStatus,
  retryPublisher,
  setPublisherPaused,
  skipPublisherEvent,
  type PublisherControlOptions,
  type PublisherStatus,
  type PublisherWorkerStatus,
} from './publish/publisher-control.js';
