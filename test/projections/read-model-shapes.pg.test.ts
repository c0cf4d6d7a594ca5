/**
 * Stale read models are rebuilt or refused before they serve (issue 13), and switching a read
 * model between inline and async never applies an event twice or skips one (issue 12). Runs on
 * PGlite and, with DATABASE_URL, on the server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEventSourcing, createReadModelManager, isEsgenError, readModel, type EventSourcing, type ReadModelDefinition, type Registry, type StaleReadModel } from '../../runtime/index.js';
import { createEventReplayer, projectionStatus } from '../../runtime/admin.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { accountSummary, inlineBalance, ledgerRegistry } from './fixtures/ledger-registry.js';
import { allEvents, deposit, expectedRows, projectionRows } from './projection-test-kit.js';

/** The ledger with one read model, `balances`, in the given mode and fingerprint. */
function balances(mode: 'inline' | 'async', fingerprint = `balances-${mode}`, apply = inlineBalance.apply): { registry: Registry; definition: ReadModelDefinition<any> } {
  const definition: ReadModelDefinition<any> = { ...inlineBalance, name: 'Balances', projection: 'balances', mode, fingerprint, apply };
  return { definition, registry: { ...ledgerRegistry, readModels: { Balances: definition } } };
}

/** The summary read model with another fingerprint (a changed mapping: balances counted twice). */
const doubled: ReadModelDefinition<any> = {
  ...accountSummary,
  fingerprint: 'account_summary-v2',
  apply(current, event) {
    const change = accountSummary.apply(current, event);
    if (change.kind !== 'upsert' || event.type !== 'MoneyDeposited') return change;
    return { kind: 'upsert', row: { ...change.row, balance: change.row.balance + (event.data as { amount: number }).amount } };
  },
};
const summaryOnly = (definition: ReadModelDefinition<any>): Registry => ({ ...ledgerRegistry, readModels: { AccountSummary: definition } });

describe('read models whose stored shape differs (onShapeChange)', () => {
  let db: TestDatabase;
  const opened: EventSourcing[] = [];
  const open = async (registry: Registry, options: Partial<Parameters<typeof createEventSourcing>[0]> = {}) => {
    const es = await createEventSourcing({ registry, client: db.client, schema: db.schema, ...options });
    opened.push(es);
    return es;
  };
  afterEach(async () => {
    for (const es of opened.splice(0)) await es.close();
    await db?.dispose();
  });

  async function seed(es: EventSourcing, accounts: number, prefix: string): Promise<void> {
    for (let account = 0; account < accounts; account++) {
      const id = `${prefix}-${account}`;
      const version = await es.store.streamVersion('Account', id);
      const events = version === 0 ? [{ type: 'AccountOpened', data: { owner: `o-${account % 3}` } }, deposit(10 + account), deposit(1)] : [deposit(account + 1)];
      await es.store.appendToStream('Account', id, events, { expectedVersion: version });
    }
  }

  async function expectEqualToReplay(es: EventSourcing, definition: ReadModelDefinition<any>): Promise<void> {
    expect(await projectionRows(db.client, db.schema, definition.projection)).toEqual(expectedRows(definition, await allEvents(es.store)));
  }

  it('switches inline → async → inline with events appended in each mode, and the rows equal a replay every time', async () => {
    db = await openTestDatabase();
    const inline = balances('inline');
    const es1 = await open(inline.registry);
    await seed(es1, 6, 'a');
    await expectEqualToReplay(es1, inline.definition);

    // inline → async: the stored fingerprint is the inline one, so the rows are rebuilt (not
    // continued from position 0 on top of rows that already hold those events).
    const async_ = balances('async');
    expect((await projectionStatus(db.client, async_.registry, { schema: db.schema }))[0]).toMatchObject({ name: 'balances', rebuildDue: true });
    const seen: [string, StaleReadModel['storedFingerprint'], string][] = [];
    const es2 = await open(async_.registry, { onShapeRebuild: (stale, action) => seen.push([stale.projection, stale.storedFingerprint, action]) });
    expect(seen).toEqual([['balances', 'balances-inline', 'rebuilding']]);
    await expectEqualToReplay(es2, async_.definition);
    await seed(es2, 8, 'a'); // appended in async mode: inline no more
    const worker = es2.readModelManager({ pollIntervalMs: 20 });
    await worker.start();
    await worker.waitForCatchUp({ timeoutMs: 20_000 });
    await worker.stop();
    await expectEqualToReplay(es2, async_.definition);

    // async → inline: rebuilt again; from then on every append updates the rows in its transaction.
    const es3 = await open(inline.registry);
    await seed(es3, 9, 'a');
    await expectEqualToReplay(es3, inline.definition);
    const status = (await projectionStatus(db.client, inline.registry, { schema: db.schema }))[0]!;
    expect(status).toMatchObject({ rebuildDue: false, rebuildReason: undefined });
    // Every event applied exactly once: `applied` counts them per row.
    const rows = await projectionRows(db.client, db.schema, 'balances');
    const perStream = new Map<string, number>();
    for (const event of await allEvents(es3.store)) perStream.set(event.aggregateId, (perStream.get(event.aggregateId) ?? 0) + 1);
    for (const [id, row] of rows) expect((row as { applied: number }).applied).toBe(perStream.get(id));
  });

  it('rebuilds inline rows that an earlier esgen left without a recorded fingerprint before an async worker continues them', async () => {
    db = await openTestDatabase();
    const inline = balances('inline');
    const es1 = await open(inline.registry);
    await seed(es1, 4, 'b');
    // As an esgen before this change left them: inline rows, no position row.
    await db.client.query(`DELETE FROM "${db.schema}".projection_positions WHERE projection_name = 'balances'`);
    const async_ = balances('async');
    expect((await projectionStatus(db.client, async_.registry, { schema: db.schema }))[0]?.rebuildReason).toMatch(/no recorded fingerprint/);
    const es2 = await open(async_.registry);
    const worker = es2.readModelManager({ pollIntervalMs: 20 });
    await worker.start();
    await seed(es2, 5, 'b');
    await worker.waitForCatchUp({ timeoutMs: 20_000 });
    await worker.stop();
    await expectEqualToReplay(es2, async_.definition);
  });

  it('an append of older code refuses (ESG227, nothing written) once a newer release rebuilt its inline read model to another shape', async () => {
    db = await openTestDatabase();
    const old = balances('inline', 'balances-v1');
    const es1 = await open(old.registry);
    await seed(es1, 3, 'h');
    const newer = balances('inline', 'balances-v2');
    const es2 = await open(newer.registry); // rebuilds to v2
    const before = (await allEvents(es1.store)).length;
    await expect(es1.store.appendToStream('Account', 'h-0', [deposit(5)], { expectedVersion: 3 })).rejects.toMatchObject({ code: 'ESG227' });
    expect((await allEvents(es1.store)).length).toBe(before);
    // The new code appends and keeps the rows equal to a replay.
    await seed(es2, 3, 'h');
    await expectEqualToReplay(es2, newer.definition);
  });

  it('builds a new inline read model from the existing history before it serves', async () => {
    db = await openTestDatabase();
    const es1 = await open({ ...ledgerRegistry, readModels: {} });
    await seed(es1, 5, 'c');
    const inline = balances('inline');
    const es2 = await open(inline.registry);
    await expectEqualToReplay(es2, inline.definition);
    expect((await projectionRows(db.client, db.schema, 'balances')).size).toBe(5);
  });

  it('refuses a changed mapping with ESG227 (onShapeChange: refuse); queries of the new shape never see the old rows', async () => {
    db = await openTestDatabase();
    const es1 = await open(summaryOnly(accountSummary));
    await seed(es1, 5, 'd');
    const worker = es1.readModelManager({ pollIntervalMs: 20 });
    await worker.start();
    await worker.waitForCatchUp({ timeoutMs: 20_000 });
    await worker.stop();

    const refused = await open(summaryOnly(doubled), { onShapeChange: 'refuse' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isEsgenError(refused, 'ESG227')).toBe(true);
    expect((refused as { projections: StaleReadModel[] }).projections).toEqual([
      { projection: 'account_summary', mode: 'async', storedFingerprint: 'account_summary-v1', fingerprint: 'account_summary-v2', rows: 5 },
    ]);
    expect((refused as Error).message).toContain('esgen projections rebuild');
    // A query through the new definition (without createEventSourcing) is refused too; the old code still reads its rows.
    const newShape = readModel(db.client, doubled, { schema: db.schema });
    await expect(newShape.find()).rejects.toMatchObject({ code: 'ESG227' });
    await expect(newShape.get('d-0')).rejects.toMatchObject({ code: 'ESG227' });
    expect(await readModel(db.client, accountSummary, { schema: db.schema }).count()).toBe(5);
    // A worker of the new code refuses at start too: it never applies its mapping to the old rows.
    const newWorker = createReadModelManager({ client: db.client, registry: summaryOnly(doubled), schema: db.schema, onShapeChange: 'refuse' });
    await expect(newWorker.start()).rejects.toMatchObject({ code: 'ESG227' });
    await newWorker.stop();

    // After an explicit rebuild the new shape serves, and equals a replay with the new mapping.
    await createEventReplayer({ client: db.client, registry: summaryOnly(doubled), schema: db.schema }).rebuild('account_summary');
    const es2 = await open(summaryOnly(doubled), { onShapeChange: 'refuse' });
    await expectEqualToReplay(es2, doubled);
    expect((await es2.readModel(doubled).get('d-1'))?.balance).toBe(2 * (11 + 1));
  });

  it('rebuilds a changed mapping on start (default), the rows equal a replay with the new mapping', async () => {
    db = await openTestDatabase();
    const es1 = await open(summaryOnly(accountSummary));
    await seed(es1, 5, 'e');
    const worker = es1.readModelManager({ pollIntervalMs: 20 });
    await worker.start();
    await worker.waitForCatchUp({ timeoutMs: 20_000 });
    await worker.stop();
    const es2 = await open(summaryOnly(doubled));
    await expectEqualToReplay(es2, doubled);
    expect((await projectionStatus(db.client, summaryOnly(doubled), { schema: db.schema }))[0]).toMatchObject({ rebuildDue: false, position: expect.any(BigInt) });
  });

  it('with several processes starting at once, exactly one rebuilds and the others serve only after its switch', async () => {
    db = await openTestDatabase();
    const es1 = await open(summaryOnly(accountSummary));
    await seed(es1, 30, 'f');
    const worker = es1.readModelManager({ pollIntervalMs: 20 });
    await worker.start();
    await worker.waitForCatchUp({ timeoutMs: 20_000 });
    await worker.stop();

    const actions: string[] = [];
    const starts = Array.from({ length: 4 }, async (_, index) => {
      // On the server each process has its own pool, as separate processes would.
      const own = db.databaseUrl === undefined ? {} : { client: undefined, databaseUrl: db.databaseUrl };
      const es = await open(summaryOnly(doubled), { ...own, onShapeRebuild: (_stale, action) => actions.push(`${index}:${action}`) });
      // The moment this process may serve, the rows are the new shape in full.
      expect((await es.readModel(doubled).get('f-3'))?.balance).toBe(2 * (13 + 1));
      return es;
    });
    const processes = await Promise.all(starts);
    expect(actions.filter((action) => action.endsWith(':rebuilding'))).toHaveLength(1);
    await expectEqualToReplay(processes[0]!, doubled);
  });

  it('a running worker of the old mapping stands down once another process switched the rows to its new shape', async () => {
    db = await openTestDatabase();
    const es1 = await open(summaryOnly(accountSummary));
    await seed(es1, 4, 'g');
    const errors: unknown[] = [];
    const oldWorker = es1.readModelManager({ pollIntervalMs: 20, onError: (error) => errors.push(error) });
    await oldWorker.start();
    await oldWorker.waitForCatchUp({ timeoutMs: 20_000 });

    const es2 = await open(summaryOnly(doubled)); // rebuilds to the new shape
    const newWorker = es2.readModelManager({ pollIntervalMs: 20 });
    await newWorker.start();
    await seed(es2, 4, 'g'); // appended while both workers run
    await newWorker.waitForCatchUp({ timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 200)); // give the old worker its chances
    await newWorker.stop();
    await oldWorker.stop();
    await expectEqualToReplay(es2, doubled);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => isEsgenError(error, 'ESG227'))).toBe(true);
  });
});
