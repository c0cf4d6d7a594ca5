import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribe, type EventEnvelope } from '../../runtime/index.js';
import { projectionStatus, skipFailedEvent } from '../../runtime/admin.js';
import type { PostgresEventStore } from '../../runtime/index.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { asyncLedgerRegistry as registry } from './fixtures/ledger-registry.js';
import { deposit, prepareLedger } from './projection-test-kit.js';

describe('subscribe', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let firstBatch: bigint[];

  beforeAll(async () => {
    db = await openTestDatabase();
    store = await prepareLedger(db, registry);
    const appended = await store.appendToStream('Account', 's-1', [{ type: 'AccountOpened', data: { owner: 'sue' } }, deposit(1), deposit(2)], {
      expectedVersion: 'no_stream',
    });
    firstBatch = appended.envelopes.map((event) => event.position);
  });
  afterAll(() => db.dispose());

  const base = () => ({ client: db.client, registry, schema: db.schema, pollIntervalMs: 50 });

  it("from 'start' delivers every event of its types in global order, and resumes from its checkpoint", async () => {
    const seen: EventEnvelope[] = [];
    const first = await subscribe({ ...base(), name: 'deposits', from: 'start', eventTypes: ['MoneyDeposited'] }, (event) => {
      seen.push(event);
    });
    await first.waitForCatchUp({ timeoutMs: 10_000 });
    await first.stop();
    expect(seen.map((event) => event.position)).toEqual(firstBatch.slice(1));
    const more = await store.appendToStream('Account', 's-1', [deposit(3)], { expectedVersion: 3 });
    const again = await subscribe({ ...base(), name: 'deposits', from: 'start', eventTypes: ['MoneyDeposited'] }, (event) => {
      seen.push(event);
    });
    await again.waitFor(more.envelopes[0]!.position, { timeoutMs: 10_000 });
    await again.stop();
    expect(seen.map((event) => (event.data as { amount: number }).amount)).toEqual([1, 2, 3]);
  });

  it("from 'now' skips history; from a position starts after it", async () => {
    const now: number[] = [];
    const after: number[] = [];
    const fromNow = await subscribe({ ...base(), name: 'from_now', from: 'now', eventTypes: ['MoneyDeposited'] }, (event) => {
      now.push((event.data as { amount: number }).amount);
    });
    const fromPosition = await subscribe({ ...base(), name: 'from_position', from: firstBatch[1]!, eventTypes: ['MoneyDeposited'] }, (event) => {
      after.push((event.data as { amount: number }).amount);
    });
    const appended = await store.appendToStream('Account', 's-1', [deposit(4)], { expectedVersion: 4 });
    await fromNow.waitFor(appended.envelopes[0]!.position, { timeoutMs: 10_000 });
    await fromPosition.waitFor(appended.envelopes[0]!.position, { timeoutMs: 10_000 });
    await Promise.all([fromNow.stop(), fromPosition.stop()]);
    expect(now).toEqual([4]);
    expect(after).toEqual([2, 3, 4]);
  });

  it('delivers through one process at a time and fails over to a standby', async () => {
    const delivered: string[] = [];
    const primary = await subscribe({ ...base(), name: 'single', leaseSeconds: 1, workerId: 'primary' }, () => {
      delivered.push('primary');
    });
    await primary.waitForCatchUp({ timeoutMs: 10_000 });
    const standby = await subscribe({ ...base(), name: 'single', leaseSeconds: 1, workerId: 'standby' }, () => {
      delivered.push('standby');
    });
    const appended = await store.appendToStream('Account', 's-1', [deposit(5)], { expectedVersion: 5 });
    await primary.waitFor(appended.envelopes[0]!.position, { timeoutMs: 10_000 });
    expect(primary.isActive()).toBe(true);
    expect(standby.isActive()).toBe(false);
    await primary.stop();
    const next = await store.appendToStream('Account', 's-1', [deposit(6)], { expectedVersion: 6 });
    await standby.waitFor(next.envelopes[0]!.position, { timeoutMs: 10_000 });
    await standby.stop();
    expect(delivered.at(-1)).toBe('standby');
    expect(delivered.filter((who) => who === 'standby')).toHaveLength(1);
  });

  it('stops on a throwing handler with the error in status, and redelivers nothing it finished', async () => {
    const handled: number[] = [];
    const failing = await subscribe({ ...base(), name: 'picky', from: 'start', eventTypes: ['MoneyDeposited'] }, (event) => {
      const amount = (event.data as { amount: number }).amount;
      if (amount === 3) throw new Error('cannot handle 3');
      handled.push(amount);
    });
    let status;
    for (let i = 0; i < 200; i++) {
      status = (await projectionStatus(db.client, registry, { schema: db.schema })).find((s) => s.name === 'picky');
      if (status?.state === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(status).toMatchObject({ kind: 'subscription', state: 'failed' });
    expect(status?.lastError?.message).toMatch(/cannot handle 3/);
    await skipFailedEvent(db.client, registry, 'picky', { schema: db.schema });
    await failing.waitForCatchUp({ timeoutMs: 10_000 });
    await failing.stop();
    expect(handled).toEqual([1, 2, 4, 5, 6]);
  });
});
