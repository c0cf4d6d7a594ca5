import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadModelManager, type ReadModelManager } from '../../runtime/index.js';
import type { PostgresEventStore } from '../../runtime/index.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { accountSummary, dailyTotals, ledgerRegistry } from './fixtures/ledger-registry.js';
import { allEvents, deposit, expectedRows, prepareLedger, projectionRows } from './projection-test-kit.js';

describe('ReadModelManager', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let manager: ReadModelManager;

  beforeAll(async () => {
    db = await openTestDatabase();
    store = await prepareLedger(db, ledgerRegistry);
  });
  afterAll(async () => {
    await manager?.stop();
    await db.dispose();
  });

  it('catches up on existing events and then follows new appends, equal to a replay', async () => {
    const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + (n % 3), 12));
    for (let account = 0; account < 5; account++) {
      await store.appendToStream('Account', `acc-${account}`, [{ type: 'AccountOpened', data: { owner: `owner-${account}` } }], { expectedVersion: 'no_stream' });
      await store.appendToStream('Account', `acc-${account}`, [deposit(10 * account, undefined, day(account)), deposit(1, undefined, day(account + 1))], { expectedVersion: 1 });
    }
    manager = createReadModelManager({ client: db.client, registry: ledgerRegistry, schema: db.schema, batchSize: 4, pollIntervalMs: 200, leaseSeconds: 5 });
    await manager.start();
    await manager.waitForCatchUp({ timeoutMs: 20_000 });
    const appended = await store.appendToStream('Account', 'acc-0', [deposit(7, undefined, day(2))], { expectedVersion: 3 });
    await manager.waitFor(appended.envelopes[0]!.position, { timeoutMs: 20_000 });

    const events = await allEvents(store);
    expect(await projectionRows(db.client, db.schema, 'account_summary')).toEqual(expectedRows(accountSummary, events));
    expect(await projectionRows(db.client, db.schema, 'daily_totals')).toEqual(expectedRows(dailyTotals, events));
    const summary = (await projectionRows(db.client, db.schema, 'account_summary')).get('acc-0') as { balance: number; applied: number };
    expect(summary).toMatchObject({ balance: 8, applied: 4 });
    expect([...manager.held()].sort()).toEqual(['account_summary', 'daily_totals']);
  });
});

describe('the projection feed', () => {
  it('orders by transaction id numerically across a digit boundary (never as text)', async () => {
    const db = await openTestDatabase();
    try {
      const { subscribe } = await import('../../runtime/index.js');
      const store = await prepareLedger(db, ledgerRegistry);
      const first = await store.appendToStream('Account', 'digits', [{ type: 'AccountOpened', data: { owner: 'd' } }], { expectedVersion: 'no_stream' });
      const txid = first.envelopes[0]!.transactionId;
      const boundary = 10n ** BigInt(txid.toString().length);
      // Burn transaction ids (each autocommit statement takes one) until the next one has more digits.
      if (boundary - txid > 20_000n) return; // a long-lived server far from a boundary: nothing cheap to prove here
      for (let burned = txid; burned < boundary; burned++) await db.client.query('SELECT pg_current_xact_id()');
      const second = await store.appendToStream('Account', 'digits', [deposit(1)], { expectedVersion: 1 });
      expect(second.envelopes[0]!.transactionId.toString().length).toBeGreaterThan(txid.toString().length);
      const seen: bigint[] = [];
      const subscription = await subscribe({ client: db.client, registry: ledgerRegistry, schema: db.schema, name: 'digits', batchSize: 1, pollIntervalMs: 20 }, (event) => {
        seen.push(event.position);
      });
      await subscription.waitFor(second.envelopes[0]!.position, { timeoutMs: 20_000 });
      await subscription.stop();
      expect(seen).toEqual([first.envelopes[0]!.position, second.envelopes[0]!.position]);
    } finally {
      await db.dispose();
    }
  });
});
