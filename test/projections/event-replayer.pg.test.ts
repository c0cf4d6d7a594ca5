import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadModelManager, readModel, type RebuildProgress, type Registry } from '../../runtime/index.js';
import { createEventReplayer, projectionStatus } from '../../runtime/admin.js';
import type { PostgresEventStore } from '../../runtime/index.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { accountSummary, dailyTotals, inlineBalance, ledgerRegistry } from './fixtures/ledger-registry.js';
import { allEvents, deposit, expectedRows, prepareLedger, projectionRows } from './projection-test-kit.js';

describe('EventReplayer', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await openTestDatabase();
    store = await prepareLedger(db, ledgerRegistry);
    for (let account = 0; account < 20; account++) {
      await store.appendToStream(
        'Account',
        `r-${account}`,
        [{ type: 'AccountOpened', data: { owner: `o-${account % 3}` } }, ...Array.from({ length: 9 }, (_, i) => deposit(i + account))],
        { expectedVersion: 'no_stream' },
      );
    }
  });
  afterAll(() => db.dispose());

  it('builds a read model that has no rows yet from existing events, reporting progress', async () => {
    const progress: RebuildProgress[] = [];
    const replayer = createEventReplayer({ client: db.client, registry: ledgerRegistry, schema: db.schema, batchSize: 37 });
    const result = await replayer.rebuild('account_summary', { onProgress: (p) => progress.push(p) });
    expect(result.processed).toBe(200);
    expect(await projectionRows(db.client, db.schema, 'account_summary')).toEqual(expectedRows(accountSummary, await allEvents(store)));
    expect(progress[0]).toMatchObject({ phase: 'building', processed: 0, total: 200 });
    expect(progress.at(-1)).toMatchObject({ phase: 'done', processed: 200, total: 200 });
    expect(progress.filter((p) => p.phase === 'building').length).toBeGreaterThan(5);
    // The shadow copy and its bookkeeping are gone.
    expect((await projectionRows(db.client, db.schema, 'account_summary__rebuild')).size).toBe(0);
    const status = (await projectionStatus(db.client, ledgerRegistry, { schema: db.schema })).find((s) => s.name === 'account_summary')!;
    expect(status).toMatchObject({ lagEvents: 0, rebuildDue: false, rebuild: undefined });
  });

  it('resets a read model to its state at a position; the worker then carries on to the head', async () => {
    const events = await allEvents(store);
    const cut = events[57]!;
    const replayer = createEventReplayer({ client: db.client, registry: ledgerRegistry, schema: db.schema, batchSize: 10 });
    await replayer.resetTo('daily_totals', cut.position);
    expect(await projectionRows(db.client, db.schema, 'daily_totals')).toEqual(expectedRows(dailyTotals, events.slice(0, 58)));
    const manager = createReadModelManager({ client: db.client, registry: ledgerRegistry, schema: db.schema, pollIntervalMs: 50 });
    await manager.start();
    await manager.waitForCatchUp({ timeoutMs: 10_000 });
    await manager.stop();
    expect(await projectionRows(db.client, db.schema, 'daily_totals')).toEqual(expectedRows(dailyTotals, events));
  });

  it('rebuilds while writers keep appending and a worker keeps serving; queries succeed throughout; ends equal to replay', async () => {
    // A changed mapping: status reports the rebuild due, the rebuild adopts the new fingerprint.
    const changed = { ...accountSummary, fingerprint: 'account_summary-v2' };
    const registry: Registry = { ...ledgerRegistry, readModels: { ...ledgerRegistry.readModels, AccountSummary: changed } };
    expect((await projectionStatus(db.client, registry, { schema: db.schema })).find((s) => s.name === 'account_summary')?.rebuildDue).toBe(true);
    // The worker of the running (old) code keeps serving while the new code's rebuild runs.
    const manager = createReadModelManager({ client: db.client, registry: ledgerRegistry, schema: db.schema, pollIntervalMs: 20, batchSize: 25 });
    await manager.start();
    let writing = true;
    let queries = 0;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const id = `w-${i % 7}`;
        const version = await store.streamVersion('Account', id);
        await store.appendToStream('Account', id, version === 0 ? [{ type: 'AccountOpened', data: { owner: 'w' } }] : [deposit(i)], { expectedVersion: version });
      }
    })();
    const reader = (async () => {
      const accounts = readModel(db.client, accountSummary, { schema: db.schema });
      while (writing) {
        const count = await accounts.count({ owner: { in: ['o-0', 'o-1', 'o-2'] } });
        // The 20 seeded accounts are visible before, during and after the switch.
        expect(count).toBe(20);
        queries++;
      }
    })();
    const replayer = createEventReplayer({ client: db.client, registry, schema: db.schema, batchSize: 15 });
    const inline = createEventReplayer({ client: db.client, registry, schema: db.schema, batchSize: 15 });
    await Promise.all([replayer.rebuild('account_summary'), inline.rebuild('inline_balance')]);
    writing = false;
    await Promise.all([writer, reader]);
    // The deploy: the old worker stops, one of the new code carries on from the switched checkpoint.
    await manager.stop();
    const next = createReadModelManager({ client: db.client, registry, schema: db.schema, pollIntervalMs: 20, batchSize: 25 });
    await next.start();
    await next.waitForCatchUp({ timeoutMs: 20_000 });
    await next.stop();
    const events = await allEvents(store);
    expect(queries).toBeGreaterThan(3);
    expect(await projectionRows(db.client, db.schema, 'account_summary')).toEqual(expectedRows(changed, events));
    expect(await projectionRows(db.client, db.schema, 'inline_balance')).toEqual(expectedRows(inlineBalance, events));
    const status = (await projectionStatus(db.client, registry, { schema: db.schema })).find((s) => s.name === 'account_summary');
    expect(status?.rebuildDue).toBe(false);
  });

  it('rejects an unknown read model with its known names, and a reset of an inline one', async () => {
    const replayer = createEventReplayer({ client: db.client, registry: ledgerRegistry, schema: db.schema });
    await expect(replayer.rebuild('nope')).rejects.toThrow(/account_summary, daily_totals, inline_balance/);
    await expect(replayer.resetTo('inline_balance', 3n)).rejects.toMatchObject({ code: 'ESG226' });
  });
});
