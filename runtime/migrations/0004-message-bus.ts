import type { Migration } from './migration.js';

/**
 * What the message-bus publisher (runtime/publish) needs beside the read-model runtime it reuses.
 * Released once merged: never edit this file, add a migration instead.
 *
 * - projection_positions accepts kind 'publisher': a publisher is a consumer of the gap-safe feed
 *   like a subscription, with its checkpoint, failure record, lease and backoff, and its
 *   checkpoint moves only after the broker acknowledged the batch.
 * - publishers: per publisher, the operator's pause switch, where it publishes to and which event
 *   types (shown by `esgen publish status`, which computes the lag over those types, so an
 *   operator needs no application config to see them).
 * - publisher_workers: per process running a publisher, its heartbeat and its last transient
 *   error (broker or database unreachable: retried with backoff, never recorded as a failure of
 *   an event), so status shows every worker, active or standing by. Separate from
 *   projection_workers on purpose: read-model workers divide their projections by that table's
 *   live count, which publishers must not change.
 */
export const messageBusMigration: Migration = {
  version: 4,
  name: 'message-bus',
  statements: [
    `ALTER TABLE {{schema}}.projection_positions
  DROP CONSTRAINT projection_positions_kind_check,
  ADD CONSTRAINT projection_positions_kind_check CHECK (kind IN ('read_model', 'subscription', 'rebuild', 'publisher'))`,
    `CREATE TABLE {{schema}}.publishers (
  publisher_name varchar(255) PRIMARY KEY,
  destination text,
  event_types text[],
  paused boolean NOT NULL DEFAULT false,
  paused_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
)`,
    `CREATE TABLE {{schema}}.publisher_workers (
  publisher_name varchar(255) NOT NULL,
  worker_id varchar(255) NOT NULL,
  host varchar(255),
  pid integer,
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  published bigint NOT NULL DEFAULT 0,
  last_error text,
  last_error_at timestamptz,
  PRIMARY KEY (publisher_name, worker_id)
)`,
  ],
};
