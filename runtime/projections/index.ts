// Read models: storage, inline and asynchronous projections, rebuilds, subscriptions, queries.
export { replayReadModel } from './apply-events.js';
export { compareCheckpoints, ORIGIN, type Checkpoint } from './checkpoint.js';
export { createInlineProjector, type InlineProjector, type InlineProjectorOptions } from './inline-projector.js';
export { ensureReadModelIndexes, indexName, planReadModelIndexes, type EnsureIndexesResult, type ReadModelIndexPlan } from './read-model-indexes.js';
export { createReadModelManager, type BatchReport, type ReadModelManager, type ReadModelManagerOptions } from './read-model-manager.js';
export type { WorkerConnectionEvent, WorkerLogger } from './connection-health.js';
export type { ProjectionLockMode } from './projection-leases.js';
export type { BatchOutcome } from './projection-batch.js';
export type { PositionState, ProjectionErrorRecord } from './projection-positions.js';
export type { WaitOptions } from './projection-waits.js';
export {
  InvalidReadModelQuery,
  ProjectionError,
  ProjectionMapperFailed,
  ProjectionNotFailed,
  ProjectionWaitTimedOut,
  RebuildConflict,
  UnknownProjection,
  type ProjectionErrorCode,
} from './projection-errors.js';
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
} from './read-model-query.js';
export {
  createEventReplayer,
  shadowName,
  type EventReplayer,
  type EventReplayerOptions,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildResult,
} from './event-replayer.js';
export { subscribe, type SubscribeOptions, type Subscription, type SubscriptionHandler, type SubscriptionStart } from './subscriptions.js';
export { projectionStatus, retryProjection, skipFailedEvent, type ProjectionStatus, type SkipResult, type StatusOptions } from './projection-status.js';
