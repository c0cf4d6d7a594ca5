/**
 * The read statements of the event store, built once per schema. 64-bit values (global_position,
 * transaction_id) are cast to text: `pg` returns int8 as a string and PGlite as a number, which
 * loses precision past 2^53; text + BigInt is exact on both. xid8 has no cast to bigint, but its
 * text form is its decimal value.
 */

export const ENVELOPE_COLUMNS =
  'event_id, aggregate_type, aggregate_id, version, event_type, event_version, event_data, metadata, occurred_at, correlation_id, causation_id, global_position::text AS position, transaction_id::text AS transaction_id, pii_subject';

/** Enough to rebuild an aggregate: no global position, which replay does not need. */
export const REPLAY_COLUMNS =
  'event_id, version, event_type, event_version, event_data, metadata, occurred_at, correlation_id, causation_id, pii_subject';

/**
 * REPLAY_COLUMNS of a store with personal data: a sealed payload (pii_subject set) comes as its
 * JSON text in sealed_data, event_data NULL. The vault opens it from the text, and a hot
 * aggregate's reload finds the text in its memo instead of having the driver parse ciphertexts
 * (docs/personal-data.md, "Performance"). Other payloads arrive parsed as usual.
 */
export const SEALED_REPLAY_COLUMNS =
  'event_id, version, event_type, event_version, CASE WHEN pii_subject IS NULL THEN event_data END AS event_data, CASE WHEN pii_subject IS NOT NULL THEN event_data::text END AS sealed_data, metadata, occurred_at, correlation_id, causation_id, pii_subject';

export interface ReadStatements {
  /** $1 type, $2 id, $3 first version, $4 last version. */
  readonly stream: string;
  /** As `stream`, and $5: stop before the first event that occurred after this instant. */
  readonly streamUntil: string;
  readonly replay: string;
  readonly replayUntil: string;
  readonly head: string;
  /** $1 from, $2 to (both inclusive), $3 limit. */
  readonly timeRange: string;
  /** $1 types, $2 after position, $3 limit. */
  readonly byType: string;
  /** $1 type, $2 id. */
  readonly streamVersion: string;
  /** $1 event id (the primary key). */
  readonly byId: string;
}

/** `personalData`: the store opens sealed payloads (SEALED_REPLAY_COLUMNS for replays). */
export function readStatements(quotedSchema: string, personalData = false): ReadStatements {
  const events = `${quotedSchema}.events`;
  const replayColumns = personalData ? SEALED_REPLAY_COLUMNS : REPLAY_COLUMNS;
  const streamRange = 'aggregate_type = $1 AND aggregate_id = $2 AND version BETWEEN $3::int AND $4::int';
  // A stream read "until" an instant is a prefix of the stream: it stops before the first event
  // that occurred later, so a state is never rebuilt from a non-contiguous set of events even when
  // business times (occurred_at, set by the caller) are out of order.
  const untilBound = `AND version < (SELECT coalesce(min(version), 2147483647) FROM ${events} WHERE aggregate_type = $1 AND aggregate_id = $2 AND occurred_at > $5::timestamptz)`;
  // Gap safety (the global feed itself is in feed-statements.ts): every transaction still running
  // has an id >= pg_snapshot_xmin(pg_current_snapshot()), so rows below it can no longer be joined
  // by a row that sorts before them. ORDER BY is qualified: unqualified names resolve to output
  // columns first, and the output column transaction_id is the text cast.
  return {
    stream: `SELECT ${ENVELOPE_COLUMNS} FROM ${events} WHERE ${streamRange} ORDER BY version`,
    streamUntil: `SELECT ${ENVELOPE_COLUMNS} FROM ${events} WHERE ${streamRange} ${untilBound} ORDER BY version`,
    replay: `SELECT ${replayColumns} FROM ${events} WHERE ${streamRange} ORDER BY version`,
    replayUntil: `SELECT ${replayColumns} FROM ${events} WHERE ${streamRange} ${untilBound} ORDER BY version`,
    head: `SELECT global_position::text AS position, transaction_id::text AS transaction_id FROM ${events}
WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY events.transaction_id DESC, events.global_position DESC
LIMIT 1`,
    timeRange: `SELECT ${ENVELOPE_COLUMNS} FROM ${events}
WHERE occurred_at BETWEEN $1::timestamptz AND $2::timestamptz
ORDER BY occurred_at, global_position
LIMIT $3`,
    byType: `SELECT ${ENVELOPE_COLUMNS} FROM ${events}
WHERE event_type = ANY($1::text[]) AND global_position > $2::bigint
ORDER BY global_position
LIMIT $3`,
    streamVersion: `SELECT coalesce(max(version), 0) AS version FROM ${events} WHERE aggregate_type = $1 AND aggregate_id = $2`,
    byId: `SELECT ${ENVELOPE_COLUMNS} FROM ${events} WHERE event_id = $1::uuid`,
  };
}
