import type { EventEnvelope, ReadModelDefinition, Registry } from '../../runtime/index.js';
import { createEventStore, type PostgresEventStore } from '../../runtime/index.js';
import { migrate } from '../../runtime/admin.js';
import { createInlineProjector, ensureReadModelIndexes, replayReadModel } from '../../runtime/admin.js';
import type { SqlClient } from '../../runtime/sql-client.js';
import { ORIGIN } from '../../runtime/projections/checkpoint.js';
import { readFeedPage } from '../../runtime/projections/event-feed.js';
import { projectionContext } from '../../runtime/projections/projection-batch.js';
import type { TestDatabase } from '../support/database.js';
import { testVault } from '../support/personal-data.js';

/**
 * Migrates the suite's schema, creates the read-model indexes and a store with the inline hook
 * and a master key for personal data (workers reading the store take `store.personalData`).
 */
export async function prepareLedger(db: TestDatabase, registry: Registry): Promise<PostgresEventStore> {
  await migrate(db.client, { schema: db.schema });
  await ensureReadModelIndexes(db.client, registry, db.schema);
  return createEventStore({ client: db.client, registry, schema: db.schema, onAppend: createInlineProjector(registry, { schema: db.schema }), personalData: testVault(db.client, db.schema) });
}

/** Every row of a projection, by id. */
export async function projectionRows(client: SqlClient, schema: string, projection: string): Promise<Map<string, unknown>> {
  const result = await client.query<{ id: string; data: unknown }>(`SELECT id, data FROM "${schema}".projections WHERE projection_name = $1 ORDER BY id`, [
    projection,
  ]);
  return new Map(result.rows.map((row) => [row.id, row.data]));
}

/**
 * Every stored event in global order (read after all writers finished), through the projections'
 * own gap-safe feed: the reference the replay comparisons are built from.
 */
export async function allEvents(store: PostgresEventStore): Promise<EventEnvelope[]> {
  const ctx = projectionContext(store.client, store.registry, store.schema, store.personalData);
  const page = await readFeedPage(store.client, ctx.feed, store.registry, ORIGIN, 10_000_000, undefined, false, store.personalData);
  return page.events;
}

/** The rows a full replay computes, as plain JSON (as they come back from JSONB). */
export function expectedRows(definition: ReadModelDefinition<any>, events: readonly EventEnvelope[]): Map<string, unknown> {
  const rows = replayReadModel(definition, events);
  return new Map([...rows].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, row]) => [id, JSON.parse(JSON.stringify(row))]));
}

export function deposit(amount: number, note?: string, occurredAt?: Date) {
  return { type: 'MoneyDeposited', data: note === undefined ? { amount } : { amount, note }, ...(occurredAt ? { occurredAt } : {}) };
}
