/**
 * The public surface, pinned: `esgen/runtime` is what applications and generated code use,
 * `esgen/runtime/admin` what operators and tools use. Adding or removing a name is a decision
 * (update these lists in the same commit); internals never leak into either.
 * Before issue 10 `esgen/runtime` exported 185 names (76 values); now 164 (60 values: the connection
 * faults and pool options joined) plus 37 in `esgen/runtime/admin` (21 values).
 */
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as admin from 'esgen/runtime/admin';
import * as application from 'esgen/runtime';
import { repoRoot } from '../codegen/codegen-support.js';

const applicationNames = [
    'AggregateClass', 'AggregateDefinition', 'AggregateNotFound', 'AggregateRoot', 'AggregateRootLike', 'AggregateSpec',
    'AggregateSpecInput', 'AppendEvent', 'AppendOptions', 'AppendResult', 'Appliers', 'BatchOutcome', 'BatchReport',
    'BulkEvent', 'BulkImportOptions', 'BulkImportResult', 'Check', 'Checkpoint', 'CommitOutcomeUnknown',
    'ConcurrencyError', 'ConnectOptions', 'ConnectionLost', 'DEFAULT_POOL_OPTIONS', 'DatabaseInUse',
    'DatabaseUnreachable', 'DefinedAggregate', 'DomainEvent', 'Envelopes', 'ErrorCode', 'ErrorCodeEntry', 'EsgenError',
    'EsgenErrorCode', 'EventContext', 'EventDefinition', 'EventEnvelope', 'EventMetadata', 'EventOf', 'EventReplayer',
    'EventSourcedRepository', 'EventSourcing', 'EventSourcingOptions', 'EventSpec', 'EventStore', 'EventStoreOptions',
    'EventsByTypeOptions', 'ExpectedVersion', 'FieldChecks', 'FieldCondition', 'FindOptions', 'GlobalPosition',
    'ImportIssue', 'IndexDefinition', 'IndexedFieldType', 'InternalError', 'InvalidAggregateId', 'InvalidArgument',
    'InvalidEvent', 'InvalidEventIssue', 'InvalidIdentifier', 'InvalidImport', 'InvalidReadModelQuery', 'LimitOptions',
    'ListenOptions', 'MigrationChecksumMismatch', 'OnAppend', 'OptionalField', 'OrderBy', 'Page', 'Patch',
    'PendingEvent', 'PgClientOptions', 'PgConnectionLike', 'PgPoolLike', 'PgPoolOptions', 'PgliteClientOptions',
    'PgliteOpenFailed', 'PostgresEventStore', 'ProjectionChange', 'ProjectionError', 'ProjectionErrorCode',
    'ProjectionLockMode', 'ProjectionMapperFailed', 'ProjectionNotFailed', 'ProjectionWaitTimedOut', 'QueryOptions',
    'QueryResult', 'QueryTimedOut', 'RaiseOptions', 'ReadAllOptions', 'ReadAllPage', 'ReadModelDefinition',
    'ReadModelManager', 'ReadModelManagerOptions', 'ReadModelQuery', 'ReadModelQueryOptions', 'ReadModelRow',
    'ReadModelSpec', 'RebuildConflict', 'RebuildOptions', 'RebuildProgress', 'RebuildResult', 'ReconnectOptions',
    'Registry', 'ReplayEvent', 'RepositoryOptions', 'RepositoryTarget', 'RetryBackoff', 'RetryOptions', 'RetryResult',
    'SaveOptions', 'SortDirection', 'SpecAggregate', 'SqlClient', 'SqlExecutor', 'StoredSnapshot', 'StreamAppend',
    'StreamReadOptions', 'SubscribeOptions', 'Subscription', 'SubscriptionHandler', 'SubscriptionStart', 'TimeBucket',
    'TimeoutKind', 'UnknownAggregateType', 'UnknownEventType', 'UnknownProjection', 'ValidationIssue',
    'ValidationResult', 'WaitOptions', 'WakeUp', 'Where', 'WorkerConnectionEvent', 'WorkerLogger', 'WriteOutcome',
    'add', 'aggregateDefinition', 'append', 'appendAll', 'check', 'connect', 'createEventSourcing', 'createEventStore',
    'createPgClient', 'createPgliteClient', 'createReadModelManager', 'createRepository', 'defineAggregate',
    'defineEvent', 'defineReadModel', 'defineRegistry', 'errorCodes', 'isConnectionFault', 'isEsgenError', 'keyText',
    'max', 'min', 'patched', 'pointer', 'readModel', 'subscribe', 'subtract', 'timeBucket', 'utc', 'validateWith',
];

const adminNames = [
    'AppliedMigration', 'DEFAULT_SCHEMA', 'EnsureIndexesResult', 'EventReplayerOptions', 'InlineProjector',
    'InlineProjectorOptions', 'MigrateOptions', 'MigrateResult', 'Migration', 'MigrationStatus',
    'NotifyAfterCommitOptions', 'ORIGIN', 'PositionState', 'ProjectionErrorRecord', 'ProjectionStatus',
    'ReadModelIndexPlan', 'SkipResult', 'StatusOptions', 'assertIdentifier', 'bulkEventFromJson', 'checkImportEvent',
    'compareCheckpoints', 'createEventReplayer', 'createInlineProjector', 'ensureReadModelIndexes', 'eventsChannel',
    'migrate', 'migrationChecksum', 'migrationStatus', 'migrations', 'notifyAfterCommit', 'planReadModelIndexes',
    'projectionStatus', 'replayReadModel', 'resolveSchema', 'retryProjection', 'skipFailedEvent',
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
  const names = exportedNames(['runtime/index.ts', 'runtime/admin.ts']);

  it('esgen/runtime exports exactly what applications and generated code use', () => {
    expect(names.get('runtime/index.ts')).toEqual(applicationNames);
  });

  it('esgen/runtime/admin exports exactly the operator functions', () => {
    expect(names.get('runtime/admin.ts')).toEqual(adminNames);
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
