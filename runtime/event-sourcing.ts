import type { AggregateRootLike, ReadModelDefinition, Registry } from './contracts.js';
import { optionalBoolean, optionalFunction, optionsObject, registryShape, storableString } from './argument-checks.js';
import { connect } from './connect.js';
import type { PgPoolOptions } from './pg-pool-options.js';
import { migrate } from './migrations/migrate.js';
import { createInlineProjector } from './projections/inline-projector.js';
import { createEventReplayer, type EventReplayer } from './projections/event-replayer.js';
import { ensureReadModelIndexes } from './projections/read-model-indexes.js';
import { projectionContext } from './projections/projection-batch.js';
import type { StaleReadModel } from './projections/projection-errors.js';
import { ensureReadModelShapes, markShapesVerified, type ShapeChangePolicy } from './projections/read-model-shapes.js';
import { checkShapeChangePolicy } from './projections/projection-checks.js';
import { createReadModelManager, type ReadModelManager, type ReadModelManagerOptions } from './projections/read-model-manager.js';
import { readModel, type ReadModelQuery } from './projections/read-model-query.js';
import { createRepository, type EventSourcedRepository, type RepositoryOptions, type RepositoryTarget } from './repository/event-sourced-repository.js';
import type { SqlClient } from './sql-client.js';
import { createEventStore, type PostgresEventStore } from './store/event-store.js';
import { createNatsPublisher, type NatsPublisherSettings } from './publish/nats-publisher.js';
import type { Publisher } from './publish/publisher.js';
import { resolveSchema } from './identifiers.js';
import { PersonalDataVault, type PersonalDataOptions } from './personal-data/personal-data-vault.js';
import type { MasterKeySource } from './personal-data/master-key.js';
import { PersonalDataNotConfigured } from './personal-data/personal-data-errors.js';
import { exportSubject, forgetSubject, type ForgetOptions, type ForgetReport, type SubjectExport } from './personal-data/subject-requests.js';

export interface EventSourcingOptions {
  /** The generated registry (`import { registry } from './generated/registry.js'`). */
  readonly registry: Registry;
  /** postgres://… for a server; absent = embedded PGlite (see dataDir). Ignored when `client` is given. */
  readonly databaseUrl?: string;
  /** PGlite data directory; absent = in memory. */
  readonly dataDir?: string;
  /**
   * Size and timeouts of the server pool: max 10 connections, connect 10 s, statement 30 s, query
   * (the client's wait for an answer) statement + 5 s, idle 30 s, idle in transaction 60 s,
   * application_name 'esgen', TCP keep-alive on (docs/runtime.md, "Connections and timeouts").
   */
  readonly pool?: PgPoolOptions;
  /**
   * Named prepared statements on the server (default true). Turn off behind PgBouncer in
   * transaction mode before 1.21, which cannot route them. Ignored when `client` is given (set it
   * on createPgClient) and on PGlite.
   */
  readonly preparedStatements?: boolean;
  /** A client the application already has (e.g. createPgClient({ pool })); it is not closed by close(). */
  readonly client?: SqlClient;
  /** Schema holding esgen's tables; default `public`. */
  readonly schema?: string;
  /** Create or update the tables and read-model indexes on open. Default true. */
  readonly migrate?: boolean;
  readonly repository?: RepositoryOptions;
  /**
   * A read model whose stored rows were built by another mapping or mode (its fingerprint
   * differs): `rebuild` (default) rebuilds it (shadow + swap) before this call returns, one
   * process rebuilding while others starting at the same time wait for its switch; `refuse`
   * throws ReadModelShapeChanged (ESG227). See docs/read-models.md, "When the shape changes".
   */
  readonly onShapeChange?: ShapeChangePolicy;
  /** Called when a read model is rebuilt on open, or waited for while another process rebuilds it. */
  readonly onShapeRebuild?: (stale: StaleReadModel, action: 'rebuilding' | 'waiting') => void;
  /**
   * The master key of personal data (`pii` fields, docs/personal-data.md): an environment
   * variable's name (`{ masterKey: 'ESGEN_MASTER_KEY' }`), a function returning the key, or a
   * KMS-like provider. Required as soon as the registry has events with personal data.
   */
  readonly personalData?: PersonalDataOptions;
}

/** Everything an application needs, wired once: store, repositories, read models. */
export interface EventSourcing {
  readonly client: SqlClient;
  readonly registry: Registry;
  readonly store: PostgresEventStore;
  /** A repository for one aggregate type, given by your class: `es.repository(Order)` (typed as EventSourcedRepository<Order>). */
  repository<TAggregate extends AggregateRootLike>(aggregate: RepositoryTarget<TAggregate>): EventSourcedRepository<TAggregate>;
  /** Typed queries over one read model's rows. */
  readModel<TRow, TIndexed extends string>(definition: ReadModelDefinition<TRow, TIndexed>): ReadModelQuery<TRow, TIndexed>;
  /** An asynchronous projection worker over this database (call start()). */
  readModelManager(options?: Omit<ReadModelManagerOptions, 'client' | 'registry' | 'schema'>): ReadModelManager;
  /** Rebuilds and resets of read models. */
  replayer(): EventReplayer;
  /** A publisher of this store's events to NATS JetStream (call start()); stopped by close(). See docs/message-bus.md. */
  publisher(settings: NatsPublisherSettings): Publisher;
  /**
   * Forgets a data subject: deletes their key (one statement; every read then returns the redacted
   * values), deletes snapshots of their aggregates and rebuilds the read models that react to
   * their personal events. Appending their personal data afterwards is a SubjectForgotten.
   *
   * @example await es.forget(userId)
   */
  forget(subjectId: string, options?: ForgetOptions): Promise<ForgetReport>;
  /** Every event of a data subject with its personal values decrypted (access and portability requests). */
  exportSubject(subjectId: string): Promise<SubjectExport>;
  /** Re-wraps every data key wrapped by `previous` with the configured master key (rotation); events are untouched. */
  rotateMasterKey(previous: MasterKeySource): Promise<{ rewrapped: number }>;
  close(): Promise<void>;
}

/**
 * Opens the database (server or embedded), migrates it, and wires inline read models into every
 * append, so that `save` returns only when inline rows are current.
 *
 * @example
 * const es = await createEventSourcing({ registry, databaseUrl: process.env.DATABASE_URL });
 * const orders = es.repository(Order);
 */
export async function createEventSourcing(options: EventSourcingOptions): Promise<EventSourcing> {
  checkEventSourcingOptions(options);
  const ownsClient = options.client === undefined;
  const client =
    options.client ??
    (await connect({
      ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.pool ? { pool: options.pool } : {}),
      ...(options.preparedStatements === undefined ? {} : { preparedStatements: options.preparedStatements }),
    }));
  const { registry } = options;
  const schema = options.schema;
  const scope = schema === undefined ? {} : { schema };
  try {
    if (options.migrate !== false) {
      await migrate(client, scope);
      await ensureReadModelIndexes(client, registry, schema);
    }
    // Before anything serves: no query or inline append may meet rows of another shape.
    const ctx = projectionContext(client, registry, schema);
    await ensureReadModelShapes(ctx, Object.values(registry.readModels), {
      onShapeChange: options.onShapeChange ?? 'rebuild',
      ...(options.onShapeRebuild ? { onStale: options.onShapeRebuild } : {}),
    });
    markShapesVerified(client, ctx.tables.schema, Object.values(registry.readModels));
  } catch (error) {
    if (ownsClient) await client.close().catch(() => undefined);
    throw error;
  }

  let vault: PersonalDataVault | undefined;
  try {
    vault = options.personalData === undefined ? undefined : await PersonalDataVault.open(client, resolveSchema(schema).quoted, options.personalData);
  } catch (error) {
    if (ownsClient) await client.close().catch(() => undefined);
    throw error;
  }
  const personalData = vault === undefined ? {} : { personalData: vault };
  const hasInline = Object.values(registry.readModels).some((definition) => definition.mode === 'inline');
  const store = createEventStore({
    client,
    registry,
    ...scope,
    ...personalData,
    ...(hasInline ? { onAppend: createInlineProjector(registry, scope) } : {}),
  });
  const replayer = () => createEventReplayer({ client, registry, ...scope, ...personalData });
  const requests = () => {
    if (vault === undefined) throw new PersonalDataNotConfigured();
    return { client, registry, store, vault, quotedSchema: resolveSchema(schema).quoted, replayer };
  };
  const managers: ReadModelManager[] = [];
  const publishers: Publisher[] = [];

  return {
    client,
    registry,
    store,
    repository: (definition) => createRepository(store, definition, options.repository),
    readModel: (definition) => readModel(client, definition, scope),
    readModelManager(managerOptions = {}) {
      const manager = createReadModelManager({
        ...(options.onShapeChange ? { onShapeChange: options.onShapeChange } : {}),
        ...managerOptions,
        client,
        registry,
        ...scope,
        ...personalData,
      });
      managers.push(manager);
      return manager;
    },
    replayer,
    forget: (subjectId, forgetOptions) => forgetSubject(requests(), subjectId, forgetOptions),
    exportSubject: (subjectId) => exportSubject(requests(), subjectId),
    rotateMasterKey: (previous) => requests().vault.rotateMasterKey(previous),
    publisher(settings) {
      const publisher = createNatsPublisher({ client, registry, ...scope }, settings);
      publishers.push(publisher);
      return publisher;
    },
    async close() {
      await Promise.all([...managers.map((manager) => manager.stop()), ...publishers.map((publisher) => publisher.stop())]);
      if (ownsClient) await client.close();
    },
  };
}

/** Refuses options that cannot be right before anything is opened. */
function checkEventSourcingOptions(options: unknown): void {
  const given = optionsObject('options', options as object | undefined) as Partial<Record<keyof EventSourcingOptions, unknown>>;
  registryShape('options.registry', given.registry);
  if (given.databaseUrl !== undefined) storableString('options.databaseUrl', given.databaseUrl);
  if (given.dataDir !== undefined) storableString('options.dataDir', given.dataDir);
  optionalBoolean('options.migrate', given.migrate);
  optionalBoolean('options.preparedStatements', given.preparedStatements);
  checkShapeChangePolicy('options.onShapeChange', given.onShapeChange);
  optionalFunction('options.onShapeRebuild', given.onShapeRebuild);
  if (given.repository !== undefined) optionsObject('options.repository', given.repository as object);
  if (given.personalData !== undefined) optionsObject('options.personalData', given.personalData as object);
}

