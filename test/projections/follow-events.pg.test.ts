import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followEvents, type EventEnvelope, type PostgresEventStore } from '../../runtime/index.js';
import { onServer, openTestDatabase, type TestDatabase } from '../support/database.js';
import { asyncLedgerRegistry as registry } from './fixtures/ledger-registry.js';
import { deposit, prepareLedger } from './projection-test-kit.js';

describe('followEvents', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await openTestDatabase();
    store = await prepareLedger(db, registry);
    await store.appendToStream('Account', 'f-1', [{ type: 'AccountOpened', data: { owner: 'fay' } }, deposit(1), deposit(2)], { expectedVersion: 'no_stream' });
  });
  afterAll(() => db.dispose());

  const base = () => ({ client: db.client, registry, schema: db.schema, pollIntervalMs: 20 });

  it("from 'start' delivers stored events of its types in global order, then new ones as they commit; nothing is stored for it", async () => {
    const seen: EventEnvelope[] = [];
    const follower = await followEvents({ ...base(), from: 'start', eventTypes: ['MoneyDeposited'] }, (event) => void seen.push(event));
    await until(() => seen.length >= 2);
    await store.appendToStream('Account', 'f-1', [deposit(3)], { expectedVersion: 3 });
    await until(() => seen.length >= 3);
    await follower.stop();
    expect(seen.map((event) => (event.data as { amount: number }).amount)).toEqual([1, 2, 3]);
    expect(seen.map((event) => event.position)).toEqual([...seen.map((event) => event.position)].sort((a, b) => (a < b ? -1 : 1)));
    const positions = await db.client.query(`SELECT count(*)::int AS n FROM ${db.schema}.projection_positions`);
    expect(positions.rows[0]).toEqual({ n: 0 });
  });

  it("from 'now' (the default) skips what is stored and delivers what commits next", async () => {
    const seen: EventEnvelope[] = [];
    const follower = await followEvents(base(), (event) => void seen.push(event));
    const appended = await store.appendToStream('Account', 'f-2', [{ type: 'AccountOpened', data: { owner: 'gus' } }], { expectedVersion: 'no_stream' });
    await until(() => seen.length >= 1);
    await follower.stop();
    expect(seen.map((event) => event.eventId)).toEqual([appended.envelopes[0]!.eventId]);
  });

  it('stops with the handler’s error, and rejects unknown event types up front', async () => {
    const follower = await followEvents({ ...base(), from: 'start' }, () => {
      throw new Error('handler broke');
    });
    await expect(follower.done).rejects.toThrow('handler broke');
    await expect(followEvents({ ...base(), eventTypes: ['NoSuchEvent'] }, () => undefined)).rejects.toMatchObject({ code: 'ESG206' });
  });

  it.runIf(onServer)('holds back an event while an older transaction is open, and delivers it once that ends (gap-safe)', async () => {
    const seen: EventEnvelope[] = [];
    const follower = await followEvents(base(), (event) => void seen.push(event));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const open = new Promise<void>((resolve) => (started = resolve));
    // An older transaction with an id: what a slow append looks like to readers.
    const holder = db.client.transaction(async (tx) => {
      await tx.query('SELECT pg_current_xact_id()');
      started();
      await held;
    });
    await open;
    await store.appendToStream('Account', 'f-3', [{ type: 'AccountOpened', data: { owner: 'hal' } }], { expectedVersion: 'no_stream' });
    await sleep(300);
    expect(seen).toEqual([]);
    release();
    await holder;
    await until(() => seen.length >= 1);
    await follower.stop();
    expect(seen.map((event) => event.aggregateId)).toEqual(['f-3']);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(10);
  }
}
