/**
 * Connections that die or go silent one at a time: the LISTEN connection terminated, sessions
 * ended by idle_session_timeout, a frozen server (SIGSTOP), and an append's own connection lost
 * before and after its COMMIT was sent. Each on a private cluster the test starts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommitOutcomeUnknown, ConnectionLost, createEventStore, isEsgenError, QueryTimedOut, type SqlExecutor } from '../../runtime/index.js';
import { startPrivateCluster, type PrivateCluster } from '../support/private-cluster.js';
import { allEvents, expectedRows, projectionRows } from '../projections/projection-test-kit.js';
import { accountSummary, dailyTotals } from '../projections/fixtures/ledger-registry.js';
import { eventually, faultClient, faultSuiteSkipped, faultSuiteTitle, prepareSchema, recordedWorker, registry, schema, sleep, storeOn } from './fault-kit.js';

const deposit = (amount: number, eventId = randomUUID()) => ({ type: 'MoneyDeposited', data: { amount }, eventId });

describe.skipIf(faultSuiteSkipped)(faultSuiteTitle('connection faults (private cluster)'), () => {
  let cluster: PrivateCluster;

  beforeAll(async () => {
    cluster = await startPrivateCluster();
    await prepareSchema(cluster.url);
  }, 120_000);

  afterAll(() => cluster?.dispose());

  it('re-LISTENs after pg_terminate_backend of the LISTEN connection, and is woken by appends again', async () => {
    // Polling is slowed to a minute: only a working LISTEN makes the worker see the append in time.
    const worker = await recordedWorker(cluster.url, 'listen-worker', { pollIntervalMs: 60_000 });
    const writer = await faultClient(cluster.url, 'listen-writer');
    try {
      await worker.manager.start();
      const terminated = await cluster.sql<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE application_name = 'listen-worker' AND query LIKE 'LISTEN%' AND pg_terminate_backend(pid)`,
      );
      expect(terminated).toHaveLength(1);
      const listening = () => cluster.sql(`SELECT pid FROM pg_stat_activity WHERE application_name = 'listen-worker' AND query LIKE 'LISTEN%'`);
      await eventually(async () => (await listening()).length === 1, 15_000, 'the LISTEN connection to come back');
      expect((await listening())[0]).not.toEqual(terminated[0]);
      expect(worker.events[0]).toMatchObject({ kind: 'lost' });
      expect(isEsgenError((worker.events[0] as { error: unknown }).error, 'ESG212')).toBe(true);
      expect(worker.logs[0]).toMatch(/worker listen-worker lost its connection to PostgreSQL/);

      // Let the wake-up that the reconnect itself sends settle, then append: only NOTIFY can wake it now.
      await sleep(300);
      const { envelopes } = await storeOn(writer).appendToStream('Account', 'listen-1', [deposit(3)], { expectedVersion: 'any' });
      await worker.manager.waitFor(envelopes[0]!.position, { timeoutMs: 10_000 });
    } finally {
      await worker.close();
      await writer.close();
    }
  });

  it('keeps working when idle_session_timeout ends idle sessions (pool and LISTEN)', async () => {
    await cluster.sql(`ALTER SYSTEM SET idle_session_timeout = '300ms'`);
    await cluster.sql(`SELECT pg_reload_conf()`);
    const worker = await recordedWorker(cluster.url, 'idle-worker', { pollIntervalMs: 1_000 });
    const writer = await faultClient(cluster.url, 'idle-writer');
    try {
      await worker.manager.start();
      const store = storeOn(writer);
      for (let round = 0; round < 5; round++) {
        // Idle past the timeout: every pooled session of both clients is ended meanwhile.
        await sleep(700);
        const { envelopes } = await store.appendToStream('Account', 'idle-1', [deposit(1)], { expectedVersion: 'any' });
        await worker.manager.waitFor(envelopes[0]!.position, { timeoutMs: 15_000 });
      }
      // The LISTEN session was ended too (it idles by nature) and was re-established each time.
      expect(worker.events.some((event) => event.kind === 'lost')).toBe(true);
      const rows = await projectionRows(writer, schema, accountSummary.projection);
      expect(rows.get('idle-1')).toMatchObject({ balance: 5, applied: 5 });
    } finally {
      await cluster.sql(`ALTER SYSTEM RESET idle_session_timeout`);
      await cluster.sql(`SELECT pg_reload_conf()`);
      await worker.close();
      await writer.close();
    }
  });

  it('turns a frozen server into QueryTimedOut (ESG214) in bounded time, then recovers', async () => {
    const worker = await recordedWorker(cluster.url, 'frozen-worker');
    const writerClient = await faultClient(cluster.url, 'frozen-writer');
    const store = storeOn(writerClient);
    try {
      await worker.manager.start();
      await store.appendToStream('Account', 'frozen-1', [deposit(1)], { expectedVersion: 'any' });
      await sleep(300); // the wake-up NOTIFY after that append is done: its connection is idle in the pool

      const single = deposit(10);
      const many = [deposit(20), deposit(30)];
      let thawed = false;
      cluster.freeze();
      let singleError: unknown;
      let manyError: unknown;
      try {
        // A pooled connection exists: the statement is sent and no answer comes (query timeout).
        singleError = await store.appendToStream('Account', 'frozen-1', [single], { expectedVersion: 'any' }).catch((error: unknown) => error);
        // Its connection was discarded; the next one times out on BEGIN, or cannot even be opened.
        manyError = await store
          .appendMany([
            { aggregateType: 'Account', aggregateId: 'frozen-2', events: [many[0]!], expectedVersion: 'any' },
            { aggregateType: 'Account', aggregateId: 'frozen-3', events: [many[1]!], expectedVersion: 'any' },
          ])
          .catch((error: unknown) => error);
        expect(thawed).toBe(false); // both came back while the server was still frozen
      } finally {
        cluster.thaw();
        thawed = true;
      }

      expect(singleError).toBeInstanceOf(QueryTimedOut);
      expect(singleError).toMatchObject({ code: 'ESG214', kind: 'query', timeoutMs: 3_000, outcome: 'unknown', eventIds: [single.eventId] });
      expect((singleError as Error).message).toContain(single.eventId);
      expect(manyError).toBeInstanceOf(QueryTimedOut);
      expect(manyError).toMatchObject({ code: 'ESG214', kind: expect.stringMatching(/^(connect|query)$/), outcome: 'not-committed' });

      // After the thaw: writes work again, and the unknown outcome is settled by looking the event up.
      await eventually(
        async () => store.appendToStream('Account', 'frozen-1', [deposit(100)], { expectedVersion: 'any' }).then(() => true, () => false),
        20_000,
        'appends to work after the thaw',
      );
      const settled = await store.findEvent(single.eventId);
      expect(settled === undefined || settled.eventId === single.eventId).toBe(true);
      expect(await store.findEvent(many[0]!.eventId)).toBeUndefined();

      // The worker timed out too, reported it, and caught up to a replay by itself.
      await eventually(() => worker.events.some((event) => event.kind === 'restored'), 30_000, 'the worker to recover');
      expect(worker.events.find((event) => event.kind === 'lost')).toMatchObject({ error: { code: expect.stringMatching(/ESG21[24]/) } });
      await worker.manager.waitForCatchUp({ timeoutMs: 30_000 });
      const events = await allEvents(store);
      for (const definition of [accountSummary, dailyTotals]) {
        expect(await projectionRows(writerClient, schema, definition.projection)).toEqual(expectedRows(definition, events));
      }
    } finally {
      cluster.thaw();
      await worker.close();
      await writerClient.close();
    }
  });

  it('rejects with ConnectionLost (ESG212) when the connection dies inside the append transaction; nothing is written', async () => {
    const client = await faultClient(cluster.url, 'lost-writer');
    try {
      const store = createEventStore({
        client,
        registry,
        schema,
        // The hook runs inside the append's transaction, before COMMIT: the session is ended there.
        onAppend: async (tx: SqlExecutor) => {
          const [{ pid }] = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows as [{ pid: number }];
          await cluster.sql('SELECT pg_terminate_backend($1)', [pid]);
          await sleep(100);
          await tx.query('SELECT 1');
        },
      });
      const event = deposit(5);
      const error = await store.appendToStream('Account', 'lost-1', [event], { expectedVersion: 'any' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConnectionLost);
      expect(error).toMatchObject({ code: 'ESG212', outcome: 'not-committed', phase: 'query' });
      expect(await storeOn(client).findEvent(event.eventId)).toBeUndefined();
      // The pool replaced the dead connection: the next call works.
      expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.close();
    }
  });

  it('rejects with CommitOutcomeUnknown (ESG213) naming the event ids when the connection dies after COMMIT was sent', async () => {
    const client = await faultClient(cluster.url, 'unknown-writer');
    try {
      let backend = 0;
      const store = createEventStore({
        client,
        registry,
        schema,
        // Freeze our own backend as the hook returns: COMMIT is sent but never read; then kill it
        // (the postmaster restarts the cluster after a killed backend, as after a crash).
        onAppend: async (tx: SqlExecutor) => {
          backend = ((await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0] as { pid: number }).pid;
          process.kill(backend, 'SIGSTOP');
          setTimeout(() => process.kill(backend, 'SIGKILL'), 300);
        },
      });
      const events = [deposit(1), deposit(2)];
      const error = await store.appendToStream('Account', 'unknown-1', events, { expectedVersion: 'any' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CommitOutcomeUnknown);
      expect(error).toMatchObject({ code: 'ESG213', outcome: 'unknown', eventIds: events.map((event) => event.eventId) });
      expect((error as Error).message).toContain('store.findEvent');
      // Settled by looking it up once the server is back: the COMMIT was never read, so nothing is stored.
      await eventually(async () => client.query('SELECT 1').then(() => true, () => false), 30_000, 'the cluster to restart after the crash');
      expect(await storeOn(client).findEvent(events[0]!.eventId)).toBeUndefined();
    } finally {
      await client.close();
    }
  });
});
