/**
 * What a data subject may ask for (GDPR articles 15, 17 and 20): everything stored about them,
 * and to be forgotten. Both find the subject's events through events.pii_subject (migration 5's
 * partial index), so neither scans the store.
 */
import type { EventEnvelope, Registry } from '../contracts.js';
import { storableString } from '../argument-checks.js';
import type { EventReplayer } from '../projections/event-replayer.js';
import type { SqlClient } from '../sql-client.js';
import type { PostgresEventStore } from '../store/event-store.js';
import { ENVELOPE_COLUMNS } from '../store/read-statements.js';
import { toEnvelopes, type EnvelopeRow } from '../store/stored-event.js';
import type { PersonalDataVault } from './personal-data-vault.js';
import { piiValues } from './pii-paths.js';

export interface SubjectEvent {
  readonly eventId: string;
  readonly type: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly version: number;
  readonly occurredAt: Date;
  /** The whole payload at its current version, personal values decrypted (redacted once forgotten). */
  readonly data: unknown;
  /** The personal values alone, by JSON pointer into `data`. */
  readonly personal: Readonly<Record<string, unknown>>;
}

export interface SubjectExport {
  readonly subjectId: string;
  /** True once forgotten: the personal values are the redacted ones. */
  readonly forgotten: boolean;
  readonly events: readonly SubjectEvent[];
}

export interface ForgetOptions {
  /**
   * Rebuild the read models that react to the subject's personal events, so that no copy of the
   * values stays in `projections`. Default true; false leaves it to `esgen projections rebuild`.
   */
  readonly rebuildReadModels?: boolean;
}

export interface ForgetReport {
  readonly subjectId: string;
  /** False when the subject had no key: never seen, or forgotten before. */
  readonly hadKey: boolean;
  readonly forgottenAt: Date;
  /** Snapshots deleted (aggregates with personal data are never snapshotted; older ones may exist). */
  readonly snapshotsDeleted: number;
  /** Read models that react to the subject's personal events: rebuilt, or to rebuild. */
  readonly readModels: readonly string[];
  readonly rebuilt: boolean;
}

export interface SubjectRequestTarget {
  readonly client: SqlClient;
  readonly registry: Registry;
  readonly store: PostgresEventStore;
  readonly vault: PersonalDataVault;
  readonly quotedSchema: string;
  readonly replayer: () => EventReplayer;
}

/** Every event of the subject, decrypted, with its personal values listed: `es.exportSubject(id)`. */
export async function exportSubject(target: SubjectRequestTarget, subjectId: string): Promise<SubjectExport> {
  storableString('subjectId', subjectId);
  const { rows } = await target.client.query<EnvelopeRow>(
    `SELECT ${ENVELOPE_COLUMNS} FROM ${target.quotedSchema}.events WHERE pii_subject = $1 ORDER BY events.transaction_id, events.global_position`,
    [subjectId],
  );
  const forgotten = await target.client.query<{ forgotten: boolean }>(`SELECT forgotten_at IS NOT NULL AS forgotten FROM ${target.quotedSchema}.pii_keys WHERE subject_id = $1`, [subjectId]);
  await target.store.openPersonalData(rows);
  const envelopes = toEnvelopes(target.registry, rows);
  return { subjectId, forgotten: forgotten.rows[0]?.forgotten === true, events: envelopes.map((envelope) => subjectEvent(target.registry, envelope)) };
}

function subjectEvent(registry: Registry, envelope: EventEnvelope): SubjectEvent {
  const definition = registry.events[envelope.type];
  const entries = definition?.personalData?.versions[definition.version - 1] ?? [];
  return {
    eventId: envelope.eventId,
    type: envelope.type,
    aggregateType: envelope.aggregateType,
    aggregateId: envelope.aggregateId,
    version: envelope.version,
    occurredAt: envelope.occurredAt,
    data: envelope.data,
    personal: Object.fromEntries(piiValues(envelope.data, entries).map(({ path, value }) => [path, value])),
  };
}

/**
 * Forgets a subject: the key goes (one statement, vault.forget), then what may hold copies in
 * clear is cleaned: snapshots of the subject's aggregates are deleted, and the read models that
 * react to the subject's personal events are rebuilt (their rows then hold redacted values).
 */
export async function forgetSubject(target: SubjectRequestTarget, subjectId: string, options: ForgetOptions = {}): Promise<ForgetReport> {
  storableString('subjectId', subjectId);
  const forgotten = await target.vault.forget(subjectId);
  const schema = target.quotedSchema;
  const snapshots = await target.client.query(
    `DELETE FROM ${schema}.snapshots AS s USING (SELECT DISTINCT aggregate_type, aggregate_id FROM ${schema}.events WHERE pii_subject = $1) AS a
WHERE s.aggregate_type = a.aggregate_type AND s.aggregate_id = a.aggregate_id`,
    [subjectId],
  );
  const types = await target.client.query<{ event_type: string }>(`SELECT DISTINCT event_type FROM ${schema}.events WHERE pii_subject = $1`, [subjectId]);
  const personalTypes = new Set(types.rows.map((row) => row.event_type));
  const readModels = Object.values(target.registry.readModels)
    .filter((definition) => definition.eventTypes.some((type) => personalTypes.has(type)))
    .map((definition) => definition.name);
  const rebuild = options.rebuildReadModels !== false;
  if (rebuild && readModels.length > 0) {
    const replayer = target.replayer();
    for (const name of readModels) await replayer.rebuild(name);
  }
  return { ...forgotten, snapshotsDeleted: snapshots.rowCount ?? 0, readModels, rebuilt: rebuild };
}
