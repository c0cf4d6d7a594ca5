import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createEventStore, type PostgresEventStore } from '../../runtime/store/event-store.js';
import type { BulkEvent } from '../../runtime/store/bulk-import.js';
import { migrate } from '../../runtime/migrations/migrate.js';
import { ConcurrencyError, InvalidImport, isEsgenError } from '../../runtime/errors.js';
import { createRepository } from '../../runtime/repository/event-sourced-repository.js';
import { createInlineProjector } from '../../runtime/projections/inline-projector.js';
import { createReadModelManager } from '../../runtime/projections/read-model-manager.js';
import { readModel } from '../../runtime/projections/read-model-query.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { bankAccountDefinition, registry } from './fixtures/bank-account.js';
import { accountSummary, inlineBalance, ledgerRegistry } from '../projections/fixtures/ledger-registry.js';

const at = (iso: string) => new Date(iso);
const opened = (id: string, extra: Partial<BulkEvent> = {}): BulkEvent => ({
  aggregateType: 'BankAccount',
  aggregateId: id,
  type: 'AccountOpened',
  data: { owner: 'Ada', currency: 'EUR' },
  ...extra,
});
const deposited = (id: string, amount: number, extra: Partial<BulkEvent> = {}): BulkEvent => ({
  aggregateType: 'BankAccount',
  aggregateId: id,
  type: 'MoneyDeposited',
  data: { amount },
  ...extra,
});

describe('appendBulk', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let counter = 0;
  const newId = () => `bulk-${++counter}`;

  async function count(): Promise<number> {
    const { rows } = await db.client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${db.schema}.events`);
    return rows[0]!.n;
  }

  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db.client, { schema: db.schema });
    store = createEventStore({ client: db.client, registry, schema: db.schema });
  });
  afterAll(() => db.dispose());

  it('imports history with its original event ids, times, metadata and payload versions', async () => {
    const id = newId();
    const eventId = randomUUID();
    const correlationId = randomUUID();
    const result = await store.appendBulk([
      // A v1 AccountOpened (no currency): stored as v1, upcast on read.
      opened(id, { eventId, eventVersion: 1, data: { owner: 'Grace' }, occurredAt: at('2015-03-01T09:00:00Z'), metadata: { source: 'legacy', row: 1 }, correlationId }),
      deposited(id, 10, { occurredAt: at('2015-03-02T09:00:00Z') }),
      deposited(id, 5, { occurredAt: at('2015-03-03T09:00:00Z'), version: 3 }),
    ]);
    expect(result).toEqual({ events: 3, streams: 1 });
    const events = await store.getEventsByAggregate('BankAccount', id);
    expect(events.map((event) => [event.version, event.type, event.storedVersion, event.occurredAt.toISOString()])).toEqual([
      [1, 'AccountOpened', 1, '2015-03-01T09:00:00.000Z'],
      [2, 'MoneyDeposited', 1, '2015-03-02T09:00:00.000Z'],
      [3, 'MoneyDeposited', 1, '2015-03-03T09:00:00.000Z'],
    ]);
    expect(events[0]).toMatchObject({ eventId, correlationId, metadata: { source: 'legacy', row: 1 }, data: { owner: 'Grace', currency: 'EUR' } });
    const account = await createRepository(store, bankAccountDefinition()).load(id);
    expect(account.state).toMatchObject({ owner: 'Grace', balance: 15, deposits: 2 });
  });

  it('continues stored streams and appends after them, in import order per stream', async () => {
    const [a, b] = [newId(), newId()];
    await store.appendToStream('BankAccount', a, [{ type: 'AccountOpened', data: { owner: 'Ada', currency: 'EUR' } }], { expectedVersion: 'no_stream' });
    await store.appendBulk([deposited(a, 1), opened(b), deposited(a, 2), deposited(b, 3, { version: 2 })], { chunkSize: 2 });
    expect((await store.getEventsByAggregate('BankAccount', a)).map((event) => [event.version, (event.data as { amount?: number }).amount])).toEqual([
      [1, undefined],
      [2, 1],
      [3, 2],
    ]);
    expect((await store.getEventsByAggregate('BankAccount', b)).map((event) => event.version)).toEqual([1, 2]);
  });

  it('keeps payload text exactly, whatever characters it holds (COPY escaping)', async () => {
    const id = newId();
    const owner = 'tab\there, new\nline, back\\slash, quote " and ünïcødé 🎉, \\N, \r';
    await store.appendBulk([opened(id, { data: { owner, currency: 'EUR' }, metadata: { note: '\\t\t' } })]);
    const [event] = await store.getEventsByAggregate('BankAccount', id);
    expect(event!.data).toEqual({ owner, currency: 'EUR' });
    expect(event!.metadata).toEqual({ note: '\\t\t' });
  });

  it('refuses an import with invalid events, listing every one, and writes nothing', async () => {
    const before = await count();
    const id = newId();
    const error = await store
      .appendBulk([
        opened(id),
        deposited(id, -1),
        { ...deposited(id, 1), type: 'Nope' },
        deposited(id, 1, { eventId: 'not-a-uuid' }),
        deposited(id, 1, { occurredAt: new Date('invalid') }),
        { ...deposited(id, 1), aggregateId: '' },
        opened(id, { eventVersion: 3 }),
      ])
      .catch((caught: unknown) => caught);
    expect(isEsgenError(error, 'ESG211')).toBe(true);
    const issues = (error as InvalidImport).issues;
    expect(issues.map((issue) => issue.index)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(issues[0]!.message).toMatch(/MoneyDeposited v1 is invalid at \/amount: must be greater than 0/);
    expect(issues[1]!.message).toMatch(/event type "Nope" is not in the registry/);
    expect(issues[2]!.message).toMatch(/eventId must be a UUID/);
    expect(issues[3]!.message).toMatch(/occurredAt must be a valid Date/);
    expect(issues[4]!.message).toMatch(/not a valid BankAccount id/);
    expect(issues[5]!.message).toMatch(/eventVersion must be an integer from 1 to 2/);
    expect(await count()).toBe(before);
  });

  it('is all or nothing across chunks: a bad event in the last chunk of a stream of events leaves nothing', async () => {
    const before = await count();
    const id = newId();
    async function* lines(): AsyncGenerator<BulkEvent> {
      yield opened(id);
      for (let i = 1; i <= 8; i++) yield deposited(id, i);
      yield deposited(id, 0); // invalid: amounts are > 0
    }
    const error = await store.appendBulk(lines(), { chunkSize: 3 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidImport);
    expect((error as InvalidImport).issues.map((issue) => issue.index)).toEqual([9]);
    expect(await count()).toBe(before);
  });

  it('checks a stream of events chunk by chunk while writing, and still reports the problems of every chunk, writing nothing', async () => {
    const before = await count();
    const id = newId();
    async function* lines(): AsyncGenerator<BulkEvent> {
      yield* [opened(id), deposited(id, 1), deposited(id, 2), deposited(id, -2), deposited(id, 3), deposited(id, 4), deposited(id, 0)];
    }
    const error = await store.appendBulk(lines(), { chunkSize: 2 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidImport);
    expect((error as InvalidImport).issues.map((issue) => issue.index)).toEqual([3, 6]);
    expect(await count()).toBe(before);
  });

  it('refuses a version that does not follow the stream (ConcurrencyError), writing nothing', async () => {
    const id = newId();
    await store.appendBulk([opened(id), deposited(id, 1)]);
    const before = await count();
    const error = await store.appendBulk([deposited(id, 1, { version: 2 })]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ aggregateId: id, expectedVersion: 1, actualVersion: 2 });
    expect(await count()).toBe(before);
  });

  it('refuses event ids seen twice, in the import or already stored', async () => {
    const id = newId();
    const eventId = randomUUID();
    const twice = await store.appendBulk([opened(id, { eventId }), deposited(id, 1, { eventId: eventId.toUpperCase() })]).catch((caught: unknown) => caught);
    expect((twice as InvalidImport).issues).toEqual([{ index: 1, eventType: 'MoneyDeposited', message: `event id ${eventId.toUpperCase()} appears twice in the import` }]);
    await store.appendBulk([opened(id, { eventId })]);
    const before = await count();
    const again = await store.appendBulk([opened(newId()), opened(newId(), { eventId })]).catch((caught: unknown) => caught);
    expect(isEsgenError(again, 'ESG211')).toBe(true);
    expect(String(again)).toMatch(/event id is already stored/);
    expect(await count()).toBe(before);
  });

  it('updates inline read models in the import transaction, and async ones catch up', async () => {
    const schema = `${db.schema}_rm`;
    await migrate(db.client, { schema });
    const ledger = createEventStore({ client: db.client, registry: ledgerRegistry, schema, onAppend: createInlineProjector(ledgerRegistry, { schema }) });
    const events: BulkEvent[] = [];
    for (let account = 0; account < 30; account++) {
      events.push({ aggregateType: 'Account', aggregateId: `acc-${account}`, type: 'AccountOpened', data: { owner: `owner-${account}` } });
      for (let i = 1; i <= 10; i++) events.push({ aggregateType: 'Account', aggregateId: `acc-${account}`, type: 'MoneyDeposited', data: { amount: i } });
    }
    await ledger.appendBulk(events, { chunkSize: 100 });
    const inline = await readModel(db.client, inlineBalance, { schema }).find({ where: { owner: 'owner-7' } });
    expect(inline.map((row) => [row.balance, row.applied])).toEqual([[55, 11]]);
    const manager = createReadModelManager({ client: db.client, registry: ledgerRegistry, schema, projections: ['account_summary'] });
    await manager.start();
    try {
      await manager.waitForCatchUp({ timeoutMs: 30_000 });
    } finally {
      await manager.stop();
    }
    const summary = await readModel(db.client, accountSummary, { schema }).get('acc-29');
    expect(summary).toMatchObject({ owner: 'owner-29', balance: 55, applied: 11 });
  });
});

describe('loadAtTime on imported history', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db.client, { schema: db.schema });
    store = createEventStore({ client: db.client, registry, schema: db.schema });
  });
  afterAll(() => db.dispose());

  // Versions say in which order the events happened to the aggregate; imported business times may
  // disagree (clock skew, back-dated entries). The state at an instant is the longest prefix of the
  // stream whose events all occurred at or before it: never a state the aggregate did not have.
  const cases: Array<[string, { instant: string; balance: number; version: number }]> = [
    ['before a back-dated event is reached, stops before the first later-dated one', { instant: '2020-01-02T12:00:00Z', balance: 10, version: 2 }],
    ['includes the back-dated event once every earlier version occurred', { instant: '2020-01-03T12:00:00Z', balance: 111, version: 4 }],
    ['at the last event', { instant: '2020-01-05T00:00:00Z', balance: 1111, version: 5 }],
  ];

  it.each(cases)('%s', async (_name, { instant, balance, version }) => {
    const id = `skewed-${instant}`;
    await store.appendBulk([
      opened(id, { occurredAt: at('2020-01-01T00:00:00Z') }),
      deposited(id, 10, { occurredAt: at('2020-01-02T00:00:00Z') }),
      deposited(id, 100, { occurredAt: at('2020-01-03T00:00:00Z') }),
      deposited(id, 1, { occurredAt: at('2020-01-01T12:00:00Z') }), // back-dated: before versions 2 and 3
      deposited(id, 1000, { occurredAt: at('2020-01-04T00:00:00Z') }),
    ]);
    const account = await createRepository(store, bankAccountDefinition()).loadAtTime(id, at(instant));
    expect([account.version, account.state.balance]).toEqual([version, balance]);
  });
});
