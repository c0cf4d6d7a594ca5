/**
 * `esgen projections status` and `rebuild` (the real binary) on the orders example, whose
 * CustomerOrders reads events of Customer and Order: listed like any read model, rebuilt from the
 * events of both aggregates in commit order.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createEventStore, type SqlClient } from '../../runtime/index.js';
import { migrate } from '../../runtime/admin.js';
import { createPgClient } from '../../runtime/pg-client.js';
import { createPgliteClient } from '../../runtime/pglite-client.js';
import { registry } from '../../examples/orders/src/generated/registry.js';
import { onServer, serverUrl } from '../support/database.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'esgen-cross-cli-'));
const schema = `cross_cli_${process.pid}_${Date.now() % 100000}`;
const target = () => (onServer ? ['--database-url', serverUrl!, '--schema', schema] : ['--data-dir', join(dir, 'pgdata')]);
const open = async (): Promise<SqlClient> => (onServer ? createPgClient({ connectionString: serverUrl! }) : createPgliteClient({ dataDir: join(dir, 'pgdata') }));

afterAll(async () => {
  if (onServer) {
    const client = await open();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await client.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

async function esgen(args: string[]) {
  const env = { ...process.env, DATABASE_URL: undefined, NO_COLOR: '1', CI: '1' } as NodeJS.ProcessEnv;
  const registryModule = join(root, 'examples/orders/src/generated/registry.ts');
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'bin/esgen.js'), 'projections', ...args, '--registry', registryModule, ...target()], { cwd: dir, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('esgen projections with a read model across aggregates', () => {
  it('lists it in status and rebuilds it from the events of both aggregates', async () => {
    const client = await open();
    try {
      await migrate(client, onServer ? { schema } : {});
      const store = createEventStore({ client, registry, ...(onServer ? { schema } : {}) });
      await store.appendToStream('Order', 'o-1', [{ type: 'OrderCreated', data: { userId: 'c-1', items: [], totalAmount: 20, currency: 'EUR' } }], { expectedVersion: 'no_stream' });
      await store.appendToStream('Customer', 'c-1', [{ type: 'CustomerRegistered', data: { name: 'Ada', email: 'ada@example.com' } }], { expectedVersion: 'no_stream' });
      await store.appendToStream('Order', 'o-2', [{ type: 'OrderCreated', data: { userId: 'c-1', items: [], totalAmount: 5, currency: 'EUR' } }], { expectedVersion: 'no_stream' });
    } finally {
      await client.close();
    }

    const status = await esgen(['status']);
    expect(status.stdout).toMatch(/^customer_orders\s+async\s/m);

    const rebuilt = await esgen(['rebuild', 'customer_orders']);
    expect(rebuilt.stderr).toBe('');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toMatch(/^esgen: rebuilt customer_orders: 3 events in \d+\.\d s, now at position \d+$/m);

    const reader = await open();
    try {
      const rows = await reader.query<{ id: string; data: unknown }>(`SELECT id, data FROM "${onServer ? schema : 'public'}".projections WHERE projection_name = 'customer_orders'`);
      expect(rows.rows).toEqual([{ id: 'c-1', data: { name: 'Ada', orderCount: 2, totalSpent: 25, lastOrderAt: expect.stringMatching(/Z$/) } }]);
    } finally {
      await reader.close();
    }
  }, 240_000);
});
