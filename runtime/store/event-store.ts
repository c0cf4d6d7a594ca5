import { randomUUID } from 'node:crypto';
import type { AggregateDefinition, AggregateRootLike, EventEnvelope, EventMetadata, Registry } from '../contracts.js';
import { arrayOf, integerIn, optionalLimit, optionsObject, position, storableDate, storableString, uuid } from '../argument-checks.js';
import { check, validateWith } from '../codegen/checks.js';
import { ConcurrencyError, InvalidArgument, InvalidEvent, UnknownAggregateType, type ExpectedVersion } from '../errors.js';
import { resolveSchema } from '../identifiers.js';
import { migrate, type MigrateResult } from '../migrations/migrate.js';
import type { SqlClient, SqlExecutor } from '../sql-client.js';
import { appendStatements, MAX_VERSION, type AppendedRow, type AppendStatements } from './append-statement.js';
import type {
  AppendEvent,
  AppendOptions,
  AppendResult,
  EventStore,
  EventsByTypeOptions,
  GlobalPosition,
  LimitOptions,
  ReadAllOptions,
  ReadAllPage,
  StoredSnapshot,
  StreamAppend,
  StreamReadOptions,
} from './event-store-contract.js';
import { checkAppendEvent, checkAppendOptions, checkCheckpoint, checkEventTypes, checkStream, checkStreamReadOptions } from './store-checks.js';
import { distinctTypes, feedSql, type FeedSql } from './feed-statements.js';
import { eventsChannel } from './notify-channel.js';
import { notifyAfterCommit, type WakeUp } from './wake-up.js';
import { importEvents, refreshAfterImport, type BulkEvent, type BulkImportOptions, type BulkImportResult } from './bulk-import.js';
import { readStatements, type ReadStatements } from './read-statements.js';
import { snapshotStatements, type SnapshotStatements } from './snapshot-statements.js';
import { committing, statements, type Statement } from './statement.js';
import { withEventIds } from '../pg-faults.js';
import { bigintOf, toEnvelopes, toReplayEvent, type EnvelopeRow, type ReplayEvent, type ReplayRow } from './stored-event.js';
import { createRepository, type EventSourcedRepository, type RepositoryOptions, type RepositoryTarget } from '../repository/event-sourced-repository.js';
import type { EventDefinition } from '../contracts.js';
import type { PersonalDataVault, SealedRow } from '../personal-data/personal-data-vault.js';
import { PersonalDataNotConfigured } from '../personal-data/personal-data-errors.js';

export type {
  AppendEvent,
  AppendOptions,
  AppendResult,
  EventStore,
  EventsByTypeOptions,
  GlobalPosition,
  LimitOptions,
  ReadAllOptions,
  ReadAllPage,
  StoredSnapshot,
  StreamAppend,
  StreamReadOptions,
} from './event-store-contract.js';

/**
 * Runs inside the append's transaction, after the insert: inline projections update their rows
 * here, and a throw rolls the append back.
 */
export type OnAppend = (tx: SqlExecutor, appended: readonly EventEnvelope[]) => Promise<void>;

export interface EventStoreOptions {
  readonly client: SqlClient;
  readonly registry: Registry;
  /** Schema holding esgen's tables (see migrate); default `public`. */
  readonly schema?: string;
  /** Wake async projection workers on eventsChannel(schema) when appends commit. Default true. */
  readonly notify?: boolean;
  /**
   * How appends wake the workers when `notify` is on. Default: on a server, a NOTIFY after commit,
   * coalesced (see notifyAfterCommit in wake-up.ts); on PGlite, a NOTIFY inside the append (one
   * connection: there are no concurrent commits to serialise). 'in-transaction' puts the NOTIFY
   * inside every appending transaction on a server too, which serialises concurrent commits.
   */
  readonly wakeUp?: WakeUp | 'in-transaction';
  readonly onAppend?: OnAppend;
  /**
   * Run the store's statements as named prepared statements (`pg` only; default true): the server
   * parses and plans each once per connection. This covers the store's statements only: behind
   * PgBouncer in transaction mode before 1.21, which cannot route prepared statements, set
   * `preparedStatements: false` on the client (createPgClient, connect, createEventSourcing)
   * instead, which also covers read-model workers and queries.
   */
  readonly preparedStatements?: boolean;
  /**
   * Seals `pii` values at append and opens them on every read (docs/personal-data.md). Without it,
   * appending or reading an event with personal data is a PersonalDataNotConfigured (ESG251).
   */
  readonly personalData?: PersonalDataVault;
}

const DEFAULT_PAGE = 1000;
const DEFAULT_LIMIT = 10_000;
/**
 * With 'any' or 'stream_exists' a unique-index collision only means "someone appended first": try
 * again with a fresh snapshot. Each attempt loses only to a commit in between, but with n writers
 * on one stream a writer loses a round with probability (n-1)/n, so the bound is generous.
 */
const UNCHECKED_APPEND_ATTEMPTS = 100;

/** Everything an append needs, validated before any SQL runs. */
interface PreparedAppend {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly expected: ExpectedVersion;
  readonly statement: Statement;
  readonly params: unknown[];
  readonly events: readonly AppendEvent[];
  readonly definitions: readonly EventDefinition[];
  readonly eventIds: readonly string[];
  readonly occurredAt: readonly Date[];
  readonly currentVersions: readonly number[];
  readonly correlationId: string | null;
  readonly causationId: string | null;
  readonly metadata: EventMetadata;
}

/** Marks a unique-index collision inside a transaction, mapped to ConcurrencyError after rollback. */
class StreamCollision extends Error {
  constructor(readonly append: PreparedAppend) {
    super('stream version collision');
  }
}

/**
 * The event store over PostgreSQL (server through `pg`, or embedded PGlite): appends with
 * optimistic concurrency, stream reads, time travel reads and the gap-safe global read.
 */
export class PostgresEventStore implements EventStore {
  readonly client: SqlClient;
  readonly registry: Registry;
  readonly schema: string;
  readonly notifyChannel: string;
  readonly #onAppend: OnAppend | undefined;
  readonly #wakeUp: WakeUp | undefined;
  readonly #notify: boolean;
  readonly #quotedSchema: string;
  readonly #append: Record<keyof AppendStatements, Statement>;
  readonly #read: Record<keyof ReadStatements, Statement>;
  readonly #feed: Record<keyof FeedSql, Statement>;
  readonly #snapshot: Record<keyof SnapshotStatements, Statement>;
  /** Seals and opens personal values (docs/personal-data.md); hand it to workers reading the same store. */
  readonly personalData: PersonalDataVault | undefined;
  readonly #personalData: PersonalDataVault | undefined;
  /**
   * Aggregate types with an event that carries personal data, and whether their snapshots can be
   * sealed whole under the aggregate id's key (every such event's subject is $aggregateId) or are
   * not written at all (another subject's data may be in the state). docs/personal-data.md.
   */
  readonly #personalAggregates: ReadonlyMap<string, 'sealed' | 'none'>;

  constructor(options: EventStoreOptions) {
    const schema = resolveSchema(options.schema);
    this.client = options.client;
    this.registry = options.registry;
    this.schema = schema.name;
    this.notifyChannel = eventsChannel(schema.name);
    this.#onAppend = options.onAppend;
    this.#personalData = options.personalData;
    this.personalData = options.personalData;
    this.#personalAggregates = snapshotPolicies(options.registry);
    const prepared = options.preparedStatements !== false;
    const notify = options.notify !== false;
    this.#notify = notify;
    this.#quotedSchema = schema.quoted;
    const inTransaction = notify && (options.wakeUp === 'in-transaction' || (options.wakeUp === undefined && this.client.dialect === 'pglite'));
    this.#wakeUp = !notify || inTransaction ? undefined : typeof options.wakeUp === 'object' ? options.wakeUp : notifyAfterCommit(this.client, this.notifyChannel);
    this.#append = committing(statements(appendStatements(schema.quoted, inTransaction ? this.notifyChannel : undefined), prepared));
    this.#read = statements(readStatements(schema.quoted, options.personalData !== undefined), prepared);
    this.#feed = statements(feedSql(schema.quoted), prepared);
    this.#snapshot = statements(snapshotStatements(schema.quoted), prepared);
  }

  /** Creates or updates this store's tables (see migrate()). */
  migrate(): Promise<MigrateResult> {
    return migrate(this.client, { schema: this.schema });
  }

  /**
   * Appends events to one aggregate's stream, all or nothing. Every payload is validated first
   * (InvalidEvent, nothing written); a stale or ahead-of-stream expected version is a
   * ConcurrencyError. Without an onAppend hook this is one statement and one round trip.
   *
   * @example await store.appendToStream('BankAccount', 'acc-1', [{ type: 'MoneyDeposited', data: { amount: 5 } }], { expectedVersion: 3 })
   */
  async appendToStream(
    aggregateType: string,
    aggregateId: string,
    events: readonly AppendEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    const prepared = this.#prepare(aggregateType, aggregateId, events, options, 'options');
    // Nothing to append: no expectation to enforce either (there is no write it could protect).
    if (events.length === 0) return { nextVersion: await this.streamVersion(aggregateType, aggregateId), envelopes: [] };
    await this.#seal(prepared);
    let result: AppendResult | undefined;
    try {
      [result] = this.#onAppend === undefined ? [await this.#appendAlone(prepared)] : await this.#inTransaction([prepared], this.#onAppend);
    } catch (error) {
      throw withEventIds(error, prepared.eventIds);
    }
    this.#wakeUp?.appended();
    return result!;
  }

  /**
   * Appends to several streams in one transaction: every stream's events are stored, or none.
   * Returns one result per stream that had events, in the order given.
   */
  async appendMany(streams: readonly StreamAppend[]): Promise<AppendResult[]> {
    // Every stream is checked, empty ones included: a bad argument is refused even when it writes nothing.
    const prepared = arrayOf('streams', streams)
      .map((stream, index) => {
        if (typeof stream !== 'object' || stream === null) throw new InvalidArgument(`streams[${index}]`, `must be { aggregateType, aggregateId, events, expectedVersion }; got ${String(stream)}`);
        const given = stream as StreamAppend;
        return this.#prepare(given.aggregateType, given.aggregateId, given.events, given, `streams[${index}]`);
      })
      .filter((append) => append.events.length > 0);
    if (prepared.length === 0) return [];
    for (const append of prepared) await this.#seal(append);
    const results = await this.#inTransaction(prepared, this.#onAppend).catch((error: unknown) => {
      throw withEventIds(error, prepared.flatMap((append) => append.eventIds));
    });
    this.#wakeUp?.appended();
    return results;
  }

  /**
   * Imports events (legacy history, migrations) with COPY, all or nothing: see bulk-import.ts.
   * Each event may carry its original event id, occurred-at, metadata and payload version; stream
   * versions continue what is stored. Inline read models are updated in the same transaction;
   * async ones read the events like any others. Afterwards the table's planner statistics are
   * refreshed when the import changed it noticeably.
   *
   * @example await store.appendBulk(lines.map((line) => ({ aggregateType: 'Order', aggregateId: line.id, type: line.type, data: line.data, occurredAt: new Date(line.at) })))
   */
  async appendBulk(events: Iterable<BulkEvent> | AsyncIterable<BulkEvent>, options: BulkImportOptions = {}): Promise<BulkImportResult> {
    const result = await importEvents(
      { client: this.client, registry: this.registry, quotedSchema: this.#quotedSchema, onAppend: this.#onAppend },
      events,
      options,
    );
    if (result.events === 0) return result;
    if (this.#wakeUp !== undefined) this.#wakeUp.appended();
    else if (this.#notify) await this.client.query(`SELECT pg_notify($1, '')`, [this.notifyChannel]).catch(() => undefined);
    await refreshAfterImport(this.client, this.#quotedSchema, result.events);
    return result;
  }

  /**
   * The stored event with this id, or undefined. This is how to settle a CommitOutcomeUnknown:
   * event ids are generated by the client, and an append is all or nothing, so when its first
   * event is stored, the whole append is.
   */
  async findEvent(eventId: string): Promise<EventEnvelope | undefined> {
    const id = uuid('eventId', eventId);
    const { sql, options } = this.#read.byId;
    const result = await this.client.query<EnvelopeRow>(sql, [id], options);
    return result.rows.length === 0 ? undefined : (await this.#envelopes(result.rows))[0];
  }

  /** The stream's current version (0 when it does not exist). */
  async streamVersion(aggregateType: string, aggregateId: string): Promise<number> {
    checkStream(this.registry, aggregateType, aggregateId);
    return this.#streamVersion(aggregateType, aggregateId, this.client);
  }

  async #streamVersion(aggregateType: string, aggregateId: string, executor: SqlExecutor): Promise<number> {
    const { sql, options } = this.#read.streamVersion;
    const result = await executor.query<{ version: number }>(sql, [aggregateType, aggregateId], options);
    return result.rows[0]?.version ?? 0;
  }

  /** An aggregate's events in version order, upcast to the current payload versions. */
  async getEventsByAggregate(aggregateType: string, aggregateId: string, options: StreamReadOptions = {}): Promise<EventEnvelope[]> {
    checkStream(this.registry, aggregateType, aggregateId);
    const params = streamParams(aggregateType, aggregateId, options);
    const { sql, options: query } = params.length === 4 ? this.#read.stream : this.#read.streamUntil;
    const result = await this.client.query<EnvelopeRow>(sql, params, query);
    return this.#envelopes(result.rows);
  }

  /** Events whose occurred_at lies in [from, to], in time order. */
  async getEventsByTimeRange(from: Date, to: Date, options: LimitOptions = {}): Promise<EventEnvelope[]> {
    const start = storableDate('from', from).toISOString();
    const end = storableDate('to', to).toISOString();
    const limit = optionalLimit('options.limit', checkedOptions(options).limit, DEFAULT_LIMIT);
    const { sql, options: query } = this.#read.timeRange;
    const result = await this.client.query<EnvelopeRow>(sql, [start, end, limit], query);
    return this.#envelopes(result.rows);
  }

  /**
   * Events of the given types in global-position order. For consuming every event exactly once
   * while writers are running use readAllAfter with `eventTypes`, which is gap-safe.
   */
  async getEventsByType(types: string | readonly string[], options: EventsByTypeOptions = {}): Promise<EventEnvelope[]> {
    const list = checkEventTypes(this.registry, 'types', typeof types === 'string' ? [storableString('types', types)] : types);
    const given = checkedOptions(options);
    const after = given.afterPosition === undefined ? 0n : position('options.afterPosition', given.afterPosition);
    const limit = optionalLimit('options.limit', given.limit, DEFAULT_LIMIT);
    const { sql, options: query } = this.#read.byType;
    const result = await this.client.query<EnvelopeRow>(sql, [list, after.toString(), limit], query);
    return this.#envelopes(result.rows);
  }

  /**
   * One page of all events after a checkpoint, in global order (transaction id, then position).
   * Gap-safe: only transactions that committed before every still-running one are returned, so an
   * event committed late is never skipped by a reader that already moved past its position.
   *
   * @example
   * let checkpoint = null;
   * for (;;) { const page = await store.readAllAfter(checkpoint, { limit: 500 }); … checkpoint = page.last; }
   */
  async readAllAfter(after: GlobalPosition | null, options: ReadAllOptions = {}): Promise<ReadAllPage> {
    const checkpoint = checkCheckpoint('after', after);
    const given = checkedOptions(options);
    const limit = optionalLimit('options.limit', given.limit, DEFAULT_PAGE);
    const types = given.eventTypes === undefined ? undefined : distinctTypes(checkEventTypes(this.registry, 'options.eventTypes', given.eventTypes));
    const transactionId = checkpoint === null ? '0' : checkpoint.transactionId.toString();
    const at = checkpoint === null ? '0' : checkpoint.position.toString();
    const { page, pageOfTypes } = this.#feed;
    const result =
      types === undefined
        ? await this.client.query<EnvelopeRow>(page.sql, [transactionId, at, limit], page.options)
        : await this.client.query<EnvelopeRow>(pageOfTypes.sql, [transactionId, at, limit, types], pageOfTypes.options);
    const events = await this.#envelopes(result.rows);
    const lastEvent = events[events.length - 1];
    const last = lastEvent === undefined ? checkpoint : { transactionId: lastEvent.transactionId, position: lastEvent.position };
    return { events, last };
  }

  /** The checkpoint of the newest event a gap-safe reader can see now (null when none). */
  async headPosition(): Promise<GlobalPosition | null> {
    const { sql, options } = this.#read.head;
    const result = await this.client.query<{ position: string; transaction_id: string }>(sql, [], options);
    const row = result.rows[0];
    return row === undefined ? null : { transactionId: bigintOf(row.transaction_id), position: bigintOf(row.position) };
  }

  /** Stream events shaped for AggregateRoot.replay (used by the repository). */
  async readStreamForReplay(aggregateType: string, aggregateId: string, options: StreamReadOptions = {}): Promise<ReplayEvent[]> {
    checkStream(this.registry, aggregateType, aggregateId);
    const params = streamParams(aggregateType, aggregateId, options);
    const { sql, options: query } = params.length === 4 ? this.#read.replay : this.#read.replayUntil;
    const { rows } = await this.client.query<ReplayRow>(sql, params, query);
    await this.openPersonalData(rows);
    const events = new Array<ReplayEvent>(rows.length);
    for (let i = 0; i < rows.length; i++) events[i] = toReplayEvent(this.registry, aggregateType, aggregateId, rows[i]!);
    return events;
  }

  /** The stored snapshot of an aggregate when its fingerprint matches and it is not past `maxVersion`. */
  async readSnapshot(aggregateType: string, aggregateId: string, fingerprint: string, maxVersion = MAX_VERSION): Promise<StoredSnapshot | undefined> {
    checkStream(this.registry, aggregateType, aggregateId);
    storableString('fingerprint', fingerprint);
    integerIn('maxVersion', maxVersion, 0);
    const policy = this.#personalAggregates.get(aggregateType);
    if (policy === 'none' || (policy === 'sealed' && this.#personalData === undefined)) return undefined;
    const { sql, options } = this.#snapshot.read;
    const result = await this.client.query<{ version: number; state: unknown }>(sql, [aggregateType, aggregateId, fingerprint, maxVersion], options);
    const row = result.rows[0];
    if (row === undefined || policy === undefined) return row;
    // A forgotten subject's snapshot no longer opens: the state comes from the (redacted) events.
    const state = await this.#personalData!.openWhole(aggregateId, row.state, `snapshot of ${aggregateType} ${aggregateId}`);
    return state === undefined ? undefined : { version: row.version, state };
  }

  async writeSnapshot(aggregateType: string, aggregateId: string, version: number, state: unknown, fingerprint: string): Promise<void> {
    checkStream(this.registry, aggregateType, aggregateId);
    integerIn('version', version, 1);
    storableString('fingerprint', fingerprint);
    const json = validateWith(check.json, state);
    if (!json.ok) throw new InvalidArgument('state', `${json.errors[0]!.path ? `at ${json.errors[0]!.path} ` : ''}${json.errors[0]!.message}`);
    // State built from personal data would hold it in clear, out of reach of forgetting: sealed whole, or not written.
    const policy = this.#personalAggregates.get(aggregateType);
    let stored: unknown = state;
    if (policy !== undefined) {
      if (policy === 'none' || this.#personalData === undefined) return;
      stored = await this.#personalData.sealWhole(aggregateId, state);
      if (stored === undefined) return;
    }
    const { sql, options } = this.#snapshot.write;
    await this.client.query(sql, [aggregateType, aggregateId, version, JSON.stringify(stored), fingerprint], options);
  }

  /**
   * The repository of an aggregate type: the user's class (`store.repository(Order)`), a definition,
   * or the name of a registered type whose registry entry can create instances (hand-written registries).
   */
  repository<TAggregate extends AggregateRootLike = AggregateRootLike>(
    aggregate: string | RepositoryTarget<TAggregate>,
    options: RepositoryOptions = {},
  ): EventSourcedRepository<TAggregate> {
    if (typeof aggregate !== 'string') return createRepository(this, aggregate, options);
    const definition = this.registry.aggregates[aggregate];
    if (definition === undefined) throw new UnknownAggregateType(aggregate);
    if (!('create' in definition)) throw new InvalidArgument('aggregate', `${aggregate} is registered without a class: open its repository with the class (repository(${aggregate}))`);
    return createRepository(this, definition as AggregateDefinition<TAggregate>, options);
  }

  /**
   * Opens the personal values of stored rows in place (docs/personal-data.md): sealed values of a
   * known subject decrypt, those of a forgotten one become their redacted values. Every read path
   * of the store goes through here; the read-model feed does the same (projection-batch.ts).
   */
  async openPersonalData(rows: readonly SealedRow[]): Promise<void> {
    await openRows(this.#personalData, this.registry, rows);
  }

  async #envelopes(rows: EnvelopeRow[]): Promise<EventEnvelope[]> {
    await openRows(this.#personalData, this.registry, rows);
    return toEnvelopes(this.registry, rows);
  }

  /** Replaces the payloads of an append's events that carry personal data with sealed ones, and sets their subjects ($8, $13). */
  async #seal(prepared: PreparedAppend): Promise<void> {
    if (!prepared.definitions.some((definition) => definition.personalData !== undefined)) return;
    const vault = this.#personalData;
    if (vault === undefined) throw new PersonalDataNotConfigured(prepared.definitions.find((definition) => definition.personalData !== undefined)!.type);
    const sealed = await vault.seal(prepared.events.map((event, i) => ({ definition: prepared.definitions[i]!, aggregateId: prepared.aggregateId, data: event.data })));
    const payloads = sealed.data.map((data, i) => (sealed.subjects[i] === null ? (prepared.events.length === 1 ? prepared.params[7] : (prepared.params[7] as string[])[i]) : JSON.stringify(data)));
    prepared.params[7] = prepared.events.length === 1 ? payloads[0] : payloads;
    prepared.params[12] = prepared.events.length === 1 ? sealed.subjects[0] : sealed.subjects;
  }

  /** Checks every argument of an append (nothing is sent before all of them passed) and builds its parameters. */
  #prepare(aggregateType: string, aggregateId: string, events: readonly AppendEvent[], options: AppendOptions, optionsName: string): PreparedAppend {
    checkStream(this.registry, aggregateType, aggregateId);
    const { expected, range, correlationId, causationId, metadata } = checkAppendOptions(options, optionsName);
    const [lowest, highest] = range;
    const metadataJson = metadata === null ? null : JSON.stringify(metadata);
    arrayOf('events', events);
    const count = events.length;
    const eventIds = new Array<string>(count);
    const types = new Array<string>(count);
    const currentVersions = new Array<number>(count);
    const payloads = new Array<string>(count);
    const occurredAt = new Array<Date>(count);
    const occurredAtText = new Array<string>(count);
    const definitions = new Array<EventDefinition>(count);
    const now = new Date();
    for (let i = 0; i < count; i++) {
      const event = events[i]!;
      const checked = checkAppendEvent(this.registry, aggregateType, event, i);
      const definition = checked.definition;
      definitions[i] = definition;
      const validation = definition.validate(definition.version, event.data);
      if (!validation.ok) throw new InvalidEvent(event.type, validation.errors);
      eventIds[i] = checked.eventId ?? randomUUID();
      types[i] = event.type;
      currentVersions[i] = definition.version;
      payloads[i] = payloadJson(event.type, event.data);
      const at = checked.occurredAt ?? now;
      occurredAt[i] = at;
      occurredAtText[i] = at.toISOString();
    }
    const params: unknown[] =
      count === 1
        ? [aggregateType, aggregateId, lowest, highest, eventIds[0], types[0], currentVersions[0], payloads[0], occurredAtText[0]]
        : [aggregateType, aggregateId, lowest, highest, eventIds, types, currentVersions, payloads, occurredAtText];
    // $13: the data subjects, set by #seal for events with personal data.
    params.push(metadataJson, correlationId, causationId, count === 1 ? null : new Array<null>(count).fill(null));
    return {
      aggregateType,
      aggregateId,
      expected,
      statement: count === 1 ? this.#append.single : this.#append.batch,
      params,
      events,
      definitions,
      eventIds,
      occurredAt,
      currentVersions,
      correlationId,
      causationId,
      metadata: metadata ?? {},
    };
  }

  /** One statement, no explicit transaction. */
  async #appendAlone(prepared: PreparedAppend): Promise<AppendResult> {
    const retries = isUnchecked(prepared.expected) ? UNCHECKED_APPEND_ATTEMPTS : 1;
    for (let attempt = 1; ; attempt++) {
      let rows: AppendedRow[];
      try {
        rows = (await this.client.query<AppendedRow>(prepared.statement.sql, prepared.params, prepared.statement.options)).rows;
      } catch (error) {
        if (!isStreamCollision(error)) throw error;
        if (attempt < retries) continue;
        throw await this.#conflict(prepared, this.client);
      }
      if (rows.length === 0) throw await this.#conflict(prepared, this.client);
      return this.#result(prepared, rows);
    }
  }

  async #inTransaction(prepared: readonly PreparedAppend[], onAppend: OnAppend | undefined): Promise<AppendResult[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.transaction(async (tx) => {
          const results: AppendResult[] = [];
          for (const append of prepared) {
            let rows: AppendedRow[];
            try {
              rows = (await tx.query<AppendedRow>(append.statement.sql, append.params, append.statement.options)).rows;
            } catch (error) {
              throw isStreamCollision(error) ? new StreamCollision(append) : error;
            }
            if (rows.length === 0) throw await this.#conflict(append, tx);
            results.push(this.#result(append, rows));
          }
          if (onAppend !== undefined) await onAppend(tx, results.length === 1 ? results[0]!.envelopes : results.flatMap((r) => r.envelopes));
          return results;
        });
      } catch (error) {
        if (!(error instanceof StreamCollision)) throw error;
        // The whole transaction was rolled back (hook included): an unchecked append may run again.
        if (isUnchecked(error.append.expected) && attempt < UNCHECKED_APPEND_ATTEMPTS) continue;
        // The statement that collided aborted the transaction: read the winner's version after rollback.
        throw await this.#conflict(error.append, this.client);
      }
    }
  }

  async #conflict(prepared: PreparedAppend, executor: SqlExecutor): Promise<ConcurrencyError> {
    const actual = await this.#streamVersion(prepared.aggregateType, prepared.aggregateId, executor);
    return new ConcurrencyError(prepared.aggregateType, prepared.aggregateId, prepared.expected, actual);
  }

  #result(prepared: PreparedAppend, rows: readonly AppendedRow[]): AppendResult {
    // RETURNING order is not guaranteed by SQL: place rows by version.
    let first = Number.MAX_SAFE_INTEGER;
    for (const row of rows) if (row.version < first) first = row.version;
    const envelopes = new Array<EventEnvelope>(rows.length);
    for (const row of rows) {
      const i = row.version - first;
      const event = prepared.events[i]!;
      envelopes[i] = {
        type: event.type,
        data: event.data,
        storedVersion: prepared.currentVersions[i]!,
        eventId: prepared.eventIds[i]!,
        aggregateType: prepared.aggregateType,
        aggregateId: prepared.aggregateId,
        version: row.version,
        occurredAt: prepared.occurredAt[i]!,
        correlationId: prepared.correlationId,
        causationId: prepared.causationId,
        metadata: prepared.metadata,
        position: bigintOf(row.position),
        transactionId: bigintOf(row.transaction_id),
      };
    }
    return { nextVersion: first + rows.length - 1, envelopes };
  }
}

/** Creates the event store; run `migrate` (or `store.migrate()`) once before first use. */
export function createEventStore(options: EventStoreOptions): PostgresEventStore {
  return new PostgresEventStore(options);
}

/** Expectations a collision cannot violate: the append just goes after whatever is there. */
function isUnchecked(expected: ExpectedVersion): boolean {
  return expected === 'any' || expected === 'stream_exists';
}

/** Options objects of the read methods (absent = defaults). */
function checkedOptions<T extends object>(options: T | undefined): Partial<Record<keyof T, unknown>> {
  return optionsObject('options', options) as Partial<Record<keyof T, unknown>>;
}

/** Parameters of a stream read: 4 without `until`, 5 with it. */
function streamParams(aggregateType: string, aggregateId: string, options: StreamReadOptions | undefined): unknown[] {
  const { from, to, until } = checkStreamReadOptions(options);
  const params: unknown[] = [aggregateType, aggregateId, from, to];
  if (until !== undefined) params.push(until.toISOString());
  return params;
}

/** 23505 on the (aggregate_type, aggregate_id, version) unique index: another writer won. */
function isStreamCollision(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { code?: unknown; constraint?: unknown; message?: unknown };
  if (candidate.code !== '23505') return false;
  return candidate.constraint === 'events_stream_version_unique' || String(candidate.message).includes('events_stream_version_unique');
}

/**
 * The payload as JSON text, refused (InvalidEvent, nothing written) when PostgreSQL could not store
 * it: generated validators already refuse such payloads, this guards hand-written ones. Since
 * ES2019 JSON.stringify escapes a NUL as \u0000 and a lone surrogate as \udXXX (paired surrogates
 * stay raw), so an escape preceded by an odd number of backslashes is exactly such a character.
 */
function payloadJson(type: string, data: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
  } catch (error) {
    throw new InvalidEvent(type, [{ path: '', message: `cannot be written as JSON (${error instanceof Error ? error.message : String(error)})` }]);
  }
  if (text === undefined) throw new InvalidEvent(type, [{ path: '', message: 'is not a JSON value' }]);
  if (text.includes('\\u') && UNSTORABLE_ESCAPE.test(text)) {
    throw new InvalidEvent(type, [{ path: '', message: 'contains a NUL character or a lone UTF-16 surrogate, which PostgreSQL cannot store' }]);
  }
  return text;
}

const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;


/**
 * Opens the personal values of rows read from `events`, in place. Rows without a subject pass
 * untouched, so stores without personal data pay one loop over the page.
 */
export async function openRows(vault: PersonalDataVault | undefined, registry: Registry, rows: readonly SealedRow[]): Promise<void> {
  let sealed: SealedRow | undefined;
  for (const row of rows) {
    if (row.pii_subject) {
      sealed = row;
      break;
    }
  }
  if (sealed === undefined) return;
  if (vault === undefined) throw new PersonalDataNotConfigured(sealed.event_type);
  await vault.open(registry, rows);
}

/** How each aggregate type with personal data is snapshotted (see #personalAggregates). */
function snapshotPolicies(registry: Registry): Map<string, 'sealed' | 'none'> {
  const policies = new Map<string, 'sealed' | 'none'>();
  for (const event of Object.values(registry.events)) {
    if (event.personalData === undefined) continue;
    const own = event.personalData.subject === '$aggregateId';
    policies.set(event.aggregateType, own && policies.get(event.aggregateType) !== 'none' ? 'sealed' : 'none');
  }
  return policies;
}
