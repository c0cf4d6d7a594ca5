import type { Migration } from './migration.js';

/**
 * What the read-model runtime (runtime/projections) needs beside the design's tables. Released:
 * never edit this file, add a migration instead.
 *
 * - projection_positions gains the failure record (`status`, the failing event, the message, the
 *   retry schedule) so a failing mapper stops its projection visibly instead of skipping or
 *   hot-looping, the definition fingerprint the rows were built with, and a `kind` telling read
 *   models, subscriptions and rebuild shadows apart.
 * - projection_leases: one row per projection, owned by at most one worker until `expires_at`.
 *   Every batch locks its lease row (SELECT … FOR UPDATE / UPDATE) inside the batch transaction,
 *   which fences a worker whose lease was taken over without any session state (PgBouncer-safe).
 * - projection_workers: heartbeats of live workers, so each claims only its fair share.
 * - projection_rebuilds: a blue/green rebuild in progress (shadow name, target, progress).
 * - esgen_timestamptz: an IMMUTABLE text → timestamptz cast for expression indexes. The built-in
 *   cast is only STABLE (it reads TimeZone/DateStyle for strings without an offset), and
 *   PostgreSQL accepts only immutable expressions in an index. Our JSON timestamps carry an offset
 *   (ISO 8601 with `Z`), for which the result does not depend on those settings.
 */
export const readModelRuntimeMigration: Migration = {
  version: 2,
  name: 'read-model-runtime',
  statements: [
    `ALTER TABLE {{schema}}.projection_positions
  ADD COLUMN kind varchar(16) NOT NULL DEFAULT 'read_model',
  ADD COLUMN status varchar(16) NOT NULL DEFAULT 'running',
  ADD COLUMN fingerprint varchar(255),
  ADD COLUMN events_processed bigint NOT NULL DEFAULT 0,
  ADD COLUMN error_position bigint,
  ADD COLUMN error_transaction_id xid8,
  ADD COLUMN error_event_id uuid,
  ADD COLUMN error_event_type varchar(255),
  ADD COLUMN error_message text,
  ADD COLUMN error_at timestamptz,
  ADD COLUMN error_attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN retry_at timestamptz,
  ADD CONSTRAINT projection_positions_kind_check CHECK (kind IN ('read_model', 'subscription', 'rebuild')),
  ADD CONSTRAINT projection_positions_status_check CHECK (status IN ('running', 'failed'))`,
    `CREATE TABLE {{schema}}.projection_leases (
  projection_name varchar(255) PRIMARY KEY,
  owner varchar(255),
  expires_at timestamptz NOT NULL DEFAULT now(),
  acquired_at timestamptz,
  renewed_at timestamptz
)`,
    `CREATE TABLE {{schema}}.projection_workers (
  worker_id varchar(255) PRIMARY KEY,
  host varchar(255),
  pid integer,
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now()
)`,
    `CREATE TABLE {{schema}}.projection_rebuilds (
  projection_name varchar(255) PRIMARY KEY,
  shadow_name varchar(255) NOT NULL,
  owner varchar(255) NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  total_events bigint NOT NULL DEFAULT 0
)`,
    `CREATE FUNCTION {{schema}}.esgen_timestamptz(value text) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS 'SELECT value::timestamptz'`,
  ],
};
