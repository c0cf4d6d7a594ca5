/**
 * The server goes away under load: `pg_ctl stop -m immediate` (a crash: no shutdown checkpoint,
 * crash recovery on start) and a restart while writers append and two projection workers run.
 * Also: a worker started while the server is down waits for it; one that waits too long gives up
 * with DatabaseUnreachable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadModelManager, isEsgenError } from '../../runtime/index.js';
import { startPrivateCluster, type PrivateCluster } from '../support/private-cluster.js';
import { allEvents, expectedRows, projectionRows } from '../projections/projection-test-kit.js';
import { accountSummary, dailyTotals } from '../projections/fixtures/ledger-registry.js';
import {
  eventually,
  faultClient,
  faultSuiteSkipped,
  faultSuiteTitle,
  newWriteLog,
  prepareSchema,
  recordedWorker,
  registry,
  runWriter,
  schema,
  sleep,
  storedIds,
  storeOn,
} from './fault-kit.js';

describe.skipIf(faultSuiteSkipped)(faultSuiteTitle('a restarting server (private cluster)'), () => {
  let cluster: PrivateCluster;

  beforeAll(async () => {
    cluster = await startPrivateCluster();
    await prepareSchema(cluster.url);
  }, 120_000);

  afterAll(() => cluster?.dispose());

  it('loses no acknowledged append, and both workers recover by themselves to a replay', async () => {
    const workers = [await recordedWorker(cluster.url, 'worker-1'), await recordedWorker(cluster.url, 'worker-2')];
    const writerClient = await faultClient(cluster.url, 'esgen-writers', { max: 6 });
    const store = storeOn(writerClient);
    const log = newWriteLog();
    let stopWriting = false;
    try {
      for (const worker of workers) await worker.manager.start();
      const writers = Array.from({ length: 4 }, (_, index) => runWriter(store, index, () => stopWriting, log));
      await eventually(() => log.acknowledged.length >= 40, 30_000, 'appends before the crash');

      cluster.stop('immediate');
      await sleep(500);
      cluster.start();
      const acknowledgedAtRestart = log.acknowledged.length;
      await eventually(() => log.acknowledged.length >= acknowledgedAtRestart + 40, 30_000, 'appends after the restart');
      stopWriting = true;
      await Promise.all(writers);

      // Every writer saw the outage as a typed fault, never a plain driver error.
      expect(log.other).toEqual([]);
      expect(log.codes.length).toBeGreaterThan(0);
      expect(log.codes.every((code) => ['ESG212', 'ESG213', 'ESG214'].includes(code))).toBe(true);

      const acknowledged = await storedIds(writerClient, log.acknowledged);
      expect(acknowledged.size).toBe(log.acknowledged.length);
      // 'not-committed' means it: none of those events is stored.
      expect((await storedIds(writerClient, log.notCommitted.flat())).size).toBe(0);
      // An unknown outcome is settled by looking the event up; an append is all or nothing.
      for (const ids of log.unknown) {
        const found = await Promise.all(ids.map((id) => store.findEvent(id)));
        expect(new Set(found.map((event) => event !== undefined)).size).toBe(1);
      }

      // Both workers noticed, reported once with a log line, and came back without help.
      for (const worker of workers) {
        await eventually(() => worker.events.some((event) => event.kind === 'restored'), 30_000, `${worker.manager.workerId} to reconnect`);
        expect(worker.events.some((event) => event.kind === 'lost')).toBe(true);
        expect(worker.logs.some((line) => line.includes('lost its connection to PostgreSQL'))).toBe(true);
        expect(worker.logs.some((line) => line.includes('reconnected to PostgreSQL'))).toBe(true);
      }
      await workers[0]!.manager.waitForCatchUp({ timeoutMs: 30_000 });
      await eventually(() => workers.reduce((held, worker) => held + worker.manager.held().length, 0) === 2, 15_000, 'both leases held again');

      const events = await allEvents(store);
      expect(events.length).toBeGreaterThanOrEqual(log.acknowledged.length);
      for (const definition of [accountSummary, dailyTotals]) {
        expect(await projectionRows(writerClient, schema, definition.projection)).toEqual(expectedRows(definition, events));
      }
    } finally {
      stopWriting = true;
      for (const worker of workers) await worker.close();
      await writerClient.close();
    }
  });

  it('starts a worker while the server is down: it waits with backoff, then works', async () => {
    cluster.stop('fast');
    const worker = await recordedWorker(cluster.url, 'late-worker');
    try {
      let started = false;
      const starting = worker.manager.start().then(() => {
        started = true;
      });
      await eventually(() => worker.events.filter((event) => event.kind === 'waiting').length >= 2, 10_000, 'the worker to wait');
      expect(started).toBe(false);
      expect(worker.logs.some((line) => line.includes('is waiting for PostgreSQL'))).toBe(true);
      cluster.start();
      await starting;
      expect(started).toBe(true);

      const writerClient = await faultClient(cluster.url, 'esgen-late-writer');
      try {
        const { envelopes } = await storeOn(writerClient).appendToStream('Account', 'late-1', [{ type: 'MoneyDeposited', data: { amount: 7 } }], {
          expectedVersion: 'any',
        });
        await worker.manager.waitFor(envelopes[0]!.position, { timeoutMs: 15_000 });
        const rows = await projectionRows(writerClient, schema, accountSummary.projection);
        expect(rows.get('late-1')).toMatchObject({ balance: 7 });
      } finally {
        await writerClient.close();
      }
    } finally {
      await worker.close();
    }
  });

  it('gives up with DatabaseUnreachable (ESG215) after giveUpAfterMs', async () => {
    cluster.stop('fast');
    const client = await faultClient(cluster.url, 'esgen-give-up');
    try {
      const manager = createReadModelManager({ client, registry, schema, reconnect: { initialDelayMs: 50, maxDelayMs: 200, giveUpAfterMs: 800 }, logger: false });
      const failure = await manager.start().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isEsgenError(failure, 'ESG215')).toBe(true);
      expect((failure as Error).message).toMatch(/could not be reached after \d+ attempts/);
      expect((failure as { attempts: number }).attempts).toBeGreaterThan(1);
      await manager.stop();
    } finally {
      await client.close();
      cluster.start();
    }
  });
});
