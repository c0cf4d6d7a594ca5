/**
 * The baseline a user would otherwise write: plain `pg` (or raw PGlite) inserting the design's
 * event rows into the design's table (its columns, `event_id` primary key and the UNIQUE
 * (aggregate_type, aggregate_id, version) constraint; none of esgen's indexes, no global order, no
 * notification), with the server's default synchronous_commit. Never esgen's SQL on esgen's table:
 * that would only measure esgen's JavaScript (the store bench keeps it as a separate line).
 */
import { randomUUID } from 'node:crypto';

/** One driver call: `name` makes it a named prepared statement (pg; PGlite ignores it). */
export type RawQuery = (sql: string, params: unknown[], name?: string) => Promise<{ rows: any[] }>;

export function designTable(quotedSchema: string): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${quotedSchema}`,
    `CREATE TABLE ${quotedSchema}.events (
  event_id uuid PRIMARY KEY,
  aggregate_type varchar(255) NOT NULL,
  aggregate_id varchar(255) NOT NULL,
  version integer NOT NULL,
  event_type varchar(255) NOT NULL,
  event_data jsonb NOT NULL,
  metadata jsonb,
  occurred_at timestamptz NOT NULL,
  correlation_id uuid,
  causation_id uuid,
  UNIQUE (aggregate_type, aggregate_id, version)
)`,
  ];
}

/** What a user reading "all events in order" from the design's table adds: a keyset index. */
export function designReadIndex(quotedSchema: string): string {
  return `CREATE INDEX ON ${quotedSchema}.events (occurred_at, event_id)`;
}

export interface PlainEvent {
  readonly type: string;
  readonly data: unknown;
}

export interface PlainStore {
  /** The schema-qualified events table. */
  readonly table: string;
  /** One event at `version` (the caller knows the stream's version, as with optimistic concurrency). */
  append(aggregateId: string, version: number, event: PlainEvent, prepared: boolean): Promise<void>;
  /** Several events of one stream, versions from `firstVersion`, in one statement. */
  appendBatch(aggregateId: string, firstVersion: number, events: readonly PlainEvent[], prepared: boolean): Promise<void>;
  /** A stream's rows in version order. */
  readStream(aggregateId: string, prepared: boolean): Promise<any[]>;
  /** One keyset page of every event in (occurred_at, event_id) order. */
  readPage(after: readonly [string, string] | null, limit: number, prepared: boolean): Promise<any[]>;
}

export function plainStore(raw: RawQuery, quotedSchema: string, aggregateType: string): PlainStore {
  const events = `${quotedSchema}.events`;
  const columns = 'event_id, aggregate_type, aggregate_id, version, event_type, event_data, metadata, occurred_at, correlation_id, causation_id';
  const insert = `INSERT INTO ${events} (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;
  const insertMany = `INSERT INTO ${events} (${columns})
SELECT e.id, $1, $2, $3 + e.n::int - 1, e.type, e.data::jsonb, NULL, e.at, NULL, NULL
FROM unnest($4::uuid[], $5::text[], $6::text[], $7::timestamptz[]) WITH ORDINALITY AS e(id, type, data, at, n)`;
  const stream = `SELECT ${columns} FROM ${events} WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY version`;
  const first = `SELECT ${columns} FROM ${events} ORDER BY occurred_at, event_id LIMIT $1`;
  const after = `SELECT ${columns} FROM ${events} WHERE (occurred_at, event_id) > ($1::timestamptz, $2::uuid) ORDER BY occurred_at, event_id LIMIT $3`;
  const name = (label: string) => `plain_${label}_${quotedSchema.replace(/\W/g, '')}`;
  return {
    table: events,
    async append(aggregateId, version, event, prepared) {
      const params = [randomUUID(), aggregateType, aggregateId, version, event.type, JSON.stringify(event.data), null, new Date().toISOString(), null, null];
      await raw(insert, params, prepared ? name('insert') : undefined);
    },
    async appendBatch(aggregateId, firstVersion, batch, prepared) {
      const at = new Date().toISOString();
      const params = [
        aggregateType,
        aggregateId,
        firstVersion,
        batch.map(() => randomUUID()),
        batch.map((event) => event.type),
        batch.map((event) => JSON.stringify(event.data)),
        batch.map(() => at),
      ];
      await raw(insertMany, params, prepared ? name('insert_many') : undefined);
    },
    async readStream(aggregateId, prepared) {
      return (await raw(stream, [aggregateType, aggregateId], prepared ? name('stream') : undefined)).rows;
    },
    async readPage(position, limit, prepared) {
      if (position === null) return (await raw(first, [limit], prepared ? name('first') : undefined)).rows;
      return (await raw(after, [position[0], position[1], limit], prepared ? name('after') : undefined)).rows;
    },
  };
}
