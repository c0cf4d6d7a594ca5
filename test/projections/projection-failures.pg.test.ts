import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadModelManager, type ReadModelDefinition, type ReadModelManager, type Registry } from '../../runtime/index.js';
import { projectionStatus, retryProjection, skipFailedEvent, type ProjectionStatus } from '../../runtime/admin.js';
import type { PostgresEventStore } from '../../runtime/index.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { accountSummary, dailyTotals, ledgerRegistry, type AccountSummary } from './fixtures/ledger-registry.js';
import { deposit, prepareLedger, projectionRows } from './projection-test-kit.js';

/** The summary read model with a switch: while `broken`, poisoned events throw. */
let broken = true;
const switchable: ReadModelDefinition<AccountSummary> = {
  ...accountSummary,
  apply: (current, event) => {
    if (!broken && (event.data as { note?: string }).note === 'poison') return accountSummary.apply(current, { ...event, data: { amount: 100 } });
    return accountSummary.apply(current, event);
  },
};
const registry: Registry = { ...ledgerRegistry, readModels: { AccountSummary: switchable, DailyTotals: dailyTotals } };

async function statusOf(db: TestDatabase, name: string): Promise<ProjectionStatus> {
  const all = await projectionStatus(db.client, registry, { schema: db.schema });
  return all.find((status) => status.name === name)!;
}

async function until<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met, last value: ${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('a mapper that throws', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let manager: ReadModelManager;
  let poison: bigint;

  beforeAll(async () => {
    db = await openTestDatabase();
    store = await prepareLedger(db, { ...registry, readModels: { ...registry.readModels } });
    await store.appendToStream('Account', 'acc-f', [{ type: 'AccountOpened', data: { owner: 'fay' } }, deposit(1)], { expectedVersion: 'no_stream' });
    const appended = await store.appendToStream('Account', 'acc-f', [deposit(5, 'poison'), deposit(2)], { expectedVersion: 2 });
    poison = appended.envelopes[0]!.position;
    manager = createReadModelManager({ client: db.client, registry, schema: db.schema, pollIntervalMs: 50, leaseSeconds: 5 });
    await manager.start();
  });
  afterAll(async () => {
    await manager.stop();
    await db.dispose();
  });

  it('stops its projection just before the event and records the error; other projections continue', async () => {
    const status = await until(() => statusOf(db, 'account_summary'), (s) => s.state === 'failed');
    expect(status.lastError).toMatchObject({ position: poison, eventType: 'MoneyDeposited', attempts: 1 });
    expect(status.lastError?.message).toMatch(/poisoned event/);
    expect(status.position).toBe(poison - 1n);
    expect(status.lagEvents).toBe(2);
    expect(status.retryAt!.getTime()).toBeGreaterThan(Date.now() - 100);
    expect((await projectionRows(db.client, db.schema, 'account_summary')).get('acc-f')).toMatchObject({ balance: 1, applied: 2 });
    await manager.waitForCatchUp({ projections: ['daily_totals'], timeoutMs: 10_000 });
    const daily = [...(await projectionRows(db.client, db.schema, 'daily_totals')).values()] as { deposits: number }[];
    expect(daily.reduce((sum, row) => sum + row.deposits, 0)).toBe(8);
  });

  it('retries with backoff instead of a hot loop', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const status = await statusOf(db, 'account_summary');
    // 1 s then 2 s between attempts: at most 2 attempts ~1.5 s after the first failure.
    expect(status.lastError!.attempts).toBeGreaterThanOrEqual(1);
    expect(status.lastError!.attempts).toBeLessThanOrEqual(2);
  });

  it('waitFor rejects at once with the recorded error instead of waiting for the timeout', async () => {
    await expect(manager.waitFor(poison, { projections: ['account_summary'], timeoutMs: 10_000 })).rejects.toMatchObject({ code: 'ESG224' });
  });

  it('retry after a fix applies the event it stopped on (nothing skipped)', async () => {
    broken = false;
    await retryProjection(db.client, registry, 'account_summary', { schema: db.schema });
    await manager.waitForCatchUp({ timeoutMs: 10_000 });
    expect((await projectionRows(db.client, db.schema, 'account_summary')).get('acc-f')).toMatchObject({ balance: 103, applied: 4 });
    const status = await statusOf(db, 'account_summary');
    expect(status).toMatchObject({ state: 'running', lagEvents: 0, lastError: undefined });
  });

  it('skip passes over exactly the failing event', async () => {
    broken = true;
    const appended = await store.appendToStream('Account', 'acc-f', [deposit(7, 'poison'), deposit(3)], { expectedVersion: 4 });
    await until(() => statusOf(db, 'account_summary'), (s) => s.state === 'failed');
    await expect(skipFailedEvent(db.client, registry, 'account_summary', { schema: db.schema, position: appended.envelopes[1]!.position })).rejects.toMatchObject({
      code: 'ESG225',
    });
    const skipped = await skipFailedEvent(db.client, registry, 'account_summary', { schema: db.schema });
    expect(skipped).toEqual({ position: appended.envelopes[0]!.position, eventType: 'MoneyDeposited' });
    await manager.waitFor(appended.envelopes[1]!.position, { timeoutMs: 10_000 });
    expect((await projectionRows(db.client, db.schema, 'account_summary')).get('acc-f')).toMatchObject({ balance: 106, applied: 5 });
    await expect(skipFailedEvent(db.client, registry, 'account_summary', { schema: db.schema })).rejects.toMatchObject({ code: 'ESG225' });
    await expect(retryProjection(db.client, registry, 'nope', { schema: db.schema })).rejects.toMatchObject({ code: 'ESG223' });
  });
});

describe('a row that breaks a unique index of the spec', () => {
  it('stops the projection on the event that produced it, with the constraint in the error', async () => {
    const db = await openTestDatabase();
    try {
      const uniqueOwner: ReadModelDefinition<AccountSummary> = {
        ...accountSummary,
        name: 'UniqueOwner',
        projection: 'unique_owner',
        indexes: [{ field: 'owner', type: 'text', unique: true }],
      };
      const uniqueRegistry: Registry = { ...ledgerRegistry, readModels: { UniqueOwner: uniqueOwner } };
      const store = await prepareLedger(db, uniqueRegistry);
      await store.appendToStream('Account', 'u-1', [{ type: 'AccountOpened', data: { owner: 'same' } }, deposit(1)], { expectedVersion: 'no_stream' });
      const clash = await store.appendToStream('Account', 'u-2', [{ type: 'AccountOpened', data: { owner: 'same' } }, deposit(2)], { expectedVersion: 'no_stream' });
      const manager = createReadModelManager({ client: db.client, registry: uniqueRegistry, schema: db.schema, pollIntervalMs: 50, batchSize: 100 });
      await manager.start();
      try {
        const status = await until(
          async () => (await projectionStatus(db.client, uniqueRegistry, { schema: db.schema })).find((s) => s.name === 'unique_owner')!,
          (s) => s.state === 'failed',
        );
        expect(status.lastError).toMatchObject({ position: clash.envelopes[0]!.position, eventType: 'AccountOpened' });
        expect(status.lastError?.message).toMatch(/duplicate key/);
        expect(status.position).toBe(clash.envelopes[0]!.position - 1n);
        expect([...(await projectionRows(db.client, db.schema, 'unique_owner')).keys()]).toEqual(['u-1']);
      } finally {
        await manager.stop();
      }
    } finally {
      await db.dispose();
    }
  });
});
