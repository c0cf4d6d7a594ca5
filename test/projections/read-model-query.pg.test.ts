import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidReadModelQuery, readModel } from '../../runtime/index.js';
import { ensureReadModelIndexes } from '../../runtime/admin.js';
import { EsgenError } from '../../runtime/index.js';
import { migrate } from '../../runtime/admin.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { accountSummary, dailyTotals, ledgerRegistry, type AccountSummary } from './fixtures/ledger-registry.js';

/** Rows written directly: the queries do not care how rows got there. */
async function seed(db: TestDatabase, count: number): Promise<void> {
  const rows = Array.from({ length: count }, (_, i) => ({
    id: `acc-${String(i).padStart(4, '0')}`,
    data: {
      id: `acc-${String(i).padStart(4, '0')}`,
      owner: `owner-${i % 10}`,
      balance: i * 10,
      closed: i % 4 === 0,
      openedAt: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(),
      applied: 1,
    } satisfies AccountSummary,
  }));
  await db.client.query(
    `INSERT INTO "${db.schema}".projections (id, projection_name, data, version)
     SELECT r.id, 'account_summary', r.data, 1 FROM jsonb_to_recordset($1::jsonb) AS r(id text, data jsonb)`,
    [JSON.stringify(rows)],
  );
}

describe('readModel queries', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db.client, { schema: db.schema });
    await ensureReadModelIndexes(db.client, ledgerRegistry, db.schema);
    await seed(db, 400);
  });
  afterAll(() => db.dispose());

  const accounts = () => readModel(db.client, accountSummary, { schema: db.schema });

  it('gets a row by id and returns undefined for a missing one', async () => {
    expect(await accounts().get('acc-0003')).toMatchObject({ owner: 'owner-3', balance: 30 });
    expect(await accounts().get('nope')).toBeUndefined();
  });

  it.each([
    ['equality on text', { owner: 'owner-3' }, 40],
    ['numeric range', { balance: { gte: 100, lt: 200 } }, 10],
    ['boolean', { closed: true }, 100],
    ['in', { owner: { in: ['owner-1', 'owner-2'] } }, 80],
    ['ne with equality', { owner: 'owner-3', balance: { ne: 30 } }, 39],
    ['timestamptz range with Date', { openedAt: { lt: new Date(Date.UTC(2026, 0, 2)) } }, 24],
    ['id', { id: { in: ['acc-0001', 'acc-0002', 'missing'] } }, 2],
  ] as const)('counts with %s', async (_name, where, want) => {
    expect(await accounts().count(where as never)).toBe(want);
    expect((await accounts().find({ where: where as never })).length).toBe(want);
  });

  it('orders, limits and offsets', async () => {
    const rows = await accounts().find({ where: { owner: 'owner-7' }, orderBy: [['balance', 'desc']], limit: 3, offset: 1 });
    expect(rows.map((row) => row.balance)).toEqual([3870, 3770, 3670]);
  });

  it('pages with a cursor through every row exactly once, in order', async () => {
    const seen: number[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await accounts().findPage({ where: { closed: false }, orderBy: [['owner', 'asc'], ['balance', 'desc']], limit: 7, ...(after ? { after } : {}) });
      seen.push(...page.rows.map((row) => row.balance));
      if (page.nextCursor === undefined) break;
      after = page.nextCursor;
    }
    const all = await accounts().find({ where: { closed: false }, orderBy: [['owner', 'asc'], ['balance', 'desc']] });
    expect(seen).toEqual(all.map((row) => row.balance));
    expect(seen).toHaveLength(300);
  });

  it('returns each row with its row id, which the stored data does not hold', async () => {
    await db.client.query(
      `INSERT INTO ${db.schema}.projections (id, projection_name, data, version) VALUES ($1, $2, $3::jsonb, 1)`,
      ['2026-01-02', dailyTotals.projection, JSON.stringify({ day: '2026-01-02', deposits: 5, withdrawals: 0, events: 1, applied: 1 })],
    );
    const days = readModel(db.client, dailyTotals, { schema: db.schema });
    expect(await days.get('2026-01-02')).toEqual({ id: '2026-01-02', day: '2026-01-02', deposits: 5, withdrawals: 0, events: 1, applied: 1 });
    expect((await days.find()).map((row) => row.id)).toEqual(['2026-01-02']);
    expect((await days.contains({ deposits: 5 }))[0]?.id).toBe('2026-01-02');
  });

  it('matches JSON containment through the GIN index', async () => {
    const rows = await accounts().contains({ owner: 'owner-4', closed: true });
    expect(rows).toHaveLength(20);
    expect(rows.every((row) => row.owner === 'owner-4' && row.closed)).toBe(true);
  });

  it('rejects fields that are not indexed, naming the indexed ones', async () => {
    await expect(accounts().find({ where: { applied: 1 } })).rejects.toThrow(InvalidReadModelQuery);
    await expect(accounts().find({ where: { applied: 1 } })).rejects.toBeInstanceOf(EsgenError);
    await expect(accounts().find({ where: { applied: 1 } })).rejects.toThrow(/owner, balance, closed, openedAt/);
    await expect(accounts().count({ balance: { gte: 'abc' as never } })).rejects.toMatchObject({ code: 'ESG222' });
  });

  it('binds values as parameters, so quotes in values are data', async () => {
    expect(await accounts().count({ owner: "x' OR '1'='1" })).toBe(0);
  });

  it('uses the partial expression index for an indexed equality', async () => {
    const { sql, params } = accounts().toSql({ where: { owner: 'owner-3' } });
    const plan = await db.client.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const result = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
      return result.rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/rm_account_summary_owner_[0-9a-f]{8}/);
  });

  it('creates unique indexes that reject duplicates within their projection only', async () => {
    const insert = (projection: string, id: string) =>
      db.client.query(`INSERT INTO "${db.schema}".projections (id, projection_name, data, version) VALUES ($1, $2, $3::jsonb, 1)`, [
        id,
        projection,
        JSON.stringify({ day: '2026-01-01' }),
      ]);
    await insert(dailyTotals.projection, 'a');
    await expect(insert(dailyTotals.projection, 'b')).rejects.toThrow(/duplicate key/);
    await insert('other_projection', 'b');
  });

  it('ensures indexes idempotently and drops indexes a definition no longer asks for', async () => {
    expect(await ensureReadModelIndexes(db.client, ledgerRegistry, db.schema)).toEqual({ created: [], dropped: [] });
    const fewer = { ...ledgerRegistry, readModels: { ...ledgerRegistry.readModels, AccountSummary: { ...accountSummary, indexes: accountSummary.indexes.slice(0, 1) } } };
    const result = await ensureReadModelIndexes(db.client, fewer, db.schema);
    expect(result.created).toEqual([]);
    expect(result.dropped).toHaveLength(3);
    expect((await ensureReadModelIndexes(db.client, ledgerRegistry, db.schema)).created).toHaveLength(3);
  });
});
