import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createPgClient } from '../../runtime/pg-client.js';
import { createPgliteClient } from '../../runtime/pglite-client.js';
import { createReadModelManager } from '../../runtime/projections/read-model-manager.js';
import { readModel } from '../../runtime/projections/read-model-query.js';
import { ensureReadModelIndexes } from '../../runtime/projections/read-model-indexes.js';
import { createInlineProjector } from '../../runtime/projections/inline-projector.js';
import { migrate } from '../../runtime/migrations/migrate.js';
import { createEventStore } from '../../runtime/store/event-store.js';
import type { SqlClient } from '../../runtime/sql-client.js';
import { onServer, serverUrl } from '../support/database.js';
import { accountSummary, inlineBalance, ledgerRegistry } from './fixtures/ledger-registry.js';
import { deposit, expectedRows, allEvents, projectionRows } from './projection-test-kit.js';
import { randomBytes } from 'node:crypto';

/**
 * Projection batches, inline projections and read-model reads by id run their statements as named
 * prepared statements (parsed and planned once per connection: on PGlite planning was most of a
 * small batch, and of an inline append), unless
 * the client was created with preparedStatements: false. pg_prepared_statements lists a session's
 * statements: PGlite has one session; on the server every connection of the pool is asked.
 */
describe('prepared statements of read models', () => {
  const registry = { ...ledgerRegistry, readModels: { InlineBalance: inlineBalance, AccountSummary: accountSummary } };
  const POOL_SIZE = 4;
  const open: Array<{ client: SqlClient; schema: string; pool: pg.Pool | undefined }> = [];
  afterEach(async () => {
    for (const { client, schema, pool } of open.splice(0)) {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await client.close();
      await pool?.end();
    }
  });

  const connect = async (preparedStatements?: boolean) => {
    const pool = serverUrl ? new pg.Pool({ connectionString: serverUrl, max: POOL_SIZE }) : undefined;
    const client = pool
      ? await createPgClient({ pool, ...(preparedStatements === undefined ? {} : { preparedStatements }) })
      : await createPgliteClient();
    const schema = `t_${randomBytes(6).toString('hex')}`;
    open.push({ client, schema, pool });
    return { client, schema, pool };
  };

  /** The statements on `schema` prepared in any session (all the pool's connections at once). */
  const preparedOn = async (client: SqlClient, pool: pg.Pool | undefined, schema: string) => {
    const sql = `SELECT name, statement FROM pg_prepared_statements WHERE statement LIKE $1`;
    const like = `%"${schema}".%`;
    if (pool === undefined) return (await client.query<{ name: string; statement: string }>(sql, [like])).rows;
    const sessions = await Promise.all(Array.from({ length: POOL_SIZE }, () => pool.connect()));
    try {
      const found = await Promise.all(sessions.map(async (session) => (await session.query<{ name: string; statement: string }>(sql, [like])).rows));
      return found.flat();
    } finally {
      for (const session of sessions) session.release();
    }
  };

  /** Appends through the inline projector, catches the async read model up, checks both read models' rows. */
  const project = async ({ client, schema, pool }: { client: SqlClient; schema: string; pool: pg.Pool | undefined }) => {
    await migrate(client, { schema });
    await ensureReadModelIndexes(client, registry, schema);
    const store = createEventStore({ client, registry, schema, notify: false, onAppend: createInlineProjector(registry, { schema }) });
    for (const id of ['a', 'b', 'c']) {
      await store.appendToStream('Account', id, [{ type: 'AccountOpened', data: { owner: id } }], { expectedVersion: 'no_stream' });
      for (let i = 1; i <= 3; i++) await store.appendToStream('Account', id, [deposit(i * 10)], { expectedVersion: i });
    }
    const manager = createReadModelManager({ client, registry, schema, batchSize: 2, pollIntervalMs: 20 });
    await manager.start();
    try {
      await manager.waitForCatchUp({ timeoutMs: 20_000 });
    } finally {
      await manager.stop();
    }
    const events = await allEvents(store);
    expect(await projectionRows(client, schema, inlineBalance.projection)).toEqual(expectedRows(inlineBalance, events));
    expect(await projectionRows(client, schema, accountSummary.projection)).toEqual(expectedRows(accountSummary, events));
    expect(await readModel(client, inlineBalance, { schema }).get('b')).toEqual({ id: 'b', owner: 'b', balance: 60, applied: 4 });
    return preparedOn(client, pool, schema);
  };

  it('prepares the feed page, row reads and writes, the fence, the checkpoint, the inline locks and reads by id by name', async () => {
    const prepared = await project(await connect());
    const { schema } = open[0]!;
    const texts = prepared.map((row) => row.statement);
    for (const fragment of [
      `"${schema}".esgen_feed_page(`,
      `SELECT id, data, version FROM "${schema}".projections`,
      `INSERT INTO "${schema}".projections`,
      `UPDATE "${schema}".projection_leases`,
      `UPDATE "${schema}".projection_positions`,
      `FROM "${schema}".projection_positions WHERE projection_name = $1) AS fingerprint`,
      `SELECT id, data FROM "${schema}".projections WHERE projection_name = 'inline_balance' AND id = $1`,
    ]) {
      expect(texts.filter((text) => text.includes(fragment)), fragment).not.toEqual([]);
    }
    expect(prepared.every((row) => row.name.startsWith('esgen_'))).toBe(true);
    // A name stands for one text in every session (names derive from the text).
    const textsByName = new Map<string, Set<string>>();
    for (const row of prepared) textsByName.set(row.name, (textsByName.get(row.name) ?? new Set()).add(row.statement));
    expect([...textsByName.values()].every((texts) => texts.size === 1)).toBe(true);
  });

  it.runIf(onServer)('runs every statement unnamed with preparedStatements: false (PgBouncer before 1.21)', async () => {
    expect(await project(await connect(false))).toEqual([]);
  });
});
