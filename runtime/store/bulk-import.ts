import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { EventEnvelope, EventMetadata, Registry } from '../contracts.js';
import { integerIn, optionalFunction, optionsObject, plainJsonObject, storableDate, uuid } from '../argument-checks.js';
import { ConcurrencyError, InvalidArgument, InvalidImport, isEsgenError, type ImportIssue } from '../errors.js';
import type { SqlClient, SqlExecutor } from '../sql-client.js';
import { copyLine, copyRows } from './copy-text.js';
import { ENVELOPE_COLUMNS } from './read-statements.js';
import { checkStream } from './store-checks.js';
import { toEnvelopes, type EnvelopeRow } from './stored-event.js';

/** One event of a bulk import, e.g. a line of legacy history. */
export interface BulkEvent {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly type: string;
  readonly data: unknown;
  /** The payload's version as given (validated as that version, upcast on read). Default: the current one. */
  readonly eventVersion?: number;
  /**
   * The stream version this event must get: checked against the stream (what is stored plus the
   * events before it in this import). Default: the next one.
   */
  readonly version?: number;
  /** Default: a new UUID. Ids are unique: importing the same id twice is refused. */
  readonly eventId?: string;
  /** The original business time (history keeps its timestamps). Default: now. */
  readonly occurredAt?: Date;
  readonly metadata?: EventMetadata | null;
  readonly correlationId?: string | null;
  readonly causationId?: string | null;
}

export interface BulkImportOptions {
  /** Events per COPY statement (all of them in one transaction). Default 10,000. */
  readonly chunkSize?: number;
  /** After each chunk is written (not yet committed). */
  readonly onProgress?: (progress: { readonly events: number }) => void;
}

export interface BulkImportResult {
  readonly events: number;
  readonly streams: number;
}

/** What the store hands the importer. */
export interface BulkTarget {
  readonly client: SqlClient;
  readonly registry: Registry;
  readonly quotedSchema: string;
  /** Inline read models: run on every chunk inside the import's transaction. */
  readonly onAppend: ((tx: SqlExecutor, appended: readonly EventEnvelope[]) => Promise<void>) | undefined;
}

const COLUMNS = '(event_id, aggregate_type, aggregate_id, version, event_type, event_version, event_data, metadata, occurred_at, correlation_id, causation_id)';
/** Events rendered between two turns of the event loop (see render). */
const RENDER_SLICE = 500;
/** Issues listed in one InvalidImport before the rest are summarised by count. */
const MAX_ISSUES = 100;

/**
 * Writes events with COPY, all or nothing: every chunk of the call goes into one transaction.
 * Each event is checked before its chunk is written (known type of its aggregate, valid id,
 * payload through the generated validator at its version, UUIDs, dates); its stream version
 * follows what is stored and the events before it in the import, and a `version` given with the
 * event must match. A concurrent writer on an imported stream makes the COPY collide on the
 * stream's unique index: ConcurrencyError, nothing written.
 */
export async function importEvents(
  target: BulkTarget,
  events: Iterable<BulkEvent> | AsyncIterable<BulkEvent>,
  options: BulkImportOptions = {},
): Promise<BulkImportResult> {
  const given = optionsObject('options', options);
  const chunkSize = given.chunkSize === undefined ? 10_000 : integerIn('options.chunkSize', given.chunkSize, 1, 1_000_000);
  optionalFunction('options.onProgress', given.onProgress);
  const iterable = events as unknown as Record<symbol, unknown> | null;
  if (typeof iterable !== 'object' || iterable === null || (typeof iterable[Symbol.iterator] !== 'function' && typeof iterable[Symbol.asyncIterator] !== 'function')) {
    throw new InvalidArgument('events', `must be an array or an (async) iterable of events; got ${iterable === null ? 'null' : typeof iterable}`);
  }
  const table = `${target.quotedSchema}.events ${COLUMNS}`;
  const currentVersions = `SELECT s.aggregate_type, s.aggregate_id,
  (SELECT coalesce(max(e.version), 0) FROM ${target.quotedSchema}.events AS e WHERE e.aggregate_type = s.aggregate_type AND e.aggregate_id = s.aggregate_id) AS version
FROM unnest($1::text[], $2::text[]) AS s(aggregate_type, aggregate_id)`;
  // The rows this transaction wrote after a position, for inline read models.
  const written = `SELECT ${ENVELOPE_COLUMNS} FROM ${target.quotedSchema}.events AS e
WHERE e.transaction_id = pg_current_xact_id() AND e.global_position > $1::bigint
ORDER BY e.transaction_id, e.global_position`;
  const eventIds = new Set<string>();
  const versions = new Map<string, number>();
  // Every problem is reported at once. An array is checked whole before anything is sent (bad
  // input never reaches the database). An iterable is checked chunk by chunk as it is read: once a
  // problem is found nothing more is written (the transaction rolls back), but the rest is still
  // checked.
  const issues: ImportIssue[] = [];
  let total = 0;
  const checked = Array.isArray(events);
  if (checked) {
    (events as readonly BulkEvent[]).forEach((event, index) => {
      const problem = checkEvent(target.registry, event, eventIds);
      if (problem !== undefined && issues.length < MAX_ISSUES) issues.push({ index, eventType: event?.type, message: problem });
    });
    if (issues.length > 0) throw new InvalidImport(issues);
  }
  try {
    await target.client.transaction(async (tx) => {
      if (tx.copyFrom === undefined) throw new InvalidArgument('client', 'cannot COPY: bulk imports need esgen’s pg or PGlite client');
      let lastPosition = '0';
      // A pipeline of two: the next chunk is checked and rendered (JavaScript) while the server
      // writes the previous one (COPY); each chunk's write waits for the previous write.
      let writing: Promise<void> = Promise.resolve();
      let chunk: BulkEvent[] = [];
      let index = 0;
      const write = async (rendered: RenderedChunk) => {
        await tx.copyFrom!(table, await versioned(tx, rendered));
        total += rendered.events.length;
        if (target.onAppend !== undefined) {
          const { rows } = await tx.query<EnvelopeRow>(written, [lastPosition]);
          const envelopes = toEnvelopes(target.registry, rows);
          if (rows.length > 0) lastPosition = rows[rows.length - 1]!.position;
          await target.onAppend(tx, envelopes);
        }
        options.onProgress?.({ events: total });
      };
      const flush = async () => {
        if (chunk.length === 0) return;
        const rendered = await render(chunk, index);
        index += chunk.length;
        chunk = [];
        if (rendered === undefined) return;
        await writing;
        writing = write(rendered);
        // Handled here, rethrown where it is awaited: a failed write must not be an unhandled rejection meanwhile.
        writing.catch(() => undefined);
      };
      try {
        for await (const event of events) {
          chunk.push(event);
          if (chunk.length >= chunkSize) await flush();
          if (issues.length >= MAX_ISSUES) break;
        }
        await flush();
      } finally {
        // Never end the transaction (COMMIT or ROLLBACK) with a write still running on its connection.
        await writing.catch(() => undefined);
      }
      await writing;
      if (issues.length > 0) throw new InvalidImport(issues.slice(0, MAX_ISSUES));
    });
  } catch (error) {
    throw explainCollision(error);
  }
  return { events: total, streams: versions.size };

  /**
   * Checks a chunk (index = position of its first event in the import) and renders each row but
   * its stream version, which depends on what is stored: the text before it and after it.
   * Undefined when this chunk or an earlier one had a problem (recorded in `issues`): nothing more
   * is written then.
   */
  async function render(chunk: readonly BulkEvent[], index: number): Promise<RenderedChunk | undefined> {
    const before = new Array<string>(chunk.length);
    const after = new Array<string>(chunk.length);
    const now = new Date().toISOString();
    for (let i = 0; i < chunk.length; i++) {
      // Let the previous chunk's write go on meanwhile: its version lookup answers while this
      // chunk renders, and its COPY is only sent once that answer is handled (a chunk rendered in
      // one go kept the server idle for as long as the rendering took).
      if (i % RENDER_SLICE === RENDER_SLICE - 1) await yieldToIo();
      const event = chunk[i]!;
      const problem = checked ? undefined : checkEvent(target.registry, event, eventIds);
      if (problem !== undefined) {
        if (issues.length < MAX_ISSUES) issues.push({ index: index + i, eventType: event?.type, message: problem });
        continue;
      }
      if (issues.length > 0) continue;
      before[i] = copyLine([event.eventId ?? randomUUID(), event.aggregateType, event.aggregateId]);
      after[i] = copyLine([
        event.type,
        event.eventVersion ?? target.registry.events[event.type]!.version,
        JSON.stringify(event.data),
        event.metadata === undefined || event.metadata === null ? null : JSON.stringify(event.metadata),
        event.occurredAt?.toISOString() ?? now,
        event.correlationId ?? null,
        event.causationId ?? null,
      ]);
    }
    return issues.length > 0 ? undefined : { events: chunk, before, after };
  }

  /** The chunk's COPY rows with their stream versions: what is stored, plus the import so far. */
  async function versioned(tx: SqlExecutor, rendered: RenderedChunk): Promise<string> {
    const unknown = new Map<string, [string, string]>();
    for (const event of rendered.events) {
      const key = streamKey(event);
      if (!versions.has(key)) unknown.set(key, [event.aggregateType, event.aggregateId]);
    }
    if (unknown.size > 0) {
      const streams = [...unknown.values()];
      const { rows } = await tx.query<{ aggregate_type: string; aggregate_id: string; version: number }>(currentVersions, [
        streams.map((stream) => stream[0]),
        streams.map((stream) => stream[1]),
      ]);
      for (const row of rows) versions.set(`${row.aggregate_type}\u0000${row.aggregate_id}`, row.version);
    }
    const lines = new Array<string>(rendered.events.length);
    for (let i = 0; i < rendered.events.length; i++) {
      const event = rendered.events[i]!;
      const key = streamKey(event);
      const current = versions.get(key)!;
      if (event.version !== undefined && event.version !== current + 1) {
        throw new ConcurrencyError(event.aggregateType, event.aggregateId, event.version - 1, current);
      }
      versions.set(key, current + 1);
      lines[i] = `${rendered.before[i]}\t${current + 1}\t${rendered.after[i]}`;
    }
    return copyRows(lines);
  }
}

/** A chunk checked and rendered, waiting for its stream versions. */
interface RenderedChunk {
  readonly events: readonly BulkEvent[];
  /** Per row, the COPY text before the version column and after it. */
  readonly before: readonly string[];
  readonly after: readonly string[];
}

/** Why an import event cannot be written (undefined: it can). Records its event id as seen. */
export function checkEvent(registry: Registry, event: BulkEvent, eventIds?: Set<string>): string | undefined {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return 'is not an event object';
  const definition = Object.hasOwn(registry.events, event.type) ? registry.events[event.type] : undefined;
  if (definition === undefined) return `event type ${JSON.stringify(event.type)} is not in the registry`;
  if (definition.aggregateType !== event.aggregateType) return `event type ${event.type} belongs to ${definition.aggregateType}, not to ${JSON.stringify(event.aggregateType)}`;
  // COPY writes rows as given: personal values would be stored in clear (docs/personal-data.md, "Limits").
  if (definition.personalData !== undefined) return `${event.type} carries personal data (pii fields), which a bulk import cannot encrypt: append it with appendToStream or appendMany`;
  const problem = reasonOf(() => {
    checkStream(registry, event.aggregateType, event.aggregateId);
    if (event.eventVersion !== undefined) integerIn('eventVersion', event.eventVersion, 1, definition.version);
    if (event.version !== undefined) integerIn('version', event.version, 1);
    if (event.occurredAt !== undefined) storableDate('occurredAt', event.occurredAt);
    for (const field of ['eventId', 'correlationId', 'causationId'] as const) {
      const value = event[field];
      if (value !== undefined && value !== null) uuid(field, value);
    }
    if (event.metadata !== undefined && event.metadata !== null) plainJsonObject('metadata', event.metadata);
  });
  if (problem !== undefined) return problem;
  const version = event.eventVersion ?? definition.version;
  const validation = definition.validate(version, event.data);
  if (!validation.ok) {
    const issue = validation.errors[0];
    return `${event.type} v${version} is invalid at ${issue?.path === '' ? '(payload)' : issue?.path}: ${issue?.message ?? 'invalid'}`;
  }
  if (event.eventId !== undefined && eventIds !== undefined) {
    const id = event.eventId.toLowerCase();
    if (eventIds.has(id)) return `event id ${event.eventId} appears twice in the import`;
    eventIds.add(id);
  }
  return undefined;
}

/** The message of the esgen error `check` throws, or undefined when it passes. */
function reasonOf(check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (isEsgenError(error)) return error.message.replace(/\.$/, '');
    throw error;
  }
}

function streamKey(event: BulkEvent): string {
  return `${event.aggregateType}\u0000${event.aggregateId}`;
}

/** A COPY that collides with stored rows: a stream written meanwhile, or an event id already stored. */
function explainCollision(error: unknown): unknown {
  const candidate = error as { code?: unknown; constraint?: unknown; detail?: unknown } | null;
  if (candidate?.code !== '23505') return error;
  if (candidate.constraint === 'events_pkey') {
    return new InvalidImport([{ index: -1, message: `an event id is already stored (${String(candidate.detail ?? 'events_pkey')})` }]);
  }
  if (candidate.constraint === 'events_stream_version_unique') {
    const match = /\(aggregate_type, aggregate_id, version\)=\((.*), (.*), (\d+)\)/.exec(String(candidate.detail ?? ''));
    const [, type = '?', id = '?', version = '0'] = match ?? [];
    return new ConcurrencyError(type, id, Number(version) - 1, Number(version));
  }
  return error;
}

/**
 * After a bulk write, what autovacuum would do soon, now: planner statistics for the reads that
 * still plan from them (stream reads, time ranges) when the import changed the table by more than
 * 50 rows + 10% (autovacuum's analyze threshold), and the BRIN summary of the new pages. Best
 * effort: a role that does not own the table may not analyze it.
 */
export async function refreshAfterImport(client: SqlClient, quotedSchema: string, imported: number): Promise<void> {
  try {
    const { rows } = await client.query<{ tuples: number }>(`SELECT greatest(reltuples, 0)::float8 AS tuples FROM pg_class WHERE oid = $1::regclass`, [
      `${quotedSchema}.events`,
    ]);
    if (imported > 50 + 0.1 * Number(rows[0]?.tuples ?? 0)) {
      await client.query(`ANALYZE ${quotedSchema}.events (aggregate_type, aggregate_id, version, event_type, occurred_at, transaction_id, global_position)`);
    }
    await client.query(`SELECT brin_summarize_new_values($1::regclass)`, [`${quotedSchema}.idx_events_occurred_brin`]);
  } catch {
    // Statistics are an optimisation: the import itself has committed.
  }
}

const JSON_FIELDS = new Set(['aggregateType', 'aggregateId', 'type', 'data', 'eventVersion', 'version', 'eventId', 'occurredAt', 'metadata', 'correlationId', 'causationId']);

/**
 * One import event from its JSON form (a line of `esgen events import`): the BulkEvent fields,
 * with `occurredAt` as an ISO 8601 string. Returns why it is not one instead, when it is not.
 */
export function bulkEventFromJson(value: unknown): BulkEvent | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not a JSON object';
  const record = value as Record<string, unknown>;
  const unknownField = Object.keys(record).find((key) => !JSON_FIELDS.has(key));
  if (unknownField !== undefined) return `unknown field ${JSON.stringify(unknownField)} (fields: ${[...JSON_FIELDS].join(', ')})`;
  for (const field of ['aggregateType', 'aggregateId', 'type'] as const) {
    if (typeof record[field] !== 'string') return `${field} must be a string`;
  }
  if (!('data' in record)) return 'data is missing';
  for (const field of ['eventVersion', 'version'] as const) {
    if (record[field] !== undefined && typeof record[field] !== 'number') return `${field} must be a number`;
  }
  let occurredAt: Date | undefined;
  if (record.occurredAt !== undefined) {
    if (typeof record.occurredAt !== 'string' || !/^\d{4}-\d{2}-\d{2}T[^ ]*(Z|[+-]\d{2}:?\d{2})$/.test(record.occurredAt)) {
      return 'occurredAt must be an ISO 8601 date-time with a time zone, e.g. 2019-05-01T09:30:00Z';
    }
    occurredAt = new Date(record.occurredAt);
  }
  return { ...(record as unknown as BulkEvent), ...(occurredAt === undefined ? {} : { occurredAt }) };
}
