import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidReadModelQuery, readModel, type ReadModelDefinition } from '../../runtime/index.js';
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

  it('filters a field without an index by equality only, refusing ranges and sorting there, naming the indexed fields', async () => {
    // A hand-written definition without `scalars`: equality on any field, with a JSON scalar.
    expect(await accounts().count({ applied: 1 })).toBe(400);
    expect(await accounts().count({ applied: { in: [0, 2] } })).toBe(0);
    await expect(accounts().find({ where: { applied: { gte: 1 } } })).rejects.toThrow(InvalidReadModelQuery);
    await expect(accounts().find({ where: { applied: { gte: 1 } } })).rejects.toBeInstanceOf(EsgenError);
    await expect(accounts().find({ where: { applied: { gte: 1 } } })).rejects.toThrow(/owner, balance, closed, openedAt/);
    await expect(accounts().find({ orderBy: [['applied' as never, 'asc']] })).rejects.toMatchObject({ code: 'ESG222' });
    await expect(accounts().count({ applied: { ne: 1 } as never })).rejects.toMatchObject({ code: 'ESG222' });
    await expect(accounts().count({ applied: [1] as never })).rejects.toMatchObject({ code: 'ESG222' });
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

/** Rows of a generated-style definition: `scalars` lists every scalar field, one field is indexed. */
interface TicketRow {
  readonly title: string;
  readonly priority: number;
  readonly urgent: boolean;
  readonly status: 'new' | 'done';
  readonly openedAt: string;
  readonly closedAt?: string;
  readonly tags: readonly string[];
}

const tickets: ReadModelDefinition<TicketRow, 'priority'> = {
  name: 'TicketBoard',
  projection: 'ticket_board',
  aggregateType: 'Ticket',
  mode: 'async',
  eventTypes: [],
  keyOf: () => undefined,
  apply: () => ({ kind: 'unchanged' }),
  indexes: [{ field: 'priority', type: 'numeric', unique: false }],
  scalars: { title: 'text', priority: 'numeric', urgent: 'boolean', status: 'text', openedAt: 'timestamptz', closedAt: 'timestamptz' },
  fingerprint: 'tickets-v1',
};

describe('equality on every scalar field (GIN containment), ranges and sorting on indexed ones', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db.client, { schema: db.schema });
    const rows: [string, TicketRow][] = [
      ['t1', { title: 'Printer on fire', priority: 1, urgent: true, status: 'new', openedAt: '2026-01-01T10:00:00.000Z', tags: ['office'] }],
      ['t2', { title: 'Coffee', priority: 2.5, urgent: false, status: 'done', openedAt: '2026-01-01T12:30:00.000Z', closedAt: '2026-01-02T08:00:00.000Z', tags: [] }],
      ['t3', { title: '40', priority: 40, urgent: false, status: 'new', openedAt: '2026-01-03T00:00:00.000Z', tags: ['office', 'x'] }],
    ];
    for (const [id, data] of rows) {
      await db.client.query(`INSERT INTO "${db.schema}".projections (id, projection_name, data, version) VALUES ($1, 'ticket_board', $2::jsonb, 1)`, [id, JSON.stringify(data)]);
    }
  });
  afterAll(() => db.dispose());
  const board = () => readModel(db.client, tickets, { schema: db.schema });
  const ids = async (where: Parameters<ReturnType<typeof board>['find']>[0]) => (await board().find(where)).map((row) => row.id);

  it.each([
    ['text', { title: 'Coffee' }, ['t2']],
    ['a string that looks like a number stays a string', { title: '40' }, ['t3']],
    ['a number by value (40 is 40.0)', { priority: 40.0 }, ['t3']],
    ['a fraction', { priority: 2.5 }, ['t2']],
    ['boolean', { urgent: false }, ['t2', 't3']],
    ['enum', { status: 'new' }, ['t1', 't3']],
    ['eq', { status: { eq: 'done' } }, ['t2']],
    ['in', { title: { in: ['Coffee', 'Printer on fire', 'nope'] } }, ['t1', 't2']],
    ['empty in', { title: { in: [] } }, []],
    ['datetime in canonical form', { openedAt: '2026-01-01T12:30:00.000Z' }, ['t2']],
    ['datetime with an offset, as the instant', { openedAt: '2026-01-01T14:30:00+02:00' }, ['t2']],
    ['datetime without milliseconds', { openedAt: '2026-01-03T00:00:00Z' }, ['t3']],
    ['datetime as a Date', { openedAt: new Date('2026-01-01T10:00:00Z') as never }, ['t1']],
    ['an unset optional field (null)', { closedAt: null }, ['t1', 't3']],
    ['an optional field', { closedAt: '2026-01-02T09:00:00+01:00' }, ['t2']],
    ['with a range on an indexed field', { status: 'new', priority: { gt: 1 } }, ['t3']],
  ] as const)('matches %s', async (_name, where, want) => {
    expect(await ids({ where: where as never, orderBy: [['id', 'asc']] })).toEqual(want);
    expect(await board().count(where as never)).toBe(want.length);
  });

  it('sorts and ranges on the indexed field', async () => {
    expect(await ids({ where: { priority: { gte: 2 } }, orderBy: [['priority', 'desc']] })).toEqual(['t3', 't2']);
  });

  it('refuses (ESG222) what the types refuse, for callers without types', async () => {
    const untyped = board() as unknown as { find(options: unknown): Promise<unknown>; count(where: unknown): Promise<number> };
    await expect(untyped.count({ title: { gt: 'a' } })).rejects.toMatchObject({ code: 'ESG222', message: expect.stringMatching(/index: true/) });
    await expect(untyped.find({ orderBy: [['title', 'asc']] })).rejects.toMatchObject({ code: 'ESG222' });
    await expect(untyped.count({ tags: 'office' })).rejects.toMatchObject({ code: 'ESG222', message: expect.stringMatching(/not a scalar field of TicketBoard/) });
    await expect(untyped.count({ nope: 1 })).rejects.toMatchObject({ code: 'ESG222' });
    await expect(untyped.count({ title: 40 })).rejects.toMatchObject({ code: 'ESG222' });
    await expect(untyped.count({ urgent: 'true' })).rejects.toMatchObject({ code: 'ESG222' });
    await expect(untyped.count({ openedAt: 'yesterday' })).rejects.toMatchObject({ code: 'ESG222' });
    await expect(untyped.count({ status: { ne: 'new' } })).rejects.toMatchObject({ code: 'ESG222' });
  });

  it('filters by JSON containment, which the GIN index on data serves', async () => {
    const { sql, params } = board().toSql({ where: { status: 'done' } });
    expect(sql).toContain(' AND data @> $1::jsonb');
    expect(params).toEqual(['{"status":"done"}']);
    // The planner weighs it against the projection-name and primary-key indexes (in this small
    // table those win); the containment itself is what the GIN index answers.
    const plan = await db.client.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const result = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT id FROM "${db.schema}".projections WHERE data @> $1::jsonb`, params);
      return result.rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Bitmap Index Scan on idx_projections_data/);
  });
});
