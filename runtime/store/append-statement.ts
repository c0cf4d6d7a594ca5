/**
 * The append statement: the expected-version check, the insert and the wake-up of projection
 * workers in ONE statement, so a single append needs one round trip and no BEGIN/COMMIT (a single
 * statement is atomic on its own).
 *
 * Parameters: $1 aggregate_type, $2 aggregate_id, $3..$4 the accepted range of the current stream
 * version (exact e → [e, e]; no_stream → [0, 0]; stream_exists → [1, max]; any → [0, max]), then the
 * events (scalars for one event, arrays unnested WITH ORDINALITY for several), metadata,
 * correlation id, causation id, and $13 the data subject of each event's personal values (NULL
 * without any; docs/personal-data.md).
 *
 * The current version comes from max(version) over the unique (aggregate_type, aggregate_id,
 * version) index. Two writers that both read version n and insert n+1 collide on that unique index:
 * the second blocks until the first commits, then fails with 23505, which the store maps to
 * ConcurrencyError. An expected version ahead of the stream matches no range and inserts nothing:
 * versions never have gaps.
 *
 * With a channel (PGlite, or wakeUp: 'in-transaction'), the statement also notifies the channel:
 * pg_notify is transactional, delivered at commit, never for a rolled-back append. It sits in an
 * uncorrelated scalar subquery (an InitPlan, evaluated once, and only when the first row is
 * returned), so a conflict notifies nobody and a batch notifies once. On a server the store
 * notifies after commit instead (wake-up.ts): notifying transactions commit one at a time.
 */
export interface AppendStatements {
  readonly single: string;
  readonly batch: string;
}

const COLUMNS =
  'event_id, aggregate_type, aggregate_id, version, event_type, event_version, event_data, metadata, occurred_at, correlation_id, causation_id, pii_subject';

export function appendStatements(quotedSchema: string, channel: string | undefined): AppendStatements {
  const events = `${quotedSchema}.events`;
  const currentVersion = `(SELECT coalesce(max(version), 0) AS v FROM ${events} WHERE aggregate_type = $1 AND aggregate_id = $2) AS stream`;
  const returning = 'RETURNING version, global_position::text AS position, transaction_id::text AS transaction_id';
  // The channel is derived from a validated schema name: safe to inline as a literal.
  const notify = channel === undefined ? '' : `, (SELECT pg_notify('${channel}', '')) AS notified`;
  const single = `WITH appended AS (
  INSERT INTO ${events} (${COLUMNS})
  SELECT $5::uuid, $1, $2, stream.v + 1, $6, $7::int, $8::jsonb, $10::jsonb, $9::timestamptz, $11::uuid, $12::uuid, $13::text
  FROM ${currentVersion}
  WHERE stream.v BETWEEN $3::int AND $4::int
  ${returning}
)
SELECT version, position, transaction_id${notify} FROM appended`;
  const batch = `WITH appended AS (
  INSERT INTO ${events} (${COLUMNS})
  SELECT e.event_id, $1, $2, stream.v + e.n::int, e.event_type, e.event_version, e.event_data::jsonb, $10::jsonb, e.occurred_at, $11::uuid, $12::uuid, e.pii_subject
  FROM ${currentVersion},
    unnest($5::uuid[], $6::text[], $7::int[], $8::text[], $9::timestamptz[], $13::text[]) WITH ORDINALITY AS e(event_id, event_type, event_version, event_data, occurred_at, pii_subject, n)
  WHERE stream.v BETWEEN $3::int AND $4::int
  ORDER BY e.n
  ${returning}
)
SELECT version, position, transaction_id${notify} FROM appended`;
  return { single, batch };
}

export interface AppendedRow {
  version: number;
  position: string;
  transaction_id: string;
}

/** The accepted range of current versions for an expected version ($3, $4). */
export const MAX_VERSION = 2_147_483_647;

export function currentVersionQuery(quotedSchema: string): string {
  return `SELECT coalesce(max(version), 0) AS version FROM ${quotedSchema}.events WHERE aggregate_type = $1 AND aggregate_id = $2`;
}
