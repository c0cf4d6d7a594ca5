import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createEventStore, type PostgresEventStore } from '../../runtime/store/event-store.js';
import { createRepository, type EventSourcedRepository } from '../../runtime/repository/event-sourced-repository.js';
import { migrate } from '../../runtime/migrations/migrate.js';
import { createPgClient } from '../../runtime/pg-client.js';
import { AggregateNotFound, ConcurrencyError, isEsgenError } from '../../runtime/errors.js';
import { onServer, openTestDatabase, type TestDatabase } from '../support/database.js';
import { BankAccount, bankAccountDefinition, registry } from './fixtures/bank-account.js';

/** Deterministic pseudo-random numbers (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('EventSourcedRepository', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let accounts: EventSourcedRepository<BankAccount>;
  let counter = 0;
  const newId = () => `acc-${++counter}`;

  async function openAccount(id = newId(), owner = 'Ada'): Promise<BankAccount> {
    const account = accounts.create(id);
    account.open(owner);
    await accounts.save(account);
    return account;
  }

  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db.client, { schema: db.schema });
    store = createEventStore({ client: db.client, registry, schema: db.schema });
    accounts = createRepository(store, bankAccountDefinition());
  });
  afterAll(() => db.dispose());

  describe('save and load', () => {
    it('saves the uncommitted events, clears them, and loads the same state back', async () => {
      const account = accounts.create(newId());
      account.open('Ada', 'GBP');
      account.deposit(100);
      account.withdraw(30, 'rent');
      expect(account.uncommittedEvents()).toHaveLength(3);
      const result = await accounts.save(account);
      expect(result.nextVersion).toBe(3);
      expect(account.uncommittedEvents()).toEqual([]);
      expect(account.persistedVersion).toBe(3);
      const loaded = await accounts.load(account.id);
      expect(loaded).toBeInstanceOf(BankAccount);
      expect(loaded.state).toEqual(account.state);
      expect(loaded.version).toBe(3);
      expect(loaded.persistedVersion).toBe(3);
      expect(loaded.state).toMatchObject({ owner: 'Ada', currency: 'GBP', balance: 70, lastReason: 'rent' });
    });

    it('does nothing when there is nothing to save', async () => {
      const account = await openAccount();
      expect(await accounts.save(account)).toEqual({ nextVersion: 1, envelopes: [] });
    });

    it('throws AggregateNotFound (ESG203) for an id with no events', async () => {
      const error = await accounts.load('missing').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AggregateNotFound);
      expect(error).toMatchObject({ code: 'ESG203', aggregateType: 'BankAccount', aggregateId: 'missing' });
      expect((error as Error).message).toBe('BankAccount missing was not found.');
    });

    it('answers exists()', async () => {
      const account = await openAccount();
      expect(await accounts.exists(account.id)).toBe(true);
      expect(await accounts.exists('missing')).toBe(false);
    });

    it('rejects a save based on a stale load with ConcurrencyError and keeps the events pending', async () => {
      const { id } = await openAccount();
      const first = await accounts.load(id);
      const second = await accounts.load(id);
      first.deposit(5);
      await accounts.save(first);
      second.deposit(7);
      const error = await accounts.save(second).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
      expect(second.uncommittedEvents()).toHaveLength(1);
      expect((await accounts.load(id)).state.balance).toBe(5);
    });

    it('honours an explicit expectedVersion and passes correlation, causation and metadata through', async () => {
      const { id } = await openAccount();
      const stale = accounts.create(id);
      stale.deposit(9);
      const correlationId = randomUUID();
      const causationId = randomUUID();
      await accounts.save(stale, { expectedVersion: 'any', correlationId, causationId, metadata: { by: 'test' } });
      const events = await store.getEventsByAggregate('BankAccount', id, { fromVersion: 2 });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ version: 2, correlationId, causationId, metadata: { by: 'test' } });
      expect((await accounts.load(id)).state.lastCorrelationId).toBe(correlationId);
    });

    it('fails the whole save when one event is invalid', async () => {
      const { id } = await openAccount();
      const account = await accounts.load(id);
      account.deposit(10);
      account.deposit(-1);
      await expect(accounts.save(account)).rejects.toMatchObject({ code: 'ESG202', path: '/amount' });
      expect((await accounts.load(id)).version).toBe(1);
    });

    it('exposes repositories by aggregate type from the store', async () => {
      const { id } = await openAccount();
      const repository = store.repository<BankAccount>('BankAccount');
      expect((await repository.load(id)).state.owner).toBe('Ada');
      expect(() => store.repository('Nope')).toThrow(expect.objectContaining({ code: 'ESG208' }));
    });
  });

  describe('withRetry', () => {
    it('reloads and re-runs the command after a ConcurrencyError, and counts the retry', async () => {
      const { id } = await openAccount();
      const conflicts: ConcurrencyError[] = [];
      let runs = 0;
      const outcome = await accounts.withRetry(
        id,
        async (account) => {
          runs += 1;
          if (runs === 1) {
            // Another writer gets in between this load and this save.
            const other = await accounts.load(id);
            other.deposit(1);
            await accounts.save(other);
          }
          account.deposit(10);
          return account.version;
        },
        { onConflict: (error) => conflicts.push(error) },
      );
      expect(outcome.retries).toBe(1);
      expect(conflicts).toHaveLength(1);
      expect(conflicts[0]).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
      expect(outcome.result).toBe(3);
      expect((await accounts.load(id)).state.balance).toBe(11);
    });

    it('gives up after the given number of attempts with the last ConcurrencyError', async () => {
      const { id } = await openAccount();
      const error = await accounts
        .withRetry(
          id,
          async (account) => {
            const other = await accounts.load(id);
            other.deposit(1);
            await accounts.save(other);
            account.deposit(10);
          },
          { attempts: 3 },
        )
        .catch((e: unknown) => e);
      expect(isEsgenError(error, 'ESG201')).toBe(true);
      expect((await accounts.load(id)).state.balance).toBe(3);
    });

    it('creates the aggregate when asked to and it does not exist yet', async () => {
      const id = newId();
      const outcome = await accounts.withRetry(id, (account) => account.open('New'), { createIfMissing: true });
      expect(outcome.retries).toBe(0);
      expect((await accounts.load(id)).state.owner).toBe('New');
      await expect(accounts.withRetry(newId(), (account) => account.deposit(1))).rejects.toBeInstanceOf(AggregateNotFound);
    });

    it('does not retry other errors', async () => {
      const { id } = await openAccount();
      let runs = 0;
      await expect(
        accounts.withRetry(id, (account) => {
          runs += 1;
          account.deposit(-5);
        }),
      ).rejects.toMatchObject({ code: 'ESG202' });
      expect(runs).toBe(1);
    });
  });

  describe('time travel', () => {
    const t = (iso: string) => new Date(iso);
    let id: string;
    beforeAll(async () => {
      id = newId();
      const account = accounts.create(id);
      account.open('Ada', 'EUR', t('2025-01-10T10:00:00Z'));
      account.deposit(100, t('2025-01-10T10:15:00Z'));
      await accounts.save(account);
      account.withdraw(40, 'rent', t('2025-01-11T14:30:00Z'));
      await accounts.save(account);
      account.deposit(5, t('2025-01-12T09:00:00Z'));
      await accounts.save(account);
    });

    it.each([
      ['2025-01-10T10:00:00Z', 1, 0],
      ['2025-01-10T10:05:00Z', 1, 0],
      ['2025-01-10T12:00:00Z', 2, 100],
      ['2025-01-11T14:30:00Z', 3, 60],
      ['2025-01-11T23:59:59Z', 3, 60],
      ['2030-01-01T00:00:00Z', 4, 65],
    ])('loadAtTime(%s) replays only the events up to that instant', async (at, version, balance) => {
      const account = await accounts.loadAtTime(id, t(at));
      expect(account.version).toBe(version);
      expect(account.state.balance).toBe(balance);
    });

    it('loadAtTime before the first event is AggregateNotFound', async () => {
      await expect(accounts.loadAtTime(id, t('2025-01-09T00:00:00Z'))).rejects.toMatchObject({ code: 'ESG203' });
    });

    it('loadAtVersion returns the state right after that event, and refuses versions past the end', async () => {
      expect((await accounts.loadAtVersion(id, 2)).state.balance).toBe(100);
      expect((await accounts.loadAtVersion(id, 3)).state).toMatchObject({ balance: 60, lastReason: 'rent', withdrawals: 1 });
      const error = await accounts.loadAtVersion(id, 9).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ESG203' });
      expect((error as Error).message).toBe(`BankAccount ${id} was not found at version 9 (its stream ends at version 4).`);
    });
  });

  describe('snapshots', () => {
    const every = 10;
    let snapshotting: EventSourcedRepository<BankAccount>;
    beforeAll(() => {
      snapshotting = createRepository(store, bankAccountDefinition({ snapshotEvery: every }));
    });

    async function snapshotRow(id: string) {
      const result = await db.client.query<{ version: number; state: { owner: string }; state_fingerprint: string }>(
        `SELECT version, state, state_fingerprint FROM ${db.schema}.snapshots WHERE aggregate_type = 'BankAccount' AND aggregate_id = $1`,
        [id],
      );
      return result.rows[0];
    }

    async function accountWith(events: number): Promise<string> {
      const id = newId();
      const account = snapshotting.create(id);
      account.open('Ada');
      await snapshotting.save(account);
      for (let i = 1; i < events; i++) {
        account.deposit(i);
        await snapshotting.save(account);
      }
      return id;
    }

    it('writes a snapshot when a save crosses a multiple of snapshotEvery', async () => {
      const id = await accountWith(9);
      expect(await snapshotRow(id)).toBeUndefined();
      const account = await snapshotting.load(id);
      account.deposit(1);
      account.deposit(1);
      await snapshotting.save(account); // 9 → 11 crosses 10
      expect(await snapshotRow(id)).toMatchObject({ version: 11, state_fingerprint: 'bank-account-state-v1' });
      expect((await snapshotRow(id))!.state).toEqual(account.state);
    });

    it('loads from the snapshot plus the events after it', async () => {
      const id = await accountWith(25);
      expect((await snapshotRow(id))!.version).toBe(20);
      // Mark the stored snapshot: a load that uses it shows the mark, one that replays does not.
      await db.client.query(`UPDATE ${db.schema}.snapshots SET state = jsonb_set(state, '{owner}', '"from-snapshot"') WHERE aggregate_id = $1`, [id]);
      const loaded = await snapshotting.load(id);
      expect(loaded.state.owner).toBe('from-snapshot');
      expect(loaded.version).toBe(25);
      expect(loaded.persistedVersion).toBe(25);
      expect(loaded.state.balance).toBe((24 * 25) / 2);
      // loadAtVersion at or after the snapshot may use it; earlier never.
      expect((await snapshotting.loadAtVersion(id, 22)).state.owner).toBe('from-snapshot');
      expect((await snapshotting.loadAtVersion(id, 19)).state.owner).toBe('Ada');
      expect((await snapshotting.loadAtVersion(id, 19)).state.balance).toBe((18 * 19) / 2);
      // loadAtTime always replays.
      expect((await snapshotting.loadAtTime(id, new Date(Date.now() + 60_000))).state.owner).toBe('Ada');
      // A repository whose aggregate has no snapshotEvery ignores snapshots.
      expect((await accounts.load(id)).state.owner).toBe('Ada');
    });

    it('ignores a snapshot whose state fingerprint differs from the aggregate’s', async () => {
      const id = await accountWith(12);
      await db.client.query(`UPDATE ${db.schema}.snapshots SET state = jsonb_set(state, '{owner}', '"from-snapshot"') WHERE aggregate_id = $1`, [id]);
      const changedShape = createRepository(store, bankAccountDefinition({ snapshotEvery: every, stateFingerprint: 'bank-account-state-v2' }));
      const loaded = await changedShape.load(id);
      expect(loaded.state.owner).toBe('Ada');
      expect(loaded.version).toBe(12);
      // The next snapshot it writes replaces the stale one.
      for (let i = 0; i < 8; i++) loaded.deposit(1);
      await changedShape.save(loaded);
      expect(await snapshotRow(id)).toMatchObject({ version: 20, state_fingerprint: 'bank-account-state-v2' });
    });

    it('never fails a save because the snapshot write failed, and reports the failure', async () => {
      const id = await accountWith(5);
      const failures: unknown[] = [];
      const reporting = createRepository(store, bankAccountDefinition({ snapshotEvery: every }), { onSnapshotError: (error) => failures.push(error) });
      const account = await reporting.load(id);
      for (let i = 0; i < 6; i++) account.deposit(1);
      await db.client.query(`ALTER TABLE ${db.schema}.snapshots RENAME TO snapshots_away`);
      try {
        const result = await reporting.save(account);
        expect(result.nextVersion).toBe(11);
      } finally {
        await db.client.query(`ALTER TABLE ${db.schema}.snapshots_away RENAME TO snapshots`);
      }
      expect(failures).toHaveLength(1);
      expect(String(failures[0])).toMatch(/snapshots/);
      expect(account.uncommittedEvents()).toEqual([]);
      expect((await reporting.load(id)).version).toBe(11);
    });

    it('loads exactly the state of a full replay, field by field, over 1,000 random events', async () => {
      const next = random(42);
      const id = newId();
      const snapshotted = createRepository(store, bankAccountDefinition({ snapshotEvery: 37 }));
      const account = snapshotted.create(id);
      account.open('Ada', 'USD', new Date(Date.UTC(2025, 0, 1)));
      let time = Date.UTC(2025, 0, 1);
      let checks = 0;
      while (account.version < 1000) {
        const batch = Math.min(1 + Math.floor(next() * 5), 1000 - account.version);
        for (let i = 0; i < batch; i++) {
          time += Math.floor(next() * 3_600_000);
          const amount = 1 + Math.floor(next() * 500);
          if (next() < 0.6) account.deposit(amount, new Date(time));
          else account.withdraw(amount, next() < 0.5 ? `r${amount}` : undefined, new Date(time));
        }
        await snapshotted.save(account, { correlationId: next() < 0.3 ? randomUUID() : null });
        if (next() < 0.05 || account.version === 1000) {
          checks += 1;
          const fromSnapshot = await snapshotted.load(id);
          const replayed = await accounts.load(id);
          expect(fromSnapshot.version).toBe(replayed.version);
          for (const field of Object.keys(replayed.state) as Array<keyof BankAccount['state']>) {
            expect({ field, value: fromSnapshot.state[field] }).toEqual({ field, value: replayed.state[field] });
          }
          // The in-memory aggregate raised its events without the stored correlation ids.
          expect({ ...fromSnapshot.state, lastCorrelationId: null }).toEqual({ ...account.state, lastCorrelationId: null });
        }
      }
      expect(checks).toBeGreaterThan(3);
      expect((await snapshotRow(id))!.version).toBeGreaterThanOrEqual(962);
    });
  });

  describe.runIf(onServer)('concurrency (server)', () => {
    it('16 writers × 50 load-modify-save with retries: exactly 800 events, versions 1..800, conflicts == retries', async () => {
      const id = newId();
      const writersClient = await createPgClient({ connectionString: db.databaseUrl!, poolConfig: { max: 16 } });
      try {
        const writersStore = createEventStore({ client: writersClient, registry, schema: db.schema });
        const repository = createRepository(writersStore, bankAccountDefinition({ snapshotEvery: 50 }));
        let conflicts = 0;
        let retries = 0;
        await Promise.all(
          Array.from({ length: 16 }, async () => {
            for (let i = 0; i < 50; i++) {
              // The first save to win opens the account; every other one deposits: one event each.
              const outcome = await repository.withRetry(id, (acc) => (acc.version === 0 ? acc.open('Shared') : acc.deposit(1)), {
                attempts: 10_000,
                createIfMissing: true,
                onConflict: (error) => {
                  expect(error).toBeInstanceOf(ConcurrencyError);
                  conflicts += 1;
                },
              });
              retries += outcome.retries;
            }
          }),
        );
        const versions = await db.client.query<{ version: number }>(
          `SELECT version FROM ${db.schema}.events WHERE aggregate_type = 'BankAccount' AND aggregate_id = $1 ORDER BY version`,
          [id],
        );
        expect(versions.rows.map((r) => r.version)).toEqual(Array.from({ length: 800 }, (_, i) => i + 1));
        const deposits = await db.client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${db.schema}.events WHERE aggregate_id = $1 AND event_type = 'MoneyDeposited'`,
          [id],
        );
        expect(deposits.rows[0]!.n).toBe(799);
        expect(conflicts).toBe(retries);
        expect(retries).toBeGreaterThan(0);
        expect((await accounts.load(id)).state).toMatchObject({ owner: 'Shared', balance: 799, deposits: 799 });
      } finally {
        await writersClient.close();
      }
    });
  });
});
