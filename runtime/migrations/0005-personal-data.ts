import type { Migration } from './migration.js';

/**
 * Personal data (docs/personal-data.md): crypto-shredding of `pii` values.
 *
 * - events.pii_subject: the data subject whose key encrypted the event's `pii` values, set at
 *   append (NULL for events without personal data). Adding a nullable column without a default
 *   only changes the catalog (no table rewrite). The feed functions of migration 3 return
 *   SETOF events, so they return the column too.
 * - idx_events_pii_subject: partial, so events without personal data cost nothing more to insert;
 *   it serves `exportSubject` and the re-projection after `forget` (the subject's events).
 * - pii_keys: one row per subject. While the subject is known: its AES-256 data key, wrapped
 *   (AES-256-GCM or a KMS) by the master key named by master_key_id; the key never touches the
 *   database in clear. Forgetting sets wrapped_key and master_key_id to NULL and forgotten_at to
 *   now() in one statement: the row stays as the tombstone. Key and tombstone share the primary
 *   key on purpose: a first append's INSERT … ON CONFLICT DO NOTHING and a forget's upsert of the
 *   same subject serialise on it, so no interleaving leaves a key beside a tombstone.
 */
export const personalDataMigration: Migration = {
  version: 5,
  name: 'personal-data',
  statements: [
    `ALTER TABLE {{schema}}.events ADD COLUMN pii_subject text`,
    `CREATE INDEX idx_events_pii_subject ON {{schema}}.events (pii_subject) WHERE pii_subject IS NOT NULL`,
    `CREATE TABLE {{schema}}.pii_keys (
  subject_id text PRIMARY KEY,
  wrapped_key bytea,
  master_key_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  forgotten_at timestamptz,
  CONSTRAINT pii_keys_key_or_tombstone CHECK ((wrapped_key IS NULL) = (forgotten_at IS NOT NULL) AND (wrapped_key IS NULL) = (master_key_id IS NULL))
)`,
  ],
};
