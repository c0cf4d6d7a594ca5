import type { Migration } from './migration.js';

/**
 * The shared tables of the design (events, snapshots, projections, projection_positions), plus
 * what correct global reading needs. Released: never edit this file, add a migration instead
 * (test/runtime/migrations.pg.test.ts pins its checksum).
 *
 * - `global_position` is taken from an identity sequence at insert time, so it alone is not a safe
 *   checkpoint: a transaction can take position 10 and commit after the one holding 11.
 *   `transaction_id` (pg_current_xact_id(), PostgreSQL 13+) lets readers order by
 *   (transaction_id, global_position) and read only below pg_snapshot_xmin(pg_current_snapshot()),
 *   i.e. only transactions that can no longer commit "in the past". Index on that pair: one page of
 *   read-all is an index range scan, never a scan and sort of the whole table.
 * - The UNIQUE (aggregate_type, aggregate_id, version) constraint's btree is the design's
 *   "(aggregate_type, aggregate_id, version)" index: a second identical index would only slow
 *   every append, so there is none.
 * - `event_version` is the stored payload version; reads upcast it to the current one.
 */
export const initialMigration: Migration = {
  version: 1,
  name: 'initial',
  statements: [
    `CREATE TABLE {{schema}}.events (
  event_id uuid PRIMARY KEY,
  aggregate_type varchar(255) NOT NULL,
  aggregate_id varchar(255) NOT NULL,
  version integer NOT NULL,
  event_type varchar(255) NOT NULL,
  event_version integer NOT NULL DEFAULT 1,
  event_data jsonb NOT NULL,
  metadata jsonb,
  occurred_at timestamptz NOT NULL,
  correlation_id uuid,
  causation_id uuid,
  global_position bigint GENERATED ALWAYS AS IDENTITY,
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  CONSTRAINT events_stream_version_unique UNIQUE (aggregate_type, aggregate_id, version),
  CONSTRAINT events_version_positive CHECK (version > 0),
  CONSTRAINT events_event_version_positive CHECK (event_version > 0)
)`,
    `CREATE INDEX idx_events_type ON {{schema}}.events (event_type)`,
    `CREATE INDEX idx_events_occurred ON {{schema}}.events (occurred_at)`,
    `CREATE INDEX idx_events_global_order ON {{schema}}.events (transaction_id, global_position)`,
    `CREATE TABLE {{schema}}.snapshots (
  aggregate_type varchar(255) NOT NULL,
  aggregate_id varchar(255) NOT NULL,
  version integer NOT NULL,
  state jsonb NOT NULL,
  state_fingerprint varchar(255) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (aggregate_type, aggregate_id)
)`,
    `CREATE TABLE {{schema}}.projections (
  id varchar(255) NOT NULL,
  projection_name varchar(255) NOT NULL,
  data jsonb NOT NULL,
  version integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, projection_name)
)`,
    `CREATE INDEX idx_projections_data ON {{schema}}.projections USING gin (data)`,
    `CREATE INDEX idx_projections_name ON {{schema}}.projections (projection_name)`,
    `CREATE TABLE {{schema}}.projection_positions (
  projection_name varchar(255) PRIMARY KEY,
  last_processed_position bigint NOT NULL DEFAULT 0,
  last_processed_transaction_id xid8 NOT NULL DEFAULT '0',
  last_processed_at timestamptz NOT NULL DEFAULT now()
)`,
  ],
};
