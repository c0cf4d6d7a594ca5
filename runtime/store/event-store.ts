import { randomUUID } from 'node:crypto';
import type { AggregateDefinition, AggregateRootLike, EventEnvelope, EventMetadata, Registry } from '../contracts.js';
import { assertAggregateId } from '../aggregate-id.js';
import { check, validateWith } from '../codegen/checks.js';
import { ConcurrencyError, InvalidArgument, InvalidEvent, UnknownAggregateType, UnknownEventType, type ExpectedVersion } from '../errors.js';
import { resolveSchema } from '../identifiers.js';
import { migrate, type MigrateResult } from '../migrations/migrate.js';
import type { SqlClient, SqlExecutor } from '../sql-client.js';
import { appendStatements, MAX_VERSION, type AppendedRow, type AppendStatements } from './append-statement.js';
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

/** An event to append: a payload at its event's current version. */
export interface AppendEvent {
  readonly type: string;
  readonly data: unknown;
  /** Business time; defaults to now. */
  readonly occurredAt?: Date;
  /** The event's id (a UUID), when the caller created it already (an aggregate does when it raises); default a new one. */
  readonly eventId?: string;
}

export interface AppendOptions {
  /**
   * The stream version the caller based its decision on: a number (exact; 0 = the stream must not
   * exist yet), 'no_stream', 'stream_exists', or 'any' (no check, appended after whatever is there).
   */
  readonly expectedVersion: ExpectedVersion;
  readonly correlationId?: string | null;
  readonly causationId?: string | null;
  /** Free-form JSON metadata stored with every event of this append. */
  readonly metadata?: EventMetadata;
}

export interface StreamAppend extends AppendOptions {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly events: readonly AppendEvent[];
}

export interface AppendResult {
  /** The stream's version after the append (the last appended event's version). */
  readonly nextVersion: number;
  /** The appended events as readers will see them, with their global positions. */
  readonly envelopes: readonly EventEnvelope[];
}

/** A checkpoint in global order: the pair readAllAfter orders and compares by. */
export interface GlobalPosition {
  readonly transactionId: bigint;
  readonly position: bigint;
}

export interface ReadAllOptions {
  /** Page size; default 1000. */
  readonly limit?: number;
  /**
   * Only these event types. `last` is the last event returned: with a selective filter a page can
   * be empty while other events exist, and the checkpoint then stays where it was.
   */
  readonly eventTypes?: readonly string[];
}

export interface ReadAllPage {
  readonly events: EventEnvelope[];
  /** Checkpoint to pass to the next call: the last event read, or `after` when the page is empty. */
  readonly last: GlobalPosition | null;
}

export interface StreamReadOptions {
  /** First version to return (inclusive); default 1. */
  readonly fromVersion?: number;
  /** Last version to return (inclusive); default the end of the stream. */
  readonly toVersion?: number;
  /** Stop before the first event that occurred after this instant. */
  readonly until?: Date;
}

export interface LimitOptions {
  /** Default 10,000. */
  readonly limit?: number;
}

export interface EventsByTypeOptions extends LimitOptions {
  /** Only events with a global position above this one (paging). */
  readonly afterPosition?: bigint;
}

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
   * parses and plans each once per connection. Turn off behind PgBouncer in transaction mode
   * before 1.21, which cannot route prepared statements.
   */
  readonly preparedStatements?: boolean;
}

export interface StoredSnapshot {
  readonly version: number;
  readonly state: unknown;
}

const DEFAULT_PAGE = 1000;
const DEFAULT_LIMIT = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
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
export class PostgresEventStore {
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

  constructor(options: EventStoreOptions) {
    const schema = resolveSchema(options.schema);
    this.client = options.client;
    this.registry = options.registry;
    this.schema = schema.name;
    this.notifyChannel = eventsChannel(schema.name);
    this.#onAppend = options.onAppend;
    const prepared = options.preparedStatements !== false;
    const notify = options.notify !== false;
    this.#notify = notify;
    this.#quotedSchema = schema.quoted;
    const inTransaction = notify && (options.wakeUp === 'in-transaction' || (options.wakeUp === undefined && this.client.dialect === 'pglite'));
    this.#wakeUp = !notify || inTransaction ? undefined : typeof options.wakeUp === 'object' ? options.wakeUp : notifyAfterCommit(this.client, this.notifyChannel);
    this.#append = committing(statements(appendStatements(schema.quoted, inTransaction ? this.notifyChannel : undefined), prepared));
    this.#read = statements(readStatements(schema.quoted), prepared);
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
    const prepared = this.#prepare(aggregateType, aggregateId, events, options);
    // Nothing to append: no expectation to enforce either (there is no write it could protect).
    if (events.length === 0) return { nextVersion: await this.streamVersion(aggregateType, aggregateId), envelopes: [] };
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
    const prepared = streams
      .filter((stream) => stream.events.length > 0)
      .map((stream) => this.#prepare(stream.aggregateType, stream.aggregateId, stream.events, stream));
    if (prepared.length === 0) return [];
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
    const id = eventIdOf(eventId);
    const { sql, options } = this.#read.byId;
    const result = await this.client.query<EnvelopeRow>(sql, [id], options);
    return result.rows.length === 0 ? undefined : toEnvelopes(this.registry, result.rows)[0];
  }

  /** The stream's current version (0 when it does not exist). */
  async streamVersion(aggregateType: string, aggregateId: string, executor: SqlExecutor = this.client): Promise<number> {
    const { sql, options } = this.#read.streamVersion;
    const result = await executor.query<{ version: number }>(sql, [aggregateType, aggregateId], options);
    return result.rows[0]?.version ?? 0;
  }

  /** An aggregate's events in version order, upcast to the current payload versions. */
  async getEventsByAggregate(aggregateType: string, aggregateId: string, options: StreamReadOptions = {}): Promise<EventEnvelope[]> {
    const params = streamParams(aggregateType, aggregateId, options);
    const { sql, options: query } = options.until === undefined ? this.#read.stream : this.#read.streamUntil;
    const result = await this.client.query<EnvelopeRow>(sql, params, query);
    return toEnvelopes(this.registry, result.rows);
  }

  /** Events whose occurred_at lies in [from, to], in time order. */
  async getEventsByTimeRange(from: Date, to: Date, options: LimitOptions = {}): Promise<EventEnvelope[]> {
    const { sql, options: query } = this.#read.timeRange;
    const result = await this.client.query<EnvelopeRow>(sql, [from.toISOString(), to.toISOString(), positiveLimit(options.limit, DEFAULT_LIMIT)], query);
    return toEnvelopes(this.registry, result.rows);
  }

  /**
   * Events of the given types in global-position order. For consuming every event exactly once
   * while writers are running use readAllAfter with `eventTypes`, which is gap-safe.
   */
  async getEventsByType(types: string | readonly string[], options: EventsByTypeOptions = {}): Promise<EventEnvelope[]> {
    const list = typeof types === 'string' ? [types] : [...types];
    const { sql, options: query } = this.#read.byType;
    const result = await this.client.query<EnvelopeRow>(sql, [list, (options.afterPosition ?? 0n).toString(), positiveLimit(options.limit, DEFAULT_LIMIT)], query);
    return toEnvelopes(this.registry, result.rows);
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
    const limit = positiveLimit(options.limit, DEFAULT_PAGE);
    const transactionId = after === null ? '0' : after.transactionId.toString();
    const position = after === null ? '0' : after.position.toString();
    const { page, pageOfTypes } = this.#feed;
    const result =
      options.eventTypes === undefined
        ? await this.client.query<EnvelopeRow>(page.sql, [transactionId, position, limit], page.options)
        : await this.client.query<EnvelopeRow>(pageOfTypes.sql, [transactionId, position, limit, distinctTypes(options.eventTypes)], pageOfTypes.options);
    const events = toEnvelopes(this.registry, result.rows);
    const lastEvent = events[events.length - 1];
    const last = lastEvent === undefined ? after : { transactionId: lastEvent.transactionId, position: lastEvent.position };
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
    const params = streamParams(aggregateType, aggregateId, options);
    const { sql, options: query } = options.until === undefined ? this.#read.replay : this.#read.replayUntil;
    const { rows } = await this.client.query<ReplayRow>(sql, params, query);
    const events = new Array<ReplayEvent>(rows.length);
    for (let i = 0; i < rows.length; i++) events[i] = toReplayEvent(this.registry, aggregateType, aggregateId, rows[i]!);
    return events;
  }

  /** The stored snapshot of an aggregate when its fingerprint matches and it is not past `maxVersion`. */
  async readSnapshot(aggregateType: string, aggregateId: string, fingerprint: string, maxVersion = MAX_VERSION): Promise<StoredSnapshot | undefined> {
    const { sql, options } = this.#snapshot.read;
    const result = await this.client.query<{ version: number; state: unknown }>(sql, [aggregateType, aggregateId, fingerprint, maxVersion], options);
    return result.rows[0];
  }

  async writeSnapshot(aggregateType: string, aggregateId: string, version: number, state: unknown, fingerprint: string): Promise<void> {
    const { sql, options } = this.#snapshot.write;
    await this.client.query(sql, [aggregateType, aggregateId, version, JSON.stringify(state), fingerprint], options);
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
    if (!('create' in definition)) throw new InvalidArgument(`${aggregate} is registered without a class: open its repository with the class (repository(${aggregate})).`);
    return createRepository(this, definition as AggregateDefinition<TAggregate>, options);
  }

  #prepare(aggregateType: string, aggregateId: string, events: readonly AppendEvent[], options: AppendOptions): PreparedAppend {
    assertAggregateId(aggregateType, this.registry.aggregates[aggregateType], aggregateId);
    const expected = options.expectedVersion;
    const [lowest, highest] = acceptedRange(expected);
    const correlationId = optionalUuid('correlationId', options.correlationId);
    const causationId = optionalUuid('causationId', options.causationId);
    const metadata = options.metadata ?? null;
    if (metadata !== null) assertStorableMetadata(metadata);
    const metadataJson = metadata === null ? null : JSON.stringify(metadata);
    const count = events.length;
    const eventIds = new Array<string>(count);
    const types = new Array<string>(count);
    const currentVersions = new Array<number>(count);
    const payloads = new Array<string>(count);
    const occurredAt = new Array<Date>(count);
    const occurredAtText = new Array<string>(count);
    const now = new Date();
    for (let i = 0; i < count; i++) {
      const event = events[i]!;
      const definition = this.registry.events[event.type];
      if (definition === undefined) throw new UnknownEventType(event.type);
      if (definition.aggregateType !== aggregateType) {
        throw new UnknownEventType(event.type, `belongs to ${definition.aggregateType}, not to ${aggregateType}`);
      }
      const validation = definition.validate(definition.version, event.data);
      if (!validation.ok) throw new InvalidEvent(event.type, validation.errors);
      eventIds[i] = event.eventId === undefined ? randomUUID() : eventIdOf(event.eventId);
      types[i] = event.type;
      currentVersions[i] = definition.version;
      payloads[i] = JSON.stringify(event.data);
      const at = event.occurredAt ?? now;
      occurredAt[i] = at;
      occurredAtText[i] = at.toISOString();
    }
    const params: unknown[] =
      count === 1
        ? [aggregateType, aggregateId, lowest, highest, eventIds[0], types[0], currentVersions[0], payloads[0], occurredAtText[0]]
        : [aggregateType, aggregateId, lowest, highest, eventIds, types, currentVersions, payloads, occurredAtText];
    params.push(metadataJson, correlationId, causationId);
    return {
      aggregateType,
      aggregateId,
      expected,
      statement: count === 1 ? this.#append.single : this.#append.batch,
      params,
      events,
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
    const actual = await this.streamVersion(prepared.aggregateType, prepared.aggregateId, executor);
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

function acceptedRange(expected: ExpectedVersion): readonly [number, number] {
  if (expected === 'any') return [0, MAX_VERSION];
  if (expected === 'no_stream') return [0, 0];
  if (expected === 'stream_exists') return [1, MAX_VERSION];
  if (!Number.isInteger(expected) || expected < 0) {
    throw new InvalidArgument(`expectedVersion must be a non-negative integer, 'no_stream', 'stream_exists' or 'any'; got ${String(expected)}.`);
  }
  return [expected, expected];
}

function optionalUuid(name: string, value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (!UUID.test(value)) throw new InvalidArgument(`${name} must be a UUID; got ${JSON.stringify(value)}.`);
  return value;
}

/** Metadata is stored as jsonb: only what PostgreSQL stores and reads back unchanged (see runtime/codegen/checks.ts). */
function assertStorableMetadata(metadata: unknown): void {
  const result = validateWith(check.map(check.json), metadata);
  if (!result.ok) {
    const issue = result.errors[0]!;
    throw new InvalidArgument(`metadata${issue.path ? ` at ${issue.path}` : ''} ${issue.message}; nothing was written.`);
  }
}

function eventIdOf(value: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw new InvalidArgument(`eventId must be a UUID; got ${JSON.stringify(value)}.`);
  return value;
}

function positiveLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) throw new InvalidArgument(`limit must be a positive integer; got ${String(limit)}.`);
  return limit;
}

function streamParams(aggregateType: string, aggregateId: string, options: StreamReadOptions): unknown[] {
  const params: unknown[] = [aggregateType, aggregateId, options.fromVersion ?? 1, options.toVersion ?? MAX_VERSION];
  if (options.until !== undefined) params.push(options.until.toISOString());
  return params;
}

/** 23505 on the (aggregate_type, aggregate_id, version) unique index: another writer won. */
function isStreamCollision(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { code?: unknown; constraint?: unknown; message?: unknown };
  if (candidate.code !== '23505') return false;
  return candidate.constraint === 'events_stream_version_unique' || String(candidate.message).includes('events_stream_version_unique');
}
