/**
 * The store and repository running the code `esgen build` generated for examples/bank-account
 * (its committed output and user-owned classes): the contract of runtime/contracts.ts end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createEventStore, type PostgresEventStore } from '../../runtime/store/event-store.js';
import { migrate } from '../../runtime/migrations/migrate.js';
import type { EventSourcedRepository } from '../../runtime/repository/event-sourced-repository.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { testMasterKey, testVault } from '../support/personal-data.js';

const masterKey = testMasterKey();
import { registry } from '../../examples/bank-account/src/generated/registry.js';
import { BankAccount } from '../../examples/bank-account/src/domain/bank-account.js';

const holder = { name: 'Ada Lovelace', email: 'ada@example.org' };
const address = { street: '1 Analytical Way', city: 'London', country: 'UK' };

describe('generated bank-account domain on the runtime', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let accounts: EventSourcedRepository<BankAccount>;

  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db.client, { schema: db.schema });
    // The example's holder fields are `pii`: the store needs a master key (docs/personal-data.md).
    store = createEventStore({ client: db.client, registry, schema: db.schema, personalData: testVault(db.client, db.schema, masterKey) });
    accounts = store.repository(BankAccount);
  });
  afterAll(() => db.dispose());

  it('saves commands of the generated aggregate and loads the same state back', async () => {
    const account = accounts.create(randomUUID());
    account.open({ holder, address, currency: 'EUR', overdraftLimit: 100 });
    account.deposit(250, 'branch', 'salary');
    account.withdraw(300);
    await accounts.save(account);
    const loaded = await accounts.load(account.id);
    expect(loaded.version).toBe(3);
    expect(loaded.state).toEqual(account.state);
    expect(loaded.state).toMatchObject({ balance: -50, overdraftLimit: 100, status: 'open', holder });
  });

  it('rejects a payload the generated validator refuses, naming the field, and writes nothing', async () => {
    const id = randomUUID();
    const error = await store
      .appendToStream('BankAccount', id, [{ type: 'MoneyDeposited', data: { amount: 'lots', channel: 'web' } }], { expectedVersion: 'any' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ESG202', eventType: 'MoneyDeposited', path: '/amount' });
    expect(await store.streamVersion('BankAccount', id)).toBe(0);
  });

  it('loads v1 events inserted with plain SQL through the generated upcasters', async () => {
    const id = randomUUID();
    const insert = (version: number, type: string, eventVersion: number, data: unknown) =>
      db.client.query(
        `INSERT INTO ${db.schema}.events (event_id, aggregate_type, aggregate_id, version, event_type, event_version, event_data, occurred_at)
         VALUES ($1, 'BankAccount', $2, $3, $4, $5, $6, now())`,
        [randomUUID(), id, version, type, eventVersion, JSON.stringify(data)],
      );
    await insert(1, 'AccountOpened', 1, { holderName: 'Grace Hopper', currency: 'USD' });
    await insert(2, 'MoneyDeposited', 1, { amount: 40, branchCode: 'NYC-1' });
    const events = await store.getEventsByAggregate('BankAccount', id);
    expect(events.map((e) => [e.type, e.storedVersion])).toEqual([
      ['AccountOpened', 1],
      ['MoneyDeposited', 1],
    ]);
    expect(events[0]!.data).toEqual({
      holder: { name: 'Grace Hopper' },
      address: { street: '', city: '', country: '' },
      currency: 'USD',
      initialOverdraftLimit: 0,
    });
    expect(events[1]!.data).toEqual({ amount: 40, channel: 'branch' });
    const account = await accounts.load(id);
    expect(account.state).toMatchObject({ holder: { name: 'Grace Hopper' }, balance: 40, overdraftLimit: 0 });
  });

  it('snapshots every 50 events and loads from the snapshot exactly what a full replay gives', async () => {
    const account = accounts.create(randomUUID());
    account.open({ holder, address, currency: 'EUR' });
    await accounts.save(account);
    for (let i = 1; i < 130; i++) {
      if (i % 7 === 0) account.tag(`k${i}`, { n: i, at: `t${i}` });
      else account.deposit(i, i % 2 ? 'web' : 'branch');
      if (i % 9 === 0) await accounts.save(account, { metadata: { userId: `u${i}` } });
    }
    await accounts.save(account);
    const snapshot = await db.client.query<{ version: number }>(`SELECT version FROM ${db.schema}.snapshots WHERE aggregate_id = $1`, [account.id]);
    expect(snapshot.rows[0]!.version).toBeGreaterThanOrEqual(100);
    const fromSnapshot = await accounts.load(account.id);
    const replayed = await accounts.loadAtVersion(account.id, 130);
    // loadAtVersion(130) may use the same snapshot; a definition without snapshots cannot.
    const noSnapshots = createEventStore({ client: db.client, schema: db.schema, registry, personalData: testVault(db.client, db.schema, masterKey) }).repository({
      ...BankAccount.definition,
      snapshotEvery: undefined,
      create: (id: string) => new BankAccount(id),
    });
    const full = await noSnapshots.load(account.id);
    expect(fromSnapshot.version).toBe(130);
    expect(JSON.parse(JSON.stringify(fromSnapshot.state))).toEqual(JSON.parse(JSON.stringify(full.state)));
    expect(JSON.parse(JSON.stringify(replayed.state))).toEqual(JSON.parse(JSON.stringify(full.state)));
  });

  it('applies add, subtract and map-entry rules (set, add, remove) and the handler after them, on save, load, replay and snapshot alike', async () => {
    const account = accounts.create(randomUUID());
    account.open({ holder, address, currency: 'EUR', overdraftLimit: 500 });
    account.deposit(100, 'web');
    account.deposit(40, 'branch');
    account.deposit(60, 'web');
    account.withdraw(30);
    account.withdraw(120);
    account.tag('segment', 'retail');
    account.tag('risk', { score: 3 });
    account.tag('segment', 'private');
    account.untag('risk');
    const expected = {
      balance: 50,
      depositsByChannel: { web: 160, branch: 40 },
      largestWithdrawal: 120,
      tags: { segment: 'private' },
    };
    expect(account.state).toMatchObject(expected);
    await accounts.save(account);
    const loaded = await accounts.load(account.id);
    expect(loaded.state).toEqual(account.state);
    // The state at an earlier version: the rules rebuild each step (no map shared between versions).
    const early = await accounts.loadAtVersion(account.id, 3);
    expect(early.state).toMatchObject({ balance: 140, depositsByChannel: { web: 100, branch: 40 }, largestWithdrawal: 0, tags: {} });
    // A snapshot of this state restores it exactly.
    const snapshot = JSON.parse(JSON.stringify(loaded.snapshotState())) as unknown;
    const restored = new BankAccount(account.id);
    restored.restoreSnapshot(snapshot, loaded.version);
    expect(restored.state).toEqual(loaded.state);
    expect(() => restored.untag('risk')).toThrow(/has no tag risk/);
  });
});
