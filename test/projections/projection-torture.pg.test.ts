/**
 * Server-only torture test: 8 writer processes append concurrently (some transactions held open,
 * some rolled back) while 3 worker processes run the async projections, and one worker is killed
 * with SIGKILL while batches are flowing. At the end every projection equals the replay, every
 * event was applied exactly once (the rows' `applied` counters and the checkpoints' processed
 * counts), and every checkpoint equals the head.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadModelManager, type PostgresEventStore } from '../../runtime/index.js';
import { ensureReadModelIndexes, migrate, projectionStatus } from '../../runtime/admin.js';
import { createEventStore } from '../../runtime/index.js';
import { onServer, openTestDatabase, type TestDatabase } from '../support/database.js';
import { allEvents, expectedRows, projectionRows } from './projection-test-kit.js';
import { tortureRegistry } from './torture/torture-registry.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

function start(script: string, args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', here(script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.runIf(onServer)('projections under torture (server)', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db.client, { schema: db.schema });
    await ensureReadModelIndexes(db.client, tortureRegistry, db.schema);
    store = createEventStore({ client: db.client, registry: tortureRegistry, schema: db.schema });
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await db.dispose();
  });

  it('ends with every projection equal to the replay, each event applied once, checkpoints at the head', { timeout: 90_000 }, async () => {
    const url = db.databaseUrl!;
    const workers = [0, 1, 2].map((n) => start('./torture/torture-worker.ts', [url, db.schema, `worker-${n}`]));
    children.push(...workers.map((worker) => worker.child));
    await until(() => workers.every((worker) => worker.output().includes('ready')), 20_000, 'workers to start');
    const writers = Array.from({ length: 8 }, (_, n) => start('./torture/torture-writer.ts', [url, db.schema, String(n), '120']));
    children.push(...writers.map((writer) => writer.child));

    // Kill a worker that holds a lease while batches are flowing.
    const victim = workers[0]!;
    await until(() => (victim.output().match(/^batch /gm) ?? []).length >= 3, 30_000, 'the victim to process batches');
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBe(null);

    const codes = await Promise.all(writers.map((writer) => writer.exited));
    expect(codes, writers.map((writer) => writer.output()).join('')).toEqual(Array(8).fill(0));
    const reports = writers.map((writer) => JSON.parse(writer.output().trim().split('\n').at(-1)!) as { committed: number; rolledBack: number });
    expect(reports.reduce((sum, report) => sum + report.rolledBack, 0)).toBeGreaterThan(0);

    // The survivors take over the victim's projections once its lease expires (2 s).
    const waiter = createReadModelManager({ client: db.client, registry: tortureRegistry, schema: db.schema });
    await waiter.waitForCatchUp({ timeoutMs: 30_000 });

    const events = await allEvents(store);
    expect(events.length).toBe(reports.reduce((sum, report) => sum + report.committed, 0));
    for (const definition of Object.values(tortureRegistry.readModels)) {
      expect(await projectionRows(db.client, db.schema, definition.projection), definition.projection).toEqual(expectedRows(definition, events));
    }
    // Exactly once on the checkpoint side too: processed counts equal the events of each type set.
    const head = events.at(-1)!;
    const positions = await db.client.query<{ projection_name: string; position: string; processed: string }>(
      `SELECT projection_name, last_processed_position::text AS position, events_processed::text AS processed FROM "${db.schema}".projection_positions`,
    );
    for (const definition of Object.values(tortureRegistry.readModels).filter((d) => d.mode === 'async')) {
      const row = positions.rows.find((r) => r.projection_name === definition.projection)!;
      expect(row.position, definition.projection).toBe(String(head.position));
      expect(Number(row.processed), definition.projection).toBe(events.filter((event) => definition.eventTypes.includes(event.type)).length);
    }
    const status = await projectionStatus(db.client, tortureRegistry, { schema: db.schema });
    expect(status.filter((s) => s.mode === 'async').map((s) => [s.name, s.lagEvents, s.state])).toEqual([
      ['account_summary', 0, 'running'],
      ['daily_totals', 0, 'running'],
      ['owner_totals', 0, 'running'],
    ]);

    for (const worker of workers.slice(1)) worker.child.kill('SIGTERM');
    expect(await Promise.all(workers.slice(1).map((worker) => worker.exited))).toEqual([0, 0]);
  });
});
