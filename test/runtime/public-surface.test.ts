/**
 * The public surface, pinned: `esgen/runtime` is what applications and generated code use,
 * `esgen/runtime/admin` what operators and tools use. Adding or removing a name is a decision
 * (update these lists in the same commit); internals never leak into either.
 * Before issue 10 `esgen/runtime` exported 185 names (76 values); after it 151 (54 values) plus 37
 * in `esgen/runtime/admin` (21 values). The connection faults and pool options (issue 10) and the
 * message bus (issue 14) brought them to 201 (77 values) and 44 (25 values); the generated typed
 * consumers (issue 14, spec-level `publish`) to 205 (79 values); personal data (issue 15) adds 15
 * (6 values: five errors and localMasterKey) to `esgen/runtime` and 3 (1 value: PersonalDataVault,
 * for workers wired by hand) to `esgen/runtime/admin`. The read-model operations of issue 12 add 11
 * (10 values: setOnce, plus/minus/times/dividedBy, upsertBy/upsertEach/removeBy/decrementBy and
 * ComputedValueOutOfRange; the type ElementRule).
 */
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as admin from 'esgen/runtime/admin';
import * as application from 'esgen/runtime';
import { repoRoot } from '../codegen/codegen-support.js';

const applicationNames = [
    'AggregateClass', 'AggregateConsumerOptions', 'AggregateDefinition', 'AggregateNotFound', 'AggregateRoot',
    'AggregateRootLike', 'AggregateSpec', 'AggregateSpecInput', 'AppendEvent', 'AppendOptions', 'AppendResult',
    'Appliers', 'BatchOutcome', 'BatchReport', 'BulkEvent', 'BulkImportOptions', 'BulkImportResult', 'Check',
    'Checkpoint', 'CommitOutcomeUnknown', 'ComputedValueOutOfRange', 'ConcurrencyError', 'ConnectOptions',
    'ConnectionLost', 'ConsumableAggregate', 'DEFAULT_POOL_OPTIONS', 'DataKeyUnwrapFailed', 'DatabaseInUse',
    'DatabaseUnreachable', 'DedupStore', 'DefinedAggregate', 'DomainEvent', 'EVENT_HEADERS', 'ElementRule',
    'Envelopes', 'ErrorCode', 'ErrorCodeEntry', 'EsgenError', 'EsgenErrorCode', 'EventCatalog', 'EventConsumer',
    'EventConsumerOptions', 'EventContext', 'EventDefinition', 'EventEnvelope', 'EventFollower', 'EventHandlers',
    'EventMetadata', 'EventOf', 'EventPublisher', 'EventReplayer', 'EventSourcedRepository', 'EventSourcing',
    'EventSourcingOptions', 'EventSpec', 'EventStore', 'EventStoreOptions', 'EventsByTypeOptions', 'ExpectedVersion',
    'FieldChecks', 'FieldCondition', 'FindOptions', 'FollowEventsOptions', 'ForgetOptions', 'ForgetReport',
    'GlobalPosition', 'HandlerContext', 'ImportIssue', 'IncomingMessage', 'IndexDefinition', 'IndexedFieldType',
    'InternalError', 'InvalidAggregateId', 'InvalidArgument', 'InvalidEvent', 'InvalidEventIssue',
    'InvalidIdentifier', 'InvalidImport', 'InvalidMasterKey', 'InvalidPublishedEvent', 'InvalidPublisherConfig',
    'InvalidReadModelQuery', 'JetStreamPublisherOptions', 'LimitOptions', 'ListenOptions', 'MasterKeyProvider',
    'MasterKeySource', 'MigrationChecksumMismatch', 'NatsPublisherSettings', 'OnAppend', 'OptionalField', 'OrderBy',
    'OutgoingMessage', 'Page', 'Patch', 'PendingEvent', 'PersonalDataCorrupt', 'PersonalDataNotConfigured',
    'PersonalDataOptions', 'PersonalDataSpec', 'PgClientOptions', 'PgConnectionLike', 'PgPoolLike', 'PgPoolOptions',
    'PgliteClientOptions', 'PgliteOpenFailed', 'PiiValue', 'PostgresDedupStore', 'PostgresDedupStoreOptions',
    'PostgresEventStore', 'ProjectionChange', 'ProjectionError', 'ProjectionErrorCode', 'ProjectionLockMode',
    'ProjectionMapperFailed', 'ProjectionNotFailed', 'ProjectionWaitTimedOut', 'PublishError', 'PublishFailed',
    'PublishReport', 'PublishedEvent', 'Publisher', 'PublisherNotFailed', 'PublisherOptions',
    'PublisherStreamMismatch', 'QueryOptions', 'QueryResult', 'QueryTimedOut', 'RaiseOptions', 'ReadAllOptions',
    'ReadAllPage', 'ReadModelDefinition', 'ReadModelManager', 'ReadModelManagerOptions', 'ReadModelQuery',
    'ReadModelQueryOptions', 'ReadModelRow', 'ReadModelShapeChanged', 'ReadModelSpec', 'RebuildConflict',
    'RebuildOptions', 'RebuildProgress', 'RebuildResult', 'ReconnectOptions', 'Registry', 'ReplayEvent',
    'RepositoryOptions', 'RepositoryTarget', 'RetryBackoff', 'RetryOptions', 'RetryResult', 'SaveOptions',
    'SendResult', 'ShapeChangePolicy', 'SortDirection', 'SpecAggregate', 'SqlClient', 'SqlExecutor', 'StaleReadModel',
    'StoredEventRow', 'StoredSnapshot', 'StreamAppend', 'StreamReadOptions', 'StreamSettings', 'SubjectEvent',
    'SubjectExport', 'SubjectForgotten', 'SubscribeOptions', 'Subscription', 'SubscriptionHandler',
    'SubscriptionStart', 'TimeBucket', 'TimeoutKind', 'UnknownAggregateType', 'UnknownEventType', 'UnknownProjection',
    'UnknownPublisher', 'ValidationIssue', 'ValidationResult', 'WaitOptions', 'WakeUp', 'Where',
    'WorkerConnectionEvent', 'WorkerLogger', 'WriteOutcome', 'add', 'addToEntry', 'aggregateDefinition', 'append', 'appendAll',
    'check', 'connect', 'createEventConsumer', 'createEventSourcing', 'createEventStore', 'createJetStreamPublisher',
    'createMemoryDedupStore', 'createNatsPublisher', 'createPgClient', 'createPgliteClient',
    'createPostgresDedupStore', 'createPublisher', 'createReadModelManager', 'createRepository', 'decodeEvent',
    'decrementBy', 'defineAggregate', 'defineAggregateConsumer', 'defineEvent', 'defineReadModel', 'defineRegistry',
    'dividedBy', 'errorCodes', 'eventSubject', 'followEvents', 'isConnectionFault', 'isEsgenError', 'keyText',
    'localMasterKey', 'max', 'min', 'minus', 'patched', 'plus', 'pointer', 'readModel', 'removeBy', 'removeEntry', 'setEntry', 'setOnce',
    'subjectOf', 'subscribe', 'subtract', 'subtractFromEntry', 'timeBucket', 'times', 'toOutgoingMessage', 'upsertBy', 'upsertEach', 'utc',
    'validateWith',
];

const adminNames = [
    'AppliedMigration', 'DEFAULT_SCHEMA', 'DatabaseVerification', 'EnsureIndexesResult', 'EventReplayerOptions', 'InlineProjector',
    'InlineProjectorOptions', 'MigrateOptions', 'MigrateResult', 'Migration', 'MigrationStatus',
    'NotifyAfterCommitOptions', 'ORIGIN', 'PersonalDataVault', 'PositionState', 'ProjectionErrorRecord',
    'ProjectionStatus', 'PublisherControlOptions', 'PublisherStatus', 'PublisherWorkerStatus', 'ReadModelIndexPlan',
    'ReadModelVerification', 'SealInput', 'SealedRow', 'SkipResult', 'StatusOptions', 'StoredEventVersion',
    'VerifyOptions', 'assertIdentifier', 'bulkEventFromJson', 'checkImportEvent', 'compareCheckpoints',
    'createEventReplayer', 'createInlineProjector', 'ensureReadModelIndexes', 'eventsChannel', 'migrate',
    'migrationChecksum', 'migrationStatus', 'migrations', 'notifyAfterCommit', 'planReadModelIndexes',
    'projectionStatus', 'publisherStatus', 'replayReadModel', 'resolveSchema', 'retryProjection', 'retryPublisher',
    'setPublisherPaused', 'skipFailedEvent', 'skipPublisherEvent', 'verifyDatabase',
];

const testingNames = [
    'AggregateOutcome', 'AggregateScenario', 'ReadModelScenario', 'ReadModelScenarioEvent', 'ScenarioAggregateClass',
    'ScenarioEvent', 'ScenarioFailed', 'given',
];

/** Every exported name of an entry, types included, as the compiler sees it. */
function exportedNames(entries: readonly string[]): Map<string, string[]> {
  const files = entries.map((entry) => join(repoRoot, entry));
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  return new Map(
    entries.map((entry, index) => {
      const symbol = checker.getSymbolAtLocation(program.getSourceFile(files[index]!)!)!;
      return [entry, checker.getExportsOfModule(symbol).map((exported) => exported.name).sort()];
    }),
  );
}

describe('the public runtime surface', () => {
  const names = exportedNames(['runtime/index.ts', 'runtime/admin.ts', 'runtime/testing/index.ts']);

  it('esgen/runtime exports exactly what applications and generated code use', () => {
    expect(names.get('runtime/index.ts')).toEqual(applicationNames);
  });

  it('esgen/runtime/admin exports exactly the operator functions', () => {
    expect(names.get('runtime/admin.ts')).toEqual(adminNames);
  });

  it('esgen/testing exports exactly the given/when/then kit', () => {
    expect(names.get('runtime/testing/index.ts')).toEqual(testingNames);
  });

  it('keeps the runtime values of both entries apart and internals out', () => {
    const values = Object.keys(application);
    const operatorValues = Object.keys(admin);
    expect(values.filter((name) => operatorValues.includes(name))).toEqual([]);
    for (const internal of ['quoteIdentifier', 'shadowName', 'indexName', 'projectionContext', 'readFeedPage', 'assertAggregateId', 'acceptedRange', 'checkStream']) {
      expect(values).not.toContain(internal);
      expect(operatorValues).not.toContain(internal);
    }
    for (const operator of ['migrate', 'projectionStatus', 'createEventReplayer', 'retryProjection', 'skipFailedEvent', 'ensureReadModelIndexes']) {
      expect(values).not.toContain(operator);
      expect(operatorValues).toContain(operator);
    }
  });
});
