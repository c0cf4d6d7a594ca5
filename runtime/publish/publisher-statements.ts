import type { ProjectionTables } from '../projections/projection-tables.js';

/** SQL over migration 4's publishers and publisher_workers tables. */
export interface PublisherStatements {
  /** $1 name, $2 destination, $3 event types. Registers the publisher; keeps its pause switch. */
  readonly register: string;
  readonly paused: string;
  /** $1 name, $2 true/false; returns the name when the publisher exists. */
  readonly setPaused: string;
  readonly all: string;
  /** $1 name, $2 worker, $3 host, $4 pid, $5 published since the last heartbeat. */
  readonly heartbeat: string;
  /** $1 name, $2 worker, $3 message (null clears). */
  readonly recordError: string;
  readonly removeWorker: string;
  /** Every worker row with its heartbeat age in seconds. */
  readonly workers: string;
  /** Workers silent for $1 seconds × 3 are forgotten. */
  readonly pruneWorkers: string;
}

export function publisherStatements(tables: ProjectionTables): PublisherStatements {
  const publishers = `${tables.quotedSchema}.publishers`;
  const workers = `${tables.quotedSchema}.publisher_workers`;
  return {
    register: `INSERT INTO ${publishers} (publisher_name, destination, event_types) VALUES ($1, $2, $3::text[])
ON CONFLICT (publisher_name) DO UPDATE SET destination = EXCLUDED.destination, event_types = EXCLUDED.event_types`,
    paused: `SELECT paused FROM ${publishers} WHERE publisher_name = $1`,
    setPaused: `UPDATE ${publishers} SET paused = $2, paused_at = CASE WHEN $2 THEN now() END WHERE publisher_name = $1 RETURNING publisher_name`,
    all: `SELECT publisher_name, destination, event_types, paused, paused_at FROM ${publishers} ORDER BY publisher_name`,
    heartbeat: `INSERT INTO ${workers} (publisher_name, worker_id, host, pid, published) VALUES ($1, $2, $3, $4, $5::bigint)
ON CONFLICT (publisher_name, worker_id) DO UPDATE SET heartbeat_at = now(), published = ${workers}.published + EXCLUDED.published`,
    recordError: `UPDATE ${workers} SET last_error = $3, last_error_at = CASE WHEN $3::text IS NULL THEN last_error_at ELSE now() END
WHERE publisher_name = $1 AND worker_id = $2`,
    removeWorker: `DELETE FROM ${workers} WHERE publisher_name = $1 AND worker_id = $2`,
    workers: `SELECT publisher_name, worker_id, host, pid, started_at, heartbeat_at, published::text AS published, last_error, last_error_at,
  extract(epoch FROM now() - heartbeat_at)::float8 AS silent_seconds
FROM ${workers} ORDER BY publisher_name, worker_id`,
    pruneWorkers: `DELETE FROM ${workers} WHERE heartbeat_at < now() - make_interval(secs => $1::double precision * 3)`,
  };
}

/** The checkpoint row and lease of publisher `name` are named `publisher.<name>`: no clash with read models. */
export function publisherPositionName(name: string): string {
  return `publisher.${name}`;
}
