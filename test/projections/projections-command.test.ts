/** `esgen projections …` run as the real binary (`node bin/esgen.js`, dist/ built by the global setup). */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventStore, createReadModelManager, type SqlClient } from '../../runtime/index.js';
import { migrate } from '../../runtime/admin.js';
import { createPgClient } from '../../runtime/pg-client.js';
import { createPgliteClient } from '../../runtime/pglite-client.js';
import { onServer, serverUrl } from '../support/database.js';
import { ledgerRegistry } from './fixtures/ledger-registry.js';
import { deposit } from './projection-test-kit.js';
import { projectionContext } from '../../runtime/projections/projection-batch.js';
import { claimLease } from '../../runtime/projections/projection-leases.js';
import { rebuildStatements } from '../../runtime/projections/rebuild-statements.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/esgen.js');
const registryModule = join(root, 'test/projections/fixtures/ledger-registry.ts');

describe('esgen projections', () => {
  let dir: string;
  const schema = `cli_${process.pid}_${Date.now() % 100000}`;
  const target = () => (onServer ? ['--database-url', serverUrl!, '--schema', schema] : ['--data-dir', join(dir, 'pgdata')]);
  const open = async (): Promise<SqlClient> =>
    onServer ? createPgClient({ connectionString: serverUrl! }) : createPgliteClient({ dataDir: join(dir, 'pgdata') });
  const options = () => (onServer ? { schema } : {});

  async function esgen(args: string[]) {
    const env = { ...process.env, DATABASE_URL: undefined, NO_COLOR: '1', CI: '1' } as NodeJS.ProcessEnv;
    try {
      const { stdout, stderr } = await run(process.execPath, [bin, 'projections', ...args, '--registry', registryModule, ...target()], { cwd: dir, env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  /** Seeds events, and lets a worker stop account_summary on a poisoned event. */
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'esgen-projections-'));
    const client = await open();
    try {
      await migrate(client, options());
      // Without the inline hook: the inline read model would reject the poisoned event.
      const plain = createEventStore({ client, registry: ledgerRegistry, ...options() });
      await plain.appendToStream('Account', 'c-1', [{ type: 'AccountOpened', data: { owner: 'cy' } }, deposit(1), deposit(2, 'poison'), deposit(3)], {
        expectedVersion: 'no_stream',
      });
      const manager = createReadModelManager({ client, registry: ledgerRegistry, ...options(), pollIntervalMs: 20 });
      await manager.start();
      await manager.waitForCatchUp({ projections: ['daily_totals'], timeoutMs: 20_000 });
      for (let i = 0; i < 200; i++) {
        const failed = await client.query(`SELECT 1 FROM "${onServer ? schema : 'public'}".projection_positions WHERE projection_name = 'account_summary' AND status = 'failed'`);
        if (failed.rows.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await manager.stop();
    } finally {
      await client.close();
    }
  });
  afterAll(async () => {
    if (onServer) {
      const client = await open();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await client.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('status prints every read model with position, lag, state and the recorded error, and exits 1 while one is stopped', async () => {
    const table = await esgen(['status']);
    expect(table.code).toBe(1);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^PROJECTION\s+MODE\s+STATE\s+POSITION\s+HEAD\s+LAG\s+LAG S\s+OWNER\s+LAST ERROR$/);
    expect(lines.find((line) => line.startsWith('account_summary'))).toMatch(/async\s+failed\s+2\s+4\s+2\s+.*at 3 \(MoneyDeposited\): poisoned event$/);
    expect(lines.find((line) => line.startsWith('daily_totals'))).toMatch(/async\s+running\s+4\s+4\s+0\s/);
    // Its events were appended without the inline hook: the next start builds it from them first.
    expect(lines.find((line) => line.startsWith('inline_balance'))).toMatch(/inline\s+inline \(rebuild due: a new inline read model over existing events .*the next start rebuilds it before serving.*\)\s+-\s+4\s+-/);
    const json = await esgen(['status', '--format', 'json']);
    const parsed = JSON.parse(json.stdout) as { name: string; position: string | null; lagEvents: number; lastError?: { position: string } }[];
    expect(parsed.find((s) => s.name === 'account_summary')).toMatchObject({ position: '2', lagEvents: 2, lastError: { position: '3' } });
  });

  it('skip passes the failing event; retry on a running projection is a clear error', async () => {
    const skipped = await esgen(['skip', 'account_summary', '--position', '3']);
    expect(skipped).toMatchObject({ code: 0, stdout: 'esgen: account_summary skipped MoneyDeposited at position 3\n' });
    const retry = await esgen(['retry', 'account_summary']);
    expect(retry.code).toBe(1);
    expect(retry.stderr).toMatch(/ESG225 Projection account_summary has not stopped on a failing event/);
    const unknown = await esgen(['retry', 'nope']);
    expect(unknown.stderr).toMatch(/ESG223 There is no read model or subscription named nope\. Known: account_summary, daily_totals, inline_balance/);
  });

  it('rebuild prints plain progress lines outside a terminal and ends at the head', async () => {
    const rebuilt = await esgen(['rebuild', 'daily_totals', '--batch-size', '1']);
    expect(rebuilt.stderr).toBe('');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toMatch(/^rebuild daily_totals: building 0\/3 events \(0%\), 0 events\/s/m);
    expect(rebuilt.stdout).toMatch(/^rebuild daily_totals: done 3\/3 events \(100%\)/m);
    expect(rebuilt.stdout).toMatch(/^esgen: rebuilt daily_totals: 3 events in \d+\.\d s, now at position 4$/m);
  });

  it('a killed rebuild shows as stale once its lease expired, and rebuilding again clears it', async () => {
    // What `esgen projections rebuild` leaves behind when it is SIGKILLed mid-way: its bookkeeping
    // row and the lease on the shadow copy, never renewed again.
    const client = await open();
    const ctx = projectionContext(client, ledgerRegistry, onServer ? schema : undefined);
    try {
      await client.query(rebuildStatements(ctx.tables).begin, ['daily_totals', 'daily_totals__rebuild', 'killed-rebuild', 3]);
      expect(await claimLease(client, ctx.leases, 'daily_totals__rebuild', 'killed-rebuild', 600)).toBe(true);
    } finally {
      await client.close();
    }
    const line = async () => (await esgen(['status'])).stdout.split('\n').find((row) => row.startsWith('daily_totals'));
    expect(await line()).toMatch(/rebuilding 0\/3/);

    // Time passes: the lease expires (set directly rather than waiting out --lease-seconds).
    const expire = await open();
    try {
      await expire.query(`UPDATE ${ctx.tables.leases} SET expires_at = now() - interval '1 second' WHERE projection_name = 'daily_totals__rebuild'`);
    } finally {
      await expire.close();
    }
    const stale = await esgen(['status']);
    expect(stale.stdout.split('\n').find((row) => row.startsWith('daily_totals'))).toMatch(/rebuild stale at 0\/3 \(its process is gone; run rebuild again\)/);

    const rebuilt = await esgen(['rebuild', 'daily_totals', '--lease-seconds', '5']);
    expect(rebuilt.stderr).toBe('');
    expect(rebuilt.code).toBe(0);
    expect(await line()).toMatch(/async\s+running\s/);
  }, 240_000); // four CLI runs, each opening the database

  it.runIf(onServer)('run works in the foreground and stops cleanly on SIGTERM, releasing its leases (server)', async () => {
    const env = { ...process.env, DATABASE_URL: undefined, NO_COLOR: '1' } as NodeJS.ProcessEnv;
    const child = spawn(process.execPath, [bin, 'projections', 'run', '--registry', registryModule, ...target(), '--worker-id', 'cli-worker', '--poll-interval', '50'], { cwd: dir, env });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const client = await open();
    try {
      for (let i = 0; i < 400 && !stdout.includes('running on'); i++) await new Promise((resolve) => setTimeout(resolve, 25));
      const store = createEventStore({ client, registry: ledgerRegistry, schema });
      const appended = await store.appendToStream('Account', 'c-1', [deposit(10)], { expectedVersion: 4 });
      const manager = createReadModelManager({ client, registry: ledgerRegistry, schema });
      await manager.waitFor(appended.envelopes[0]!.position, { timeoutMs: 20_000 });
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(stdout).toMatch(/esgen: SIGTERM: finishing the running batches and releasing leases\nesgen: worker stopped/);
      const leases = await client.query<{ owner: string | null }>(`SELECT owner FROM "${schema}".projection_leases WHERE owner IS NOT NULL`);
      expect(leases.rows).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      await client.close();
    }
  });

  it('run refuses rows built by another mapping with --on-shape-change refuse (ESG227), and rejects an unknown policy', async () => {
    const client = await open();
    try {
      await client.query(`UPDATE "${onServer ? schema : 'public'}".projection_positions SET fingerprint = 'daily_totals-v0' WHERE projection_name = 'daily_totals'`);
    } finally {
      await client.close();
    }
    const refused = await esgen(['run', '--only', 'daily_totals', '--on-shape-change', 'refuse']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/ESG227 Read model daily_totals \(\d+ rows built with daily_totals-v0, this code has daily_totals-v1\)/);
    const unknown = await esgen(['run', '--on-shape-change', 'ignore']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--on-shape-change must be rebuild or refuse, got ignore');
    const status = await esgen(['status', '--format', 'json']);
    const daily = (JSON.parse(status.stdout) as { name: string; rebuildDue: boolean; rebuildReason: string }[]).find((entry) => entry.name === 'daily_totals');
    expect(daily).toMatchObject({ rebuildDue: true, rebuildReason: 'built by another mapping or mode (fingerprint daily_totals-v0, this code daily_totals-v1)' });
  });

  it('explains a missing registry module', async () => {
    const env = { ...process.env, DATABASE_URL: undefined, NO_COLOR: '1' } as NodeJS.ProcessEnv;
    const result = await run(process.execPath, [bin, 'projections', 'status', ...target()], { cwd: dir, env }).catch((error: { code: number; stderr: string }) => error);
    expect((result as { code: number }).code).toBe(1);
    expect((result as { stderr: string }).stderr).toMatch(/no registry module at .*src\/generated\/registry\.ts: run `esgen build`/);
  });
});
