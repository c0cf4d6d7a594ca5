import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadModelManager, type ProjectionLockMode, type Registry } from '../../runtime/index.js';
import { projectionStatus } from '../../runtime/admin.js';
import type { PostgresEventStore } from '../../runtime/index.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { claimLease, fenceBatch, leaseStatements, type BatchDurability } from '../../runtime/projections/projection-leases.js';
import { projectionTables } from '../../runtime/projections/projection-tables.js';
import { accountSummary, dailyTotals, ledgerRegistry } from './fixtures/ledger-registry.js';
import { allEvents, deposit, expectedRows, prepareLedger, projectionRows } from './projection-test-kit.js';

const copies = ['a', 'b', 'c'].map((suffix) => ({ ...accountSummary, name: `Summary_${suffix}`, projection: `summary_${suffix}`, indexes: [] }));
const registry: Registry = {
  ...ledgerRegistry,
  readModels: { DailyTotals: dailyTotals, ...Object.fromEntries(copies.map((copy) => [copy.name, copy])) },
};

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('projection leases', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  beforeAll(async () => {
    db = await openTestDatabase();
    store = await prepareLedger(db, registry);
    await store.appendToStream('Account', 'l-1', [{ type: 'AccountOpened', data: { owner: 'lee' } }, deposit(1)], { expectedVersion: 'no_stream' });
  });
  afterAll(() => db.dispose());

  const options = { registry, pollIntervalMs: 30, leaseSeconds: 1 } as const;

  it('spreads projections over live workers, and a stopped worker’s share moves to the others', async () => {
    const first = createReadModelManager({ ...options, client: db.client, schema: db.schema, workerId: 'first' });
    const second = createReadModelManager({ ...options, client: db.client, schema: db.schema, workerId: 'second' });
    await first.start();
    await second.start();
    // 4 projections, 2 live workers: 2 each once the first hands back its surplus.
    await until(() => first.held().length === 2 && second.held().length === 2);
    expect(new Set([...first.held(), ...second.held()]).size).toBe(4);
    await first.stop();
    await until(() => second.held().length === 4);
    const appended = await store.appendToStream('Account', 'l-1', [deposit(2)], { expectedVersion: 2 });
    await second.waitFor(appended.envelopes[0]!.position, { timeoutMs: 10_000 });
    await second.stop();
    const events = await allEvents(store);
    for (const copy of copies) expect(await projectionRows(db.client, db.schema, copy.projection)).toEqual(expectedRows(copy, events));
  });

  it('takes over the lease of a worker that vanished once it expires', async () => {
    await db.client.query(
      `INSERT INTO "${db.schema}".projection_leases (projection_name, owner, expires_at) VALUES ('summary_a', 'ghost', now() + interval '1 second')
       ON CONFLICT (projection_name) DO UPDATE SET owner = 'ghost', expires_at = now() + interval '1 second'`,
    );
    const heir = createReadModelManager({ ...options, client: db.client, schema: db.schema, workerId: 'heir' });
    const started = Date.now();
    await heir.start();
    expect(heir.held()).not.toContain('summary_a');
    await until(() => heir.held().includes('summary_a'));
    expect(Date.now() - started).toBeLessThan(5_000);
    const owners = await projectionStatus(db.client, registry, { schema: db.schema });
    expect(owners.find((status) => status.name === 'summary_a')?.owner).toBe('heir');
    await heir.stop();
  });

  it.each<ProjectionLockMode>(['row-lock', 'advisory-xact'])('fences a worker whose lease was taken over (%s): it cannot commit', async (lock) => {
    const worker = createReadModelManager({ ...options, client: db.client, schema: db.schema, workerId: `victim-${lock}`, lock, leaseSeconds: 30 });
    await worker.start();
    await worker.waitForCatchUp({ timeoutMs: 10_000 });
    const before = await projectionRows(db.client, db.schema, 'summary_b');
    // Another process takes the lease (as after an expiry the victim did not notice yet).
    await db.client.query(`UPDATE "${db.schema}".projection_leases SET owner = 'thief', expires_at = now() + interval '1 hour' WHERE projection_name = 'summary_b'`);
    const appended = await store.appendToStream('Account', 'l-1', [deposit(100)], { expectedVersion: (await store.streamVersion('Account', 'l-1')) });
    await worker.waitFor(appended.envelopes[0]!.position, { projections: ['summary_a'], timeoutMs: 10_000 });
    await until(() => !worker.held().includes('summary_b'));
    expect(await projectionRows(db.client, db.schema, 'summary_b')).toEqual(before);
    await worker.stop();
    await db.client.query(`UPDATE "${db.schema}".projection_leases SET owner = NULL, expires_at = now() WHERE projection_name = 'summary_b'`);
  });
});

describe('batch durability', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
    await prepareLedger(db, registry);
  });
  afterAll(() => db.dispose());

  const settingAfterFence = (durability: BatchDurability, mode: ProjectionLockMode) =>
    db.client.transaction(async (tx) => {
      const statements = leaseStatements(projectionTables(db.schema));
      await claimLease(tx, statements, 'summary_a', 'me', 30);
      expect(await fenceBatch(tx, statements, mode, 'summary_a', 'me', 30, db.schema, durability)).toBe('ok');
      return (await tx.query<{ setting: string }>(`SELECT current_setting('synchronous_commit') AS setting`)).rows[0]!.setting;
    });

  it.each(['row-lock', 'advisory-xact'] as const)('read-model batches (%s) commit without waiting for their WAL flush; subscriptions keep the setting', async (mode) => {
    const server = (await db.client.query<{ setting: string }>(`SELECT current_setting('synchronous_commit') AS setting`)).rows[0]!.setting;
    expect(await settingAfterFence('deferred', mode)).toBe('off');
    expect(await settingAfterFence('flush', mode)).toBe(server);
    // Local to the batch's transaction: the connection goes back to the pool as it was.
    expect((await db.client.query<{ setting: string }>(`SELECT current_setting('synchronous_commit') AS setting`)).rows[0]!.setting).toBe(server);
  });
});
