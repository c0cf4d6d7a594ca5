import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEsgenError, readModel, type PostgresEventStore } from '../../runtime/index.js';
import { openTestDatabase, onServer, type TestDatabase } from '../support/database.js';
import { Account, inlineBalance, ledgerRegistry } from './fixtures/ledger-registry.js';
import { allEvents, deposit, expectedRows, prepareLedger, projectionRows } from './projection-test-kit.js';

describe('createInlineProjector', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  beforeAll(async () => {
    db = await openTestDatabase();
    store = await prepareLedger(db, ledgerRegistry);
  });
  afterAll(() => db.dispose());

  it('makes the row current the moment save returns', async () => {
    const repository = store.repository<Account>('Account');
    const account = repository.create('inline-1');
    account.open('ada');
    account.deposit(25);
    await repository.save(account);
    const balances = readModel(db.client, inlineBalance, { schema: db.schema });
    expect(await balances.get('inline-1')).toEqual({ id: 'inline-1', owner: 'ada', balance: 25, applied: 2 });
    account.deposit(5);
    await repository.save(account);
    expect(await balances.get('inline-1')).toEqual({ id: 'inline-1', owner: 'ada', balance: 30, applied: 3 });
  });

  it('rolls the append back when a mapper throws, with ProjectionMapperFailed', async () => {
    const before = await store.streamVersion('Account', 'inline-1');
    const failure = await store
      .appendToStream('Account', 'inline-1', [deposit(1), deposit(2, 'poison')], { expectedVersion: before })
      .then(() => undefined, (error: unknown) => error);
    expect(isEsgenError(failure)).toBe(true);
    expect(failure).toMatchObject({ code: 'ESG220', projection: 'inline_balance', eventType: 'MoneyDeposited' });
    expect(await store.streamVersion('Account', 'inline-1')).toBe(before);
    expect(await readModel(db.client, inlineBalance, { schema: db.schema }).get('inline-1')).toEqual({ id: 'inline-1', owner: 'ada', balance: 30, applied: 3 });
  });

  it('deletes the row when the mapper says delete', async () => {
    await store.appendToStream('Account', 'inline-2', [{ type: 'AccountOpened', data: { owner: 'bo' } }], { expectedVersion: 'no_stream' });
    await store.appendToStream('Account', 'inline-2', [{ type: 'AccountClosed', data: {} }], { expectedVersion: 1 });
    expect(await readModel(db.client, inlineBalance, { schema: db.schema }).get('inline-2')).toBeUndefined();
  });

  it.runIf(onServer)('loses no update when concurrent appends hit the same row (server)', async () => {
    // Every writer appends to its own stream, but all events go to one shared row per account:
    // use a read model keyed on the owner, so 16 streams share 2 rows.
    const byOwner = { ...inlineBalance, projection: 'inline_by_owner', keyOf: (event: { data: unknown; aggregateId: string }) => (event.aggregateId.endsWith('a') ? 'even' : 'odd') };
    const registry = { ...ledgerRegistry, readModels: { ByOwner: byOwner } };
    const { createEventStore } = await import('../../runtime/index.js');
    const { createInlineProjector } = await import('../../runtime/admin.js');
    const concurrent = createEventStore({ client: db.client, registry, schema: db.schema, onAppend: createInlineProjector(registry, { schema: db.schema }) });
    await Promise.all(
      Array.from({ length: 16 }, async (_, writer) => {
        const id = `shared-${writer}${writer % 2 === 0 ? 'a' : 'b'}`;
        for (let i = 0; i < 10; i++) await concurrent.appendToStream('Account', id, [deposit(1)], { expectedVersion: i });
      }),
    );
    const rows = await projectionRows(db.client, db.schema, 'inline_by_owner');
    expect(rows.get('even')).toMatchObject({ balance: 80, applied: 80 });
    expect(rows.get('odd')).toMatchObject({ balance: 80, applied: 80 });
  });

  it('equals a replay of every event it saw', async () => {
    // The shared-row test appends through a store without this read model: leave its streams out.
    const events = (await allEvents(store)).filter((event) => event.aggregateId.startsWith('inline-'));
    expect(await projectionRows(db.client, db.schema, 'inline_balance')).toEqual(expectedRows(inlineBalance, events));
  });
});
