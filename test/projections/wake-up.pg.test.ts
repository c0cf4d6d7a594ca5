import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../runtime/migrations/migrate.js';
import { createReadModelManager } from '../../runtime/projections/read-model-manager.js';
import { readModel } from '../../runtime/projections/read-model-query.js';
import { createEventStore } from '../../runtime/store/event-store.js';
import { eventsChannel } from '../../runtime/store/notify-channel.js';
import { onServer, openTestDatabase, serverUrl, type TestDatabase } from '../support/database.js';
import { accountSummary, asyncLedgerRegistry } from './fixtures/ledger-registry.js';

const script = fileURLToPath(new URL('./fixtures/append-then-die.ts', import.meta.url));

describe.runIf(onServer)('wake-ups (server)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db.client, { schema: db.schema });
  });
  afterAll(() => db.dispose());

  it('sends fewer notifications than appends, and one after the last append committed', async () => {
    const store = createEventStore({ client: db.client, registry: asyncLedgerRegistry, schema: db.schema });
    const received: number[] = [];
    const unlisten = await db.client.listen(eventsChannel(db.schema), () => received.push(performance.now()));
    try {
      const appended = await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          await store.appendToStream('Account', `burst-${i}`, [{ type: 'AccountOpened', data: { owner: 'x' } }], { expectedVersion: 'no_stream' });
          return performance.now();
        }),
      );
      const lastCommit = Math.max(...appended);
      const deadline = Date.now() + 10_000;
      while (!received.some((at) => at >= lastCommit) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(received.some((at) => at >= lastCommit)).toBe(true);
      expect(received.length).toBeGreaterThan(0);
      expect(received.length).toBeLessThan(40);
    } finally {
      await unlisten();
    }
  });

  it('spaces the notifications of one writer appending one event at a time: at most one per 5 ms, one after the last commit', async () => {
    const store = createEventStore({ client: db.client, registry: asyncLedgerRegistry, schema: db.schema });
    const received: number[] = [];
    const unlisten = await db.client.listen(eventsChannel(db.schema), () => received.push(performance.now()));
    try {
      const started = performance.now();
      let lastCommit = started;
      for (let i = 0; i < 60; i++) {
        await store.appendToStream('Account', `single-${i}`, [{ type: 'AccountOpened', data: { owner: 'x' } }], { expectedVersion: 'no_stream' });
        lastCommit = performance.now();
      }
      const deadline = Date.now() + 10_000;
      while (!received.some((at) => at >= lastCommit) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(received.some((at) => at >= lastCommit)).toBe(true);
      // Without spacing every append would find the previous notification done and send its own.
      const window = performance.now() - started;
      expect(received.length).toBeLessThanOrEqual(Math.ceil(window / 5) + 1);
      expect(received.length).toBeLessThan(60);
    } finally {
      await unlisten();
    }
  });

  it('loses nothing when a writer dies between commit and wake-up: the worker sees the event within its poll interval', async () => {
    const pollIntervalMs = 1500;
    const manager = createReadModelManager({ client: db.client, registry: asyncLedgerRegistry, schema: db.schema, pollIntervalMs, projections: ['account_summary'] });
    await manager.start();
    try {
      await manager.waitForCatchUp({ timeoutMs: 30_000 });
      // Let the worker go back to waiting for a wake-up (or its next poll).
      await new Promise((resolve) => setTimeout(resolve, 200));
      const child = spawn(process.execPath, ['--import', 'tsx', script, serverUrl!, db.schema, 'lost-1'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, killed) => resolve(killed)));
      const died = performance.now();
      expect(signal).toBe('SIGKILL');
      expect(output.trim()).toBe('committed');
      const stored = await db.client.query(`SELECT 1 FROM ${db.schema}.events WHERE aggregate_id = 'lost-1'`);
      expect(stored.rows).toHaveLength(1);
      const rows = readModel(db.client, accountSummary, { schema: db.schema });
      let seen: number | undefined;
      while (seen === undefined && performance.now() - died < pollIntervalMs + 5_000) {
        if ((await rows.get('lost-1')) !== undefined) seen = performance.now();
        else await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(seen).toBeDefined();
      // Bounded by the poll interval (plus a batch and this loop's own polling on a busy machine).
      expect(seen! - died).toBeLessThan(pollIntervalMs + 1_000);
    } finally {
      await manager.stop();
    }
  });
});
