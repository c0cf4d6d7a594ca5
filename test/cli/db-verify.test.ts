/**
 * `esgen db verify` run as the real binary (`node bin/esgen.js`, dist/ built by the global setup),
 * on a PGlite data folder, and on the server when DATABASE_URL is set.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventSourcing, type SqlClient } from '../../runtime/index.js';
import { createPgClient } from '../../runtime/pg-client.js';
import { createPgliteClient } from '../../runtime/pglite-client.js';
import { onServer, serverUrl } from '../support/database.js';
import { ledgerRegistry } from '../projections/fixtures/ledger-registry.js';
import { deposit } from '../projections/projection-test-kit.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/esgen.js');
const registryModule = join(root, 'test/projections/fixtures/ledger-registry.ts');

describe('esgen db verify', () => {
  let dir: string;
  const schema = `verify_${process.pid}_${Date.now() % 100000}`;
  const table = onServer ? `"${schema}"` : 'public';
  const target = () => (onServer ? ['--database-url', serverUrl!, '--schema', schema] : ['--data-dir', join(dir, 'pgdata')]);
  const open = async (): Promise<SqlClient> => (onServer ? createPgClient({ connectionString: serverUrl! }) : createPgliteClient({ dataDir: join(dir, 'pgdata') }));
  /** A statement on the database, with the client closed again (the PGlite folder is single-process). */
  const sql = async (text: string) => {
    const client = await open();
    try {
      await client.query(text);
    } finally {
      await client.close();
    }
  };

  async function verify(...args: string[]) {
    const env = { ...process.env, DATABASE_URL: undefined, NO_COLOR: '1', CI: '1' } as NodeJS.ProcessEnv;
    try {
      const { stdout, stderr } = await run(process.execPath, [bin, 'db', 'verify', '--registry', registryModule, ...target(), ...args], { cwd: dir, env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'esgen-verify-'));
    const client = await open();
    try {
      const es = await createEventSourcing({ registry: ledgerRegistry, client, ...(onServer ? { schema } : {}) });
      await es.store.appendToStream('Account', 'v-1', [{ type: 'AccountOpened', data: { owner: 'vi' } }, deposit(1), deposit(2)], { expectedVersion: 'no_stream' });
      await es.store.appendToStream('Account', 'v-2', [{ type: 'AccountOpened', data: { owner: 'vo' } }, deposit(3)], { expectedVersion: 'no_stream' });
      await es.close();
    } finally {
      await client.close();
    }
  });
  afterAll(async () => {
    if (onServer) await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 on a database this code can serve, with counts per event type and version', async () => {
    const result = await verify();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/migrations: \d+ applied, 0 pending, 0 changed, 0 unknown to this code/);
    expect(result.stdout).toMatch(/AccountOpened\s+v1\s+2\s+ok/);
    expect(result.stdout).toMatch(/MoneyDeposited\s+v1\s+3\s+ok/);
    expect(result.stdout).toMatch(/inline_balance\s+inline\s+2\s+current/);
    expect(result.stdout).toContain('ok: this code can serve this database');
  });

  it('prints the same as JSON for scripts', async () => {
    const result = await verify('--format', 'json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; events: unknown[]; problems: unknown[] };
    expect(report.ok).toBe(true);
    expect(report.problems).toEqual([]);
    expect(report.events).toEqual([
      { type: 'AccountOpened', version: 1, count: 2, status: 'ok' },
      { type: 'MoneyDeposited', version: 1, count: 3, status: 'ok' },
    ]);
  });

  it('reports a read model due a rebuild with its row count; passes, and fails only with --strict', async () => {
    await sql(`UPDATE ${table}.projection_positions SET fingerprint = 'inline_balance-v0' WHERE projection_name = 'inline_balance'`);
    const lenient = await verify();
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(/warning: read model inline_balance needs a rebuild \(2 rows\): built by another mapping or mode \(fingerprint inline_balance-v0, this code inline_balance-v1\)/);
    const strict = await verify('--strict');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('NOT OK (--strict)');
    await sql(`UPDATE ${table}.projection_positions SET fingerprint = 'inline_balance-v1' WHERE projection_name = 'inline_balance'`);
  });

  it('exits 1 and names every stored event the registry cannot read: an unknown version, an unknown type, a payload edited in place', async () => {
    const insert = (id: string, stream: string, type: string, version: number, data: unknown) =>
      sql(
        `INSERT INTO ${table}.events (event_id, aggregate_type, aggregate_id, version, event_type, event_version, event_data, occurred_at)
         VALUES ('${id}', 'Account', '${stream}', 1, '${type}', ${version}, '${JSON.stringify(data)}', now())`,
      );
    await insert('00000000-0000-4000-8000-000000000001', 'x-1', 'MoneyDeposited', 2, { amount: 5, currency: 'EUR' });
    await insert('00000000-0000-4000-8000-000000000002', 'x-2', 'AccountRenamed', 1, { owner: 'z' });
    await insert('00000000-0000-4000-8000-000000000003', 'x-3', 'AccountOpened', 1, { owner: 42 });
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/MoneyDeposited\s+v2\s+1\s+unknown version/);
    expect(result.stdout).toMatch(/AccountRenamed\s+v1\s+1\s+unknown type/);
    expect(result.stdout).toMatch(/AccountOpened\s+v1\s+3\s+unreadable/);
    expect(result.stderr).toContain('problem: 1 stored MoneyDeposited v2 event(s): the registry knows MoneyDeposited up to v1 only');
    expect(result.stderr).toContain('problem: 1 stored AccountRenamed v1 event(s): the registry has no event type AccountRenamed');
    expect(result.stderr).toMatch(/problem: 3 stored AccountOpened v1 event\(s\): the stored payload at position \d+ does not match v1 of the spec/);
    expect(result.stdout).toContain('NOT OK: this code cannot serve this database');
    const json = JSON.parse((await verify('--format', 'json')).stdout) as { ok: boolean; problems: string[] };
    expect(json.ok).toBe(false);
    expect(json.problems).toHaveLength(3);
  });

  it('exits 1 while stored events of a version the registry retired remain, and says so', async () => {
    const retired = join(root, 'test/cli/fixtures/retired-ledger-registry.ts');
    const env = { ...process.env, DATABASE_URL: undefined, NO_COLOR: '1', CI: '1' } as NodeJS.ProcessEnv;
    const result = await run(process.execPath, [bin, 'db', 'verify', '--registry', retired, ...target()], { cwd: dir, env }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/problem: \d+ stored AccountOpened v1 event\(s\): .*AccountOpened version 1 is retired/);
  });

  it('reports pending migrations of an empty database: exit 0 (the application migrates on open), exit 1 with --strict', async () => {
    const env = { ...process.env, DATABASE_URL: undefined, NO_COLOR: '1', CI: '1' } as NodeJS.ProcessEnv;
    const empty = onServer ? ['--database-url', serverUrl!, '--schema', `${schema}_empty`] : ['--data-dir', join(dir, 'empty')];
    const args = [bin, 'db', 'verify', '--registry', registryModule, ...empty, '--format', 'json'];
    const lenient = JSON.parse((await run(process.execPath, args, { cwd: dir, env })).stdout) as { ok: boolean; initialised: boolean; migrations: { pending: string[] }; warnings: string[] };
    expect(lenient).toMatchObject({ ok: true, initialised: false });
    expect(lenient.migrations.pending[0]).toBe('0001-initial');
    expect(lenient.warnings[0]).toMatch(/pending migration\(s\) \(0001-initial, /);
    const strict = await run(process.execPath, [...args, '--strict'], { cwd: dir, env }).then(
      () => 0,
      (error: { code: number }) => error.code,
    );
    expect(strict).toBe(1);
  });

  it('refuses an unknown --format', async () => {
    const result = await verify('--format', 'yaml');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unknown format `yaml`');
  });
});
