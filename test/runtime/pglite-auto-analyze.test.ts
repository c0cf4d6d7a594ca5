/**
 * PGlite runs no autovacuum: the client analyzes changed events tables itself, or the planner reads
 * the events table in global order by sorting every remaining row for each page.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../runtime/migrations/migrate.js';
import { createAutoAnalyze } from '../../runtime/pglite-auto-analyze.js';
import { createPgliteClient } from '../../runtime/pglite-client.js';
import type { SqlClient } from '../../runtime/sql-client.js';
import { createEventStore } from '../../runtime/store/event-store.js';
import { registry } from './fixtures/bank-account.js';

/** When the events table of a schema (or another table) was last analyzed. */
const lastAnalyzed = async (db: Pick<PGlite, 'query'>, schema: string, table = 'events') =>
  (await db.query<{ at: Date | null }>('SELECT last_analyze AS at FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2', [schema, table])).rows[0]?.at ?? null;

describe('PGlite auto-analyze', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const resource of open.splice(0)) await resource.close();
  });

  /** Two esgen schemas: `busy` gets 200 events, `quiet` 10. */
  async function eventsTables(db: PGlite): Promise<void> {
    const client = await createPgliteClient({ db, autoAnalyze: false });
    for (const [schema, count] of [['busy', 200], ['quiet', 10]] as const) {
      await migrate(client, { schema });
      const store = createEventStore({ client, registry, schema });
      const deposits = Array.from({ length: count - 1 }, (_, i) => ({ type: 'MoneyDeposited', data: { amount: i + 1 } }));
      await store.appendToStream('BankAccount', 'acc-1', [{ type: 'AccountOpened', data: { owner: 'Ada', currency: 'EUR' } }, ...deposits], { expectedVersion: 'no_stream' });
    }
  }

  it('analyzes an events table changed by more than 50 rows + 10%, and leaves one changed by fewer alone', async () => {
    const db = await PGlite.create();
    open.push(db);
    await eventsTables(db);
    const analyze = createAutoAnalyze(db, 0);
    analyze.afterWork();
    await analyze.settled();
    expect(await lastAnalyzed(db, 'busy')).toBeInstanceOf(Date);
    expect(await lastAnalyzed(db, 'quiet')).toBeNull();
    // Analyzed once: the next check finds no new changes.
    const first = await lastAnalyzed(db, 'busy');
    analyze.afterWork();
    await analyze.settled();
    expect(await lastAnalyzed(db, 'busy')).toEqual(first);
  });

  it('leaves tables other than events alone, and checks at most once per interval', async () => {
    const db = await PGlite.create();
    open.push(db);
    await db.exec('CREATE TABLE other (id int); INSERT INTO other SELECT generate_series(1, 500)');
    const analyze = createAutoAnalyze(db, 60_000);
    analyze.afterWork();
    await analyze.settled();
    expect(await lastAnalyzed(db, 'public', 'other')).toBeNull();
    await eventsTables(db);
    analyze.afterWork();
    await analyze.settled();
    expect(await lastAnalyzed(db, 'busy')).toBeNull();
  });

  it('keeps paging through the events table an index range scan once events are appended', async () => {
    const client: SqlClient = await createPgliteClient();
    open.push(client);
    await migrate(client, { schema: 'public' });
    const store = createEventStore({ client, registry });
    for (let account = 0; account < 30; account++) {
      const deposits = Array.from({ length: 99 }, (_, i) => ({ type: 'MoneyDeposited', data: { amount: i + 1 } }));
      await store.appendToStream('BankAccount', `acc-${account}`, [{ type: 'AccountOpened', data: { owner: 'Ada', currency: 'EUR' } }, ...deposits], { expectedVersion: 'no_stream' });
    }
    // The client checks at most once a second, after work.
    const deadline = Date.now() + 10_000;
    let analyzedAt: Date | null = null;
    while (analyzedAt === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const { rows } = await client.query<{ at: Date | null }>("SELECT last_analyze AS at FROM pg_stat_user_tables WHERE relname = 'events'");
      analyzedAt = rows[0]?.at ?? null;
    }
    expect(analyzedAt).toBeInstanceOf(Date);
    // A query of the table's own, planned from its statistics (esgen's feed pins its plans).
    const page = `SELECT * FROM events WHERE (transaction_id, global_position) > ('0', 0) AND transaction_id < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY transaction_id, global_position LIMIT 100`;
    const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${page}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(plan).toContain('Index Scan using idx_events_global_order');
    expect(plan).not.toContain('Sort');
  });
});
