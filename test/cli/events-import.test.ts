/** `esgen events import` run as the real binary (`node bin/esgen.js`, dist/ built by the global setup). */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventStore, type SqlClient } from '../../runtime/index.js';
import { createPgClient } from '../../runtime/pg-client.js';
import { createPgliteClient } from '../../runtime/pglite-client.js';
import { onServer, serverUrl } from '../support/database.js';
import { ledgerRegistry } from '../projections/fixtures/ledger-registry.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/esgen.js');
const registryModule = join(root, 'test/projections/fixtures/ledger-registry.ts');

describe('esgen events import', () => {
  let dir: string;
  const schema = `cli_import_${process.pid}_${Date.now() % 100000}`;
  const target = () => (onServer ? ['--database-url', serverUrl!, '--schema', schema] : ['--data-dir', join(dir, 'pgdata')]);
  const open = async (): Promise<SqlClient> =>
    onServer ? createPgClient({ connectionString: serverUrl! }) : createPgliteClient({ dataDir: join(dir, 'pgdata') });

  async function esgen(args: string[]) {
    const env = { ...process.env, DATABASE_URL: undefined, NO_COLOR: '1', CI: '1' } as NodeJS.ProcessEnv;
    try {
      const { stdout, stderr } = await run(process.execPath, [bin, 'events', 'import', ...args, '--registry', registryModule, ...target()], { cwd: dir, env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  const line = (value: unknown) => JSON.stringify(value);
  const opened = (id: string, at: string) => line({ aggregateType: 'Account', aggregateId: id, type: 'AccountOpened', data: { owner: id }, occurredAt: at });
  const deposited = (id: string, amount: unknown, at: string) => line({ aggregateType: 'Account', aggregateId: id, type: 'MoneyDeposited', data: { amount }, occurredAt: at });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'esgen-import-'));
  });
  afterAll(async () => {
    if (onServer) {
      const client = await open();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await client.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports every bad line with its number and imports nothing', async () => {
    writeFileSync(
      join(dir, 'bad.ndjson'),
      [opened('a-1', '2019-01-01T00:00:00Z'), '{"aggregateType": ', deposited('a-1', 'ten', '2019-01-02T00:00:00Z'), '', line({ aggregateType: 'Account', aggregateId: 'a-1', type: 'MoneyDeposited', data: { amount: 1 }, occurredAt: 'yesterday' }), line({ type: 'X', aggregateType: 'Account', aggregateId: 'a', data: {}, extra: 1 })].join('\n'),
    );
    const result = await esgen(['bad.ndjson']);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^bad\.ndjson:2: not JSON: /);
    expect(lines[1]).toBe('bad.ndjson:3: MoneyDeposited v1 is invalid at /amount: must be a number');
    expect(lines[2]).toMatch(/^bad\.ndjson:5: occurredAt must be an ISO 8601 date-time with a time zone/);
    expect(lines[3]).toMatch(/^bad\.ndjson:6: unknown field "extra"/);
    expect(lines[4]).toBe('esgen: 4 of 5 events are invalid; nothing was imported');
  });

  it('imports a file in one transaction, keeping business times, and updates inline read models', async () => {
    const rows: string[] = [];
    for (let account = 0; account < 20; account++) {
      rows.push(opened(`acc-${account}`, '2018-06-01T08:00:00Z'));
      for (let i = 1; i <= 9; i++) rows.push(deposited(`acc-${account}`, i, `2018-06-0${i}T09:00:00Z`));
    }
    writeFileSync(join(dir, 'history.ndjson'), `${rows.join('\n')}\n`);
    const dry = await esgen(['history.ndjson', '--dry-run']);
    expect(dry.stdout).toMatch(/200 events in history\.ndjson are valid \(dry run: nothing written\)/);
    const result = await esgen(['history.ndjson', '--batch-size', '64']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/imported 200 events into 20 streams on .* events\/s\)/);
    const client = await open();
    try {
      const store = createEventStore({ client, registry: ledgerRegistry, ...(onServer ? { schema } : {}) });
      const events = await store.getEventsByAggregate('Account', 'acc-7');
      expect(events.map((event) => [event.version, event.type, event.occurredAt.toISOString()]).slice(0, 3)).toEqual([
        [1, 'AccountOpened', '2018-06-01T08:00:00.000Z'],
        [2, 'MoneyDeposited', '2018-06-01T09:00:00.000Z'],
        [3, 'MoneyDeposited', '2018-06-02T09:00:00.000Z'],
      ]);
      const inline = await client.query<{ data: { balance: number } }>(
        `SELECT data FROM "${onServer ? schema : 'public'}".projections WHERE projection_name = 'inline_balance' AND id = 'acc-7'`,
      );
      expect(inline.rows[0]!.data.balance).toBe(45);
    } finally {
      await client.close();
    }
    // The same file again: its streams exist, so the versions continue; ids are new. A file whose
    // lines name versions that do not follow is refused whole.
    writeFileSync(join(dir, 'stale.ndjson'), `${line({ aggregateType: 'Account', aggregateId: 'acc-1', type: 'MoneyDeposited', data: { amount: 1 }, version: 5 })}\n`);
    const stale = await esgen(['stale.ndjson']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/ESG201 Unable to append to Account acc-1: expected version 4 but the stream is at version 10/);
  });
});
