/**
 * Read-model benchmarks, on a fresh database of the server (created and dropped here):
 *
 * - catch-up throughput: an async read model with 3 indexed fields catching up on 100,000 events
 *   through ReadModelManager (gap-safe reads, leases and fencing, batch apply, one multi-row upsert
 *   and the checkpoint per transaction), beside a plain `pg` loop applying the same mapper and the
 *   same upserts in the same batch size (read page, load rows, apply, upsert + checkpoint in one
 *   transaction) to a projection with the same indexes. Target: esgen ≥ 0.7 of the baseline.
 * - the same catch-up on embedded PGlite (in memory, 20,000 events) against raw PGlite queries.
 * - cross-aggregate catch-up: the orders example's CustomerOrders (a read model across the Customer
 *   and Order aggregates, keyed by customer id from both) catching up on 100,000 Customer and Order
 *   events through ReadModelManager, beside what a user would write by hand with `pg`: read the
 *   events in commit order, fold them into rows in plain TypeScript (no esgen mapper), upsert the
 *   rows into the projections table and save the position with prepared statements, per batch.
 *   Target: esgen ≥ 0.7 of the baseline.
 * - append → visible: time from an append's return to its row being readable in an async
 *   projection woken by LISTEN/NOTIFY (polling fallback set to 1 s so it cannot help).
 *
 *   npm run bench -- --only projections
 *   npm run bench -- --only projections:catch-up | projections:cross | projections:latency
 */
import pg from 'pg';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { ReadModelDefinition, Registry } from '../runtime/contracts.js';
import { createPgClient } from '../runtime/pg-client.js';
import { createPgliteClient } from '../runtime/pglite-client.js';
import type { SqlClient } from '../runtime/sql-client.js';
import { migrate } from '../runtime/migrations/migrate.js';
import { createEventStore } from '../runtime/store/event-store.js';
import { createReadModelManager } from '../runtime/projections/read-model-manager.js';
import { ensureReadModelIndexes } from '../runtime/projections/read-model-indexes.js';
import { accountSummary, ledgerRegistry, type AccountSummary } from '../test/projections/fixtures/ledger-registry.js';
import { customerOrdersReadModel, type CustomerOrdersRow } from '../examples/orders/src/generated/read-models/customer-orders.js';
import { registry as ordersRegistry } from '../examples/orders/src/generated/registry.js';
import type { BenchOptions } from './run.js';
import { createBenchDatabase } from './support/bench-database.js';
import { collectGarbage, median, time } from './support/measure.js';
import { formatNumber, printTable } from './support/print-table.js';

const SCHEMA = 'bench_projections';
const SERVER_EVENTS = 100_000;
const PGLITE_EVENTS = 20_000;
const ACCOUNTS = 10_000;
const BATCH = 500;
const REPETITIONS = 3;

/** The summary read model with exactly three indexed fields. */
const summary: ReadModelDefinition<AccountSummary> = {
  ...accountSummary,
  projection: 'bench_summary',
  indexes: accountSummary.indexes.filter((index) => index.field !== 'openedAt'),
};
const rawSummary: ReadModelDefinition<AccountSummary> = { ...summary, name: 'RawSummary', projection: 'bench_summary_raw' };
const registry: Registry = { ...ledgerRegistry, readModels: { Summary: summary } };
const indexRegistry: Registry = { ...ledgerRegistry, readModels: { Summary: summary, RawSummary: rawSummary } };

export default async function benchProjections(options: BenchOptions): Promise<void> {
  const header = ['workload', 'unit', 'baseline', 'esgen', 'esgen/baseline', 'target'];
  const database = await createBenchDatabase('projections', options.databaseUrl);
  const client = await createPgClient({ connectionString: database.url, poolConfig: { max: 8 } });
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  try {
    await migrate(client, { schema: SCHEMA });
    await ensureReadModelIndexes(client, indexRegistry, SCHEMA);
    const rows: string[][] = [];
    if (wanted(options.only, 'catch-up')) rows.push(await catchUp(client, rawPg(pool), SERVER_EVENTS));
    if (wanted(options.only, 'latency')) rows.push(...(await latency(client, pool)));
    if (wanted(options.only, 'cross-aggregate catch-up')) rows.push(await crossCatchUp(client, pool, SERVER_EVENTS));
    printTable('read models on the PostgreSQL server', header, rows);
  } finally {
    await pool.end();
    await client.close();
    await database.drop();
  }
  if (!wanted(options.only, 'catch-up') || options.only === 'cross') return;
  const lite = await PGlite.create();
  try {
    const liteClient = await createPgliteClient({ db: lite });
    await migrate(liteClient, { schema: SCHEMA });
    await ensureReadModelIndexes(liteClient, indexRegistry, SCHEMA);
    printTable('read models on embedded PGlite (in memory)', header, [await catchUp(liteClient, rawPglite(lite), PGLITE_EVENTS)]);
  } finally {
    await lite.close();
  }
}

function wanted(only: string | undefined, workload: string): boolean {
  return only === undefined || workload.includes(only);
}

async function seedEvents(db: RawDb, count: number): Promise<void> {
  // Accounts interleaved in global order: event i belongs to account i % ACCOUNTS; the first event
  // of each account opens it, the rest are deposits. Transactions of 1,000 events.
  for (let from = 0; from < count; from += 1000) {
    await db.query(
      `INSERT INTO ${SCHEMA}.events (event_id, aggregate_type, aggregate_id, version, event_type, event_version, event_data, occurred_at)
       SELECT gen_random_uuid(), 'Account', 'acc-' || (i % ${ACCOUNTS}), i / ${ACCOUNTS} + 1,
              CASE WHEN i < ${ACCOUNTS} THEN 'AccountOpened' ELSE 'MoneyDeposited' END, 1,
              CASE WHEN i < ${ACCOUNTS} THEN jsonb_build_object('owner', 'owner-' || (i % 97)) ELSE jsonb_build_object('amount', 1 + i % 89) END,
              timestamptz '2026-01-01' + make_interval(secs => i)
       FROM generate_series($1::int, $2::int) AS i`,
      [from, from + 999],
    );
  }
  await db.query(`ANALYZE ${SCHEMA}.events`);
}

async function reset(db: RawDb, projection: string): Promise<void> {
  await db.query(`DELETE FROM ${SCHEMA}.projections WHERE projection_name = $1`, [projection]);
  await db.query(`DELETE FROM ${SCHEMA}.projection_positions WHERE projection_name = $1`, [projection]);
  await db.query(`DELETE FROM ${SCHEMA}.projection_leases WHERE projection_name = $1`, [projection]);
  await db.query(`VACUUM ANALYZE ${SCHEMA}.projections`);
}

/** The driver-level baseline: plain `pg` or plain PGlite, no esgen code. */
interface RawDb {
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>;
  transaction<T>(work: (tx: { query(sql: string, params?: unknown[]): Promise<{ rows: any[] }> }) => Promise<T>): Promise<T>;
}

function rawPg(pool: pg.Pool): RawDb {
  return {
    query: (sql, params) => pool.query(sql, params),
    async transaction(work) {
      const connection = await pool.connect();
      try {
        await connection.query('BEGIN');
        const result = await work({ query: (sql, params) => connection.query(sql, params) });
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK');
        throw error;
      } finally {
        connection.release();
      }
    },
  };
}

function rawPglite(lite: PGlite): RawDb {
  return {
    query: (sql, params) => lite.query(sql, params),
    transaction: (work) => lite.transaction((tx: Transaction) => work({ query: (sql, params) => tx.query(sql, params) })),
  };
}

/** The plain contender: the same gap-safe page, mapper, upsert and checkpoint, no framework. */
async function rawCatchUp(db: RawDb): Promise<void> {
  let transactionId = '0';
  let position = '0';
  for (;;) {
    const page = await db.query(
      `SELECT event_id, aggregate_type, aggregate_id, version, event_type, event_version, event_data, metadata, occurred_at, correlation_id, causation_id,
              global_position::text AS position, transaction_id::text AS transaction_id
       FROM ${SCHEMA}.events AS e
       WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
         AND event_type = ANY($4::text[])
       ORDER BY e.transaction_id, e.global_position LIMIT $3`,
      [transactionId, position, BATCH, rawSummary.eventTypes],
    );
    if (page.rows.length === 0) return;
    const events = page.rows.map((row) => ({
      type: row.event_type,
      data: row.event_data,
      storedVersion: row.event_version,
      eventId: row.event_id,
      aggregateType: row.aggregate_type,
      aggregateId: row.aggregate_id,
      version: row.version,
      occurredAt: row.occurred_at,
      correlationId: row.correlation_id,
      causationId: row.causation_id,
      metadata: row.metadata ?? {},
      position: BigInt(row.position),
      transactionId: BigInt(row.transaction_id),
    }));
    const keys = [...new Set(events.map((event) => rawSummary.keyOf(event)!))];
    const last = page.rows[page.rows.length - 1];
    await db.transaction(async (tx) => {
      const loaded = await tx.query(`SELECT id, data, version FROM ${SCHEMA}.projections WHERE projection_name = $1 AND id = ANY($2::text[])`, [
        rawSummary.projection,
        keys,
      ]);
      const current = new Map<string, { data: AccountSummary; version: number }>(loaded.rows.map((row) => [row.id, { data: row.data, version: row.version }]));
      for (const event of events) {
        const key = rawSummary.keyOf(event)!;
        const change = rawSummary.apply(current.get(key)?.data, event);
        if (change.kind === 'upsert') current.set(key, { data: change.row, version: (current.get(key)?.version ?? 0) + 1 });
      }
      await tx.query(
        `INSERT INTO ${SCHEMA}.projections (id, projection_name, data, version)
         SELECT r.id, $1, r.data, r.version FROM jsonb_to_recordset($2::jsonb) AS r(id text, data jsonb, version integer)
         ON CONFLICT (id, projection_name) DO UPDATE SET data = EXCLUDED.data, version = EXCLUDED.version, updated_at = now()`,
        [rawSummary.projection, JSON.stringify(keys.map((id) => ({ id, data: current.get(id)!.data, version: current.get(id)!.version })))],
      );
      await tx.query(
        `INSERT INTO ${SCHEMA}.projection_positions (projection_name, last_processed_transaction_id, last_processed_position) VALUES ($1, $2::xid8, $3::bigint)
         ON CONFLICT (projection_name) DO UPDATE SET last_processed_transaction_id = EXCLUDED.last_processed_transaction_id,
           last_processed_position = EXCLUDED.last_processed_position, last_processed_at = now()`,
        [rawSummary.projection, last.transaction_id, last.position],
      );
    });
    transactionId = last.transaction_id;
    position = last.position;
  }
}

async function esgenCatchUp(client: SqlClient): Promise<void> {
  const manager = createReadModelManager({ client, registry, schema: SCHEMA, batchSize: BATCH, pollIntervalMs: 1000, leaseSeconds: 30 });
  await manager.start();
  await manager.waitForCatchUp({ timeoutMs: 600_000, pollMs: 5 });
  await manager.stop();
}

async function catchUp(client: SqlClient, raw: RawDb, events: number): Promise<string[]> {
  await seedEvents(raw, events);
  const samples = { esgen: [] as number[], raw: [] as number[] };
  for (let repetition = 0; repetition < REPETITIONS; repetition++) {
    const order = repetition % 2 === 0 ? (['esgen', 'raw'] as const) : (['raw', 'esgen'] as const);
    for (const name of order) {
      await reset(raw, name === 'esgen' ? summary.projection : rawSummary.projection);
      collectGarbage();
      samples[name].push(await time(() => (name === 'esgen' ? esgenCatchUp(client) : rawCatchUp(raw))));
    }
  }
  // Both must have built the same rows, or the comparison means nothing.
  const differing = await raw.query(
    `SELECT count(*)::int AS n FROM (SELECT * FROM ${SCHEMA}.projections WHERE projection_name = $1) a
     FULL JOIN (SELECT * FROM ${SCHEMA}.projections WHERE projection_name = $2) b USING (id)
     WHERE a.data IS DISTINCT FROM b.data`,
    [summary.projection, rawSummary.projection],
  );
  if (differing.rows[0].n !== 0) throw new Error(`catch-up bench: esgen and baseline rows differ (${differing.rows[0].n})`);
  const esgen = (events / median(samples.esgen)) * 1000;
  const baseline = (events / median(samples.raw)) * 1000;
  return [
    `catch-up, 3 indexed fields, ${formatNumber(events)} events, batches of ${BATCH}`,
    'events/s',
    formatNumber(baseline),
    formatNumber(esgen),
    formatNumber(esgen / baseline, 2),
    '≥ 0.70',
  ];
}

async function latency(client: SqlClient, pool: pg.Pool): Promise<string[][]> {
  const store = createEventStore({ client, registry, schema: SCHEMA });
  const manager = createReadModelManager({ client, registry, schema: SCHEMA, batchSize: BATCH, pollIntervalMs: 1000, leaseSeconds: 30 });
  await manager.start();
  await manager.waitForCatchUp({ timeoutMs: 300_000 });
  const samples: number[] = [];
  try {
    for (let i = 0; i < 300; i++) {
      const id = `latency-${i}`;
      const appended = await store.appendToStream('Account', id, [{ type: 'AccountOpened', data: { owner: 'lat' } }], { expectedVersion: 'no_stream' });
      const start = process.hrtime.bigint();
      void appended;
      for (;;) {
        const row = await pool.query(`SELECT 1 FROM ${SCHEMA}.projections WHERE projection_name = $1 AND id = $2`, [summary.projection, id]);
        if (row.rows.length > 0) break;
      }
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  } finally {
    await manager.stop();
  }
  samples.sort((a, b) => a - b);
  const p99 = samples[Math.min(samples.length - 1, Math.ceil(samples.length * 0.99) - 1)]!;
  return [
    ['append → visible in an async projection (LISTEN/NOTIFY), median', 'ms', '-', formatNumber(median(samples), 2), '-', '-'],
    ['append → visible in an async projection (LISTEN/NOTIFY), p99', 'ms', '-', formatNumber(p99, 2), '-', '-'],
  ];
}

// ── Read model across aggregates ────────────────────────────────────────────────────────────────

const CUSTOMERS = 10_000;
/** More runs than the other catch-up: on a shared machine three medians moved the ratio by ±0.2. */
const CROSS_REPETITIONS = 5;
const crossModel: ReadModelDefinition<CustomerOrdersRow> = { ...customerOrdersReadModel, projection: 'bench_customer_orders', mode: 'async' };
const crossRegistry: Registry = { ...ordersRegistry, readModels: { CustomerOrders: crossModel } };

/**
 * Customers c-0..c-9999 register first; then each event i is an OrderCreated of customer
 * i % 10,000 (its own order stream), except every 7th, a CustomerRenamed of that customer: the
 * rows of one read model are written by events of two aggregates, interleaved. Transactions of
 * 1,000 events, like seedEvents.
 */
async function seedCrossEvents(pool: pg.Pool, count: number): Promise<void> {
  for (let from = 0; from < count; from += 1000) {
    await pool.query(
      `INSERT INTO ${SCHEMA}.events (event_id, aggregate_type, aggregate_id, version, event_type, event_version, event_data, occurred_at)
       SELECT gen_random_uuid(),
              CASE WHEN i < ${CUSTOMERS} OR i % 7 = 0 THEN 'Customer' ELSE 'Order' END,
              CASE WHEN i < ${CUSTOMERS} OR i % 7 = 0 THEN 'c-' || (i % ${CUSTOMERS}) ELSE 'o-' || i END,
              CASE WHEN i < ${CUSTOMERS} OR i % 7 <> 0 THEN 1 ELSE i / ${CUSTOMERS} + 1 END,
              CASE WHEN i < ${CUSTOMERS} THEN 'CustomerRegistered' WHEN i % 7 = 0 THEN 'CustomerRenamed' ELSE 'OrderCreated' END,
              CASE WHEN i < ${CUSTOMERS} OR i % 7 = 0 THEN 1 ELSE 2 END,
              CASE WHEN i < ${CUSTOMERS} THEN jsonb_build_object('name', 'customer ' || i, 'email', 'c' || i || '@example.com')
                   WHEN i % 7 = 0 THEN jsonb_build_object('name', 'renamed ' || i)
                   ELSE jsonb_build_object('userId', 'c-' || (i % ${CUSTOMERS}), 'items', '[]'::jsonb, 'totalAmount', 1 + i % 89, 'currency', 'EUR') END,
              timestamptz '2026-01-01' + make_interval(secs => i)
       FROM generate_series($1::int, $2::int) AS i`,
      [from, Math.min(count, from + 1000) - 1],
    );
  }
  await pool.query(`ANALYZE ${SCHEMA}.events`);
}

interface CrossEventRow {
  aggregate_id: string;
  event_type: string;
  event_data: { userId?: string; name?: string; totalAmount?: number };
  occurred_at: Date;
  position: string;
  transaction_id: string;
}

/**
 * The hand-written contender: the gap-safe read of the log in commit order, the rows folded in
 * plain TypeScript, one multi-row upsert and the position per batch, every statement prepared
 * (named).
 */
async function handWrittenCrossCatchUp(pool: pg.Pool, projection: string): Promise<void> {
  const connection = await pool.connect();
  try {
    let transactionId = '0';
    let position = '0';
    for (;;) {
      const page = await connection.query<CrossEventRow>({
        name: 'cross-page',
        // `e.`: the output column `transaction_id` (text) would otherwise be what ORDER BY sorts by.
        text: `SELECT aggregate_id, event_type, event_data, occurred_at, global_position::text AS position, transaction_id::text AS transaction_id
               FROM ${SCHEMA}.events AS e
               WHERE (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint) AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
               ORDER BY e.transaction_id, e.global_position LIMIT $3`,
        values: [transactionId, position, BATCH],
      });
      if (page.rows.length === 0) return;
      // Every event in commit order (one ordered index scan), the types this read model ignores
      // skipped here: the plain way to read a log by hand (this workload has no other types).
      const relevant = page.rows.filter((event) => event.event_type === 'CustomerRegistered' || event.event_type === 'CustomerRenamed' || event.event_type === 'OrderCreated');
      const keyOf = (event: CrossEventRow) => (event.event_type === 'OrderCreated' ? event.event_data.userId! : event.aggregate_id);
      const keys = [...new Set(relevant.map(keyOf))];
      await connection.query('BEGIN');
      try {
        const loaded = await connection.query({ name: 'cross-load', text: `SELECT id, data, version FROM ${SCHEMA}.projections WHERE projection_name = $1 AND id = ANY($2::text[])`, values: [projection, keys] });
        const rows = new Map<string, { data: CustomerOrdersRow; version: number }>(loaded.rows.map((row) => [row.id, { data: row.data, version: row.version }]));
        for (const event of relevant) {
          const key = keyOf(event);
          const current = rows.get(key);
          const row: CustomerOrdersRow = current?.data ?? { orderCount: 0, totalSpent: 0 };
          let next: CustomerOrdersRow;
          if (event.event_type === 'OrderCreated') {
            const at = event.occurred_at.toISOString();
            next = { ...row, orderCount: row.orderCount + 1, totalSpent: row.totalSpent + event.event_data.totalAmount!, lastOrderAt: row.lastOrderAt === undefined || at > row.lastOrderAt ? at : row.lastOrderAt };
          } else next = { ...row, name: event.event_data.name! };
          rows.set(key, { data: next, version: (current?.version ?? 0) + 1 });
        }
        await connection.query({
          name: 'cross-upsert',
          text: `INSERT INTO ${SCHEMA}.projections (id, projection_name, data, version)
                 SELECT r.id, $1, r.data, r.version FROM jsonb_to_recordset($2::jsonb) AS r(id text, data jsonb, version integer)
                 ON CONFLICT (id, projection_name) DO UPDATE SET data = EXCLUDED.data, version = EXCLUDED.version, updated_at = now()`,
          values: [projection, JSON.stringify(keys.map((id) => ({ id, data: rows.get(id)!.data, version: rows.get(id)!.version })))],
        });
        const last = page.rows[page.rows.length - 1]!;
        await connection.query({
          name: 'cross-position',
          text: `INSERT INTO ${SCHEMA}.projection_positions (projection_name, last_processed_transaction_id, last_processed_position) VALUES ($1, $2::xid8, $3::bigint)
                 ON CONFLICT (projection_name) DO UPDATE SET last_processed_transaction_id = EXCLUDED.last_processed_transaction_id,
                   last_processed_position = EXCLUDED.last_processed_position, last_processed_at = now()`,
          values: [projection, last.transaction_id, last.position],
        });
        await connection.query('COMMIT');
        transactionId = last.transaction_id;
        position = last.position;
      } catch (error) {
        await connection.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    connection.release();
  }
}

async function crossCatchUp(client: SqlClient, pool: pg.Pool, events: number): Promise<string[]> {
  await pool.query(`TRUNCATE ${SCHEMA}.events`);
  await seedCrossEvents(pool, events);
  const handProjection = 'bench_customer_orders_hand';
  const raw = rawPg(pool);
  await ensureReadModelIndexes(client, { ...crossRegistry, readModels: { CustomerOrders: crossModel, Hand: { ...crossModel, name: 'Hand', projection: handProjection } } }, SCHEMA);
  const samples = { esgen: [] as number[], raw: [] as number[] };
  for (let repetition = 0; repetition < CROSS_REPETITIONS; repetition++) {
    const order = repetition % 2 === 0 ? (['esgen', 'raw'] as const) : (['raw', 'esgen'] as const);
    for (const name of order) {
      await reset(raw, name === 'esgen' ? crossModel.projection : handProjection);
      collectGarbage();
      samples[name].push(
        await time(async () => {
          if (name === 'raw') return handWrittenCrossCatchUp(pool, handProjection);
          const manager = createReadModelManager({ client, registry: crossRegistry, schema: SCHEMA, batchSize: BATCH, pollIntervalMs: 1000, leaseSeconds: 30 });
          await manager.start();
          await manager.waitForCatchUp({ timeoutMs: 600_000, pollMs: 5 });
          await manager.stop();
        }),
      );
    }
  }
  // Both must have built the same rows, or the comparison means nothing.
  const differing = await pool.query(
    `SELECT count(*)::int AS n FROM (SELECT * FROM ${SCHEMA}.projections WHERE projection_name = $1) a
     FULL JOIN (SELECT * FROM ${SCHEMA}.projections WHERE projection_name = $2) b USING (id)
     WHERE a.data IS DISTINCT FROM b.data`,
    [crossModel.projection, handProjection],
  );
  if (differing.rows[0].n !== 0) throw new Error(`cross-aggregate bench: esgen and hand-written rows differ (${differing.rows[0].n})`);
  const esgen = (events / median(samples.esgen)) * 1000;
  const baseline = (events / median(samples.raw)) * 1000;
  return [
    `cross-aggregate catch-up (Customer + Order → CustomerOrders), ${formatNumber(events)} events, batches of ${BATCH}`,
    'events/s',
    formatNumber(baseline),
    formatNumber(esgen),
    formatNumber(esgen / baseline, 2),
    '≥ 0.70',
  ];
}
