import type { EventEnvelope, ReadModelDefinition, Registry } from '../contracts.js';
import type { SqlExecutor } from '../sql-client.js';
import { prepared } from '../store/statement.js';
import { applyKeyedEvents, keyEvents } from './apply-events.js';
import { ProjectionMapperFailed, ReadModelShapeChanged } from './projection-errors.js';
import { advisoryNamespace } from './projection-leases.js';
import { loadRows, rowStatements, writeRows } from './projection-rows.js';
import { projectionTables } from './projection-tables.js';

export interface InlineProjectorOptions {
  readonly schema?: string;
}

/** The hook the event store runs inside the append transaction, after inserting the events. */
export type InlineProjector = (tx: SqlExecutor, events: readonly EventEnvelope[]) => Promise<void>;

/**
 * Updates every `mode: 'inline'` read model inside the append's transaction: when the append
 * commits the rows are current, and a mapper that throws rolls the append back (the error is a
 * ProjectionMapperFailed, ESG220).
 *
 * Concurrent appends of different aggregates may update the same row (a per-day bucket): each
 * transaction takes a transaction-scoped advisory lock per (projection, row id) in id order
 * before loading, so the second waits for the first to commit and then reads its row; a lost
 * update is impossible and the id order rules out deadlocks. Rows that do not exist yet are
 * covered too, which SELECT … FOR UPDATE could not do. A shared lock on the projection lets a
 * rebuild's switch (which takes it exclusively) wait for appends in flight. An append refuses
 * (ReadModelShapeChanged, ESG227) to write rows recorded as built by another fingerprint: a
 * process of older code keeps running while a newer release rebuilt the read model.
 *
 * @example createEventStore({ client, registry, onAppend: createInlineProjector(registry) })
 */
export function createInlineProjector(registry: Registry, options: InlineProjectorOptions = {}): InlineProjector {
  const tables = projectionTables(options.schema);
  const statements = rowStatements(tables);
  const namespace = advisoryNamespace(tables.schema);
  const inline = Object.values(registry.readModels).filter((definition) => definition.mode === 'inline');
  const byType = new Map<string, ReadModelDefinition<any>[]>();
  for (const definition of inline) {
    for (const type of definition.eventTypes) byType.set(type, [...(byType.get(type) ?? []), definition]);
  }
  const typeSets = new Map(inline.map((definition) => [definition, new Set(definition.eventTypes)]));
  // Locks each (projection, id) for the rest of the transaction, in id order so two transactions
  // touching the same rows cannot deadlock (advisory xact locks also cover rows that do not exist
  // yet, which SELECT … FOR UPDATE cannot, and hold no session state); plus the fingerprint the
  // stored rows were built with.
  const lockProjection = `SELECT pg_advisory_xact_lock_shared(hashtextextended($1 || '/' || $2, 0))`;
  const lockAndReadShape = `SELECT (SELECT fingerprint FROM ${tables.positions} WHERE projection_name = $1) AS fingerprint,
  (SELECT count(pg_advisory_xact_lock(hashtextextended($1 || '/' || k, 0))) FROM (SELECT DISTINCT k FROM unnest($2::text[]) AS k ORDER BY k) AS keys)::int AS locked`;

  return async (tx, events) => {
    const touched = new Set<ReadModelDefinition<any>>();
    for (const event of events) for (const definition of byType.get(event.type) ?? []) touched.add(definition);
    for (const definition of touched) {
      const keyed = keyEvents(definition, events, typeSets.get(definition)!);
      if (keyed.failure !== undefined) {
        throw new ProjectionMapperFailed(definition.projection, keyed.failure.event.position, keyed.failure.event.type, keyed.failure.error);
      }
      if (keyed.keyed.length === 0) continue;
      const ids = [...new Set(keyed.keyed.map((entry) => entry.key))];
      await tx.query(lockProjection, [namespace, definition.projection], prepared(lockProjection));
      // A separate statement, so its snapshot is taken after the projection lock was granted: a
      // rebuild switch to another shape (which holds that lock exclusively) is visible here.
      const locked = await tx.query<{ fingerprint: string | null }>(lockAndReadShape, [definition.projection, ids], prepared(lockAndReadShape));
      const stored = locked.rows[0]?.fingerprint ?? null;
      if (stored !== null && stored !== definition.fingerprint) {
        // The rows were rebuilt for another mapping or mode (a newer deploy): writing them with
        // this one would mix shapes or apply events twice. The append rolls back.
        throw new ReadModelShapeChanged([{ projection: definition.projection, mode: 'inline', storedFingerprint: stored, fingerprint: definition.fingerprint, rows: -1 }]);
      }
      const loaded = await loadRows(tx, statements, definition.projection, ids);
      const applied = applyKeyedEvents(definition, keyed.keyed, loaded, (event) => events.indexOf(event));
      if (applied.failure !== undefined) {
        throw new ProjectionMapperFailed(definition.projection, applied.failure.event.position, applied.failure.event.type, applied.failure.error);
      }
      await writeRows(tx, statements, definition.projection, applied.writes);
    }
  };
}
