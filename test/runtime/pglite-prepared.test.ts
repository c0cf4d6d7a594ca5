import { afterEach, describe, expect, it } from 'vitest';
import { createPgliteClient } from '../../runtime/pglite-client.js';
import type { SqlClient } from '../../runtime/sql-client.js';
import { migrate } from '../../runtime/migrations/migrate.js';
import { createEventStore } from '../../runtime/store/event-store.js';
import { registry } from './fixtures/bank-account.js';

describe('PGlite named statements', () => {
  const open: SqlClient[] = [];
  const client = async () => {
    const created = await createPgliteClient();
    open.push(created);
    return created;
  };
  afterEach(async () => {
    for (const created of open.splice(0)) await created.close();
  });

  const named = { name: 'test_statement' };

  it('prepares a named statement once and returns what an unnamed query returns', async () => {
    const db = await client();
    await db.exec(`CREATE TABLE t (id int PRIMARY KEY, doc jsonb, at timestamptz, tags text[], big bigint)`);
    await db.query(`INSERT INTO t VALUES (1, '{"a":1}', '2025-01-01T00:00:00Z', '{x,y}', 9007199254740993)`);
    const sql = `SELECT id, doc, at, tags, big::text AS big FROM t WHERE id = $1 AND tags && $2::text[]`;
    const unnamed = await db.query(sql, [1, ['y']]);
    for (let i = 0; i < 3; i++) expect(await db.query(sql, [1, ['y']], named)).toEqual(unnamed);
    const prepared = await db.query<{ name: string }>(`SELECT name FROM pg_prepared_statements`);
    expect(prepared.rows.map((row) => row.name)).toEqual(['test_statement']);
    const inserted = await db.query(`INSERT INTO t (id) VALUES ($1), ($2)`, [2, 3], { name: 'test_insert' });
    expect(inserted.rowCount).toBe(2);
  });

  it('sees the table as it is after it was dropped and created again (no stale plan)', async () => {
    const db = await client();
    await db.exec(`CREATE TABLE t (id int, label text); INSERT INTO t VALUES (1, 'old')`);
    const sql = `SELECT label FROM t WHERE id = $1`;
    expect((await db.query(sql, [1], named)).rows).toEqual([{ label: 'old' }]);
    await db.exec(`DROP TABLE t; CREATE TABLE t (label text, id int); INSERT INTO t VALUES ('new', 1); CREATE INDEX ON t (id)`);
    expect((await db.query(sql, [1], named)).rows).toEqual([{ label: 'new' }]);
  });

  it('prepares again when a schema change changes the result row (outside a transaction, transparently)', async () => {
    const db = await client();
    await db.exec(`CREATE TABLE t (id int); INSERT INTO t VALUES (1)`);
    const sql = `SELECT * FROM t`;
    expect((await db.query(sql, [], named)).rows).toEqual([{ id: 1 }]);
    await db.exec(`ALTER TABLE t ADD COLUMN label text DEFAULT 'added'`);
    expect((await db.query(sql, [], named)).rows).toEqual([{ id: 1, label: 'added' }]);
  });

  it('inside a transaction, fails the stale statement (the transaction rolls back) and prepares it again for the next call', async () => {
    const db = await client();
    await db.exec(`CREATE TABLE t (id int); INSERT INTO t VALUES (1)`);
    const sql = `SELECT * FROM t`;
    await db.query(sql, [], named);
    await db.exec(`ALTER TABLE t ADD COLUMN label text DEFAULT 'added'`);
    const failed = await db
      .transaction(async (tx) => {
        await tx.query(`INSERT INTO t (id) VALUES (2)`);
        return tx.query(sql, [], named);
      })
      .catch((error: unknown) => error);
    expect((failed as { code?: string }).code).toBe('0A000');
    expect((await db.transaction((tx) => tx.query(sql, [], named))).rows).toEqual([{ id: 1, label: 'added' }]);
  });

  it('keeps the event store correct across a migration that changes its table', async () => {
    const db = await client();
    await migrate(db);
    const store = createEventStore({ client: db, registry });
    await store.appendToStream('BankAccount', 'acc-1', [{ type: 'AccountOpened', data: { owner: 'Ada', currency: 'EUR' } }], { expectedVersion: 'no_stream' });
    const names = await db.query<{ name: string }>(`SELECT name FROM pg_prepared_statements`);
    expect(names.rows.some((row) => row.name.startsWith('esgen_'))).toBe(true);
    // A later migration of the kind esgen ships: indexes replaced, a column added.
    const released = (await import('../../runtime/migrations/index.js')).migrations;
    await migrate(db, {
      migrations: [
        ...released,
        {
          version: released.length + 1,
          name: 'test-change',
          statements: [
            `DROP INDEX {{schema}}.idx_events_type_order`,
            `ALTER TABLE {{schema}}.events ADD COLUMN tenant text`,
            `CREATE INDEX idx_events_tenant ON {{schema}}.events (tenant, aggregate_id)`,
          ],
        },
      ],
    });
    await store.appendToStream('BankAccount', 'acc-1', [{ type: 'MoneyDeposited', data: { amount: 5 } }], { expectedVersion: 1 });
    const events = await store.getEventsByAggregate('BankAccount', 'acc-1');
    expect(events.map((event) => [event.version, event.type])).toEqual([
      [1, 'AccountOpened'],
      [2, 'MoneyDeposited'],
    ]);
    expect((await store.readAllAfter(null, { eventTypes: ['MoneyDeposited'] })).events.map((event) => event.version)).toEqual([2]);
  });
});
