import type { EventEnvelope, ReadModelDefinition, Registry } from '../contracts.js';
import type { SqlExecutor } from '../sql-client.js';
import { applyKeyedEvents, keyEvents } from './apply-events.js';
import { ProjectionMapperFailed } from './projection-errors.js';
import { advisoryNamespace } from './projection-leases.js';
import { loadRows, lockRowKeys, rowStatements, writeRows } from './projection-rows.js';
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
 * rebuild's switch (which takes it exclusively) wait for appends in flight.
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
      await tx.query(`SELECT pg_advisory_xact_lock_shared(hashtextextended($1 || '/' || $2, 0))`, [namespace, definition.projection]);
      await lockRowKeys(tx, statements, definition.projection, ids);
      const loaded = await loadRows(tx, statements, definition.projection, ids);
      const applied = applyKeyedEvents(definition, keyed.keyed, loaded, (event) => events.indexOf(event));
      if (applied.failure !== undefined) {
        throw new ProjectionMapperFailed(definition.projection, applied.failure.event.position, applied.failure.event.type, applied.failure.error);
      }
      await writeRows(tx, statements, definition.projection, applied.writes);
    }
  };
}
