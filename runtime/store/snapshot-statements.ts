/**
 * Snapshot statements: one row per aggregate (the latest), keyed like the design's table.
 * The write never moves a snapshot backwards: two savers racing past the same threshold leave the
 * newer one (ON CONFLICT … WHERE only updates from an older version).
 */
export interface SnapshotStatements {
  /** $1 type, $2 id, $3 fingerprint, $4 highest usable version. */
  readonly read: string;
  /** $1 type, $2 id, $3 version, $4 state (JSON text), $5 fingerprint. */
  readonly write: string;
}

export function snapshotStatements(quotedSchema: string): SnapshotStatements {
  const snapshots = `${quotedSchema}.snapshots`;
  return {
    read: `SELECT version, state FROM ${snapshots}
WHERE aggregate_type = $1 AND aggregate_id = $2 AND state_fingerprint = $3 AND version <= $4::int`,
    write: `INSERT INTO ${snapshots} AS s (aggregate_type, aggregate_id, version, state, state_fingerprint, created_at)
VALUES ($1, $2, $3::int, $4::jsonb, $5, now())
ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE
SET version = excluded.version, state = excluded.state, state_fingerprint = excluded.state_fingerprint, created_at = excluded.created_at
WHERE s.version < excluded.version OR s.state_fingerprint <> excluded.state_fingerprint`,
  };
}
