/** `esgen pii forget|export|rotate-master-key` run as the real binary (`node bin/esgen.js`, dist/ built by the global setup). */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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
import { peopleRegistry } from './fixtures/people-registry.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/esgen.js');
const registryModule = join(root, 'test/personal-data/fixtures/people-registry.ts');

describe('esgen pii', () => {
  let dir: string;
  const schema = `pii_${process.pid}_${Date.now() % 100000}`;
  const masterKey = randomBytes(32).toString('base64');
  const nextKey = randomBytes(32).toString('hex');
  const target = () => (onServer ? ['--database-url', serverUrl!, '--schema', schema] : ['--data-dir', join(dir, 'pgdata')]);
  const open = async (): Promise<SqlClient> => (onServer ? createPgClient({ connectionString: serverUrl! }) : createPgliteClient({ dataDir: join(dir, 'pgdata') }));
  const options = () => (onServer ? { schema } : {});

  async function esgen(args: string[], keys: Record<string, string | undefined> = { ESGEN_MASTER_KEY: masterKey }) {
    const env = { ...process.env, DATABASE_URL: undefined, NO_COLOR: '1', CI: '1', ESGEN_MASTER_KEY: undefined, ...keys } as NodeJS.ProcessEnv;
    try {
      const { stdout, stderr } = await run(process.execPath, [bin, 'pii', ...args, '--registry', registryModule, ...target()], { cwd: dir, env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'esgen-pii-'));
    const client = await open();
    const es = await createEventSourcing({ registry: peopleRegistry, client, ...options(), personalData: { masterKey: () => masterKey } });
    try {
      await es.store.appendToStream(
        'Customer',
        'c-1',
        [{ type: 'CustomerRegistered', data: { name: 'Grace Hopper', email: 'grace@example.org', tier: 'gold', address: { street: '1 Navy Way', city: 'Arlington' }, phones: [] } }],
        { expectedVersion: 'no_stream' },
      );
    } finally {
      await es.close();
      await client.close();
    }
  }, 60_000);
  afterAll(async () => {
    if (onServer) {
      const client = await open();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await client.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to run without the master key, naming the variable', async () => {
    const result = await esgen(['export', 'c-1'], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ESGEN_MASTER_KEY');
  });

  it('exports a subject as JSON, rotates the master key, forgets the subject, and exports the redacted values', async () => {
    const exported = await esgen(['export', 'c-1']);
    expect(exported.code, exported.stderr).toBe(0);
    const before = JSON.parse(exported.stdout) as { forgotten: boolean; events: { personal: Record<string, unknown> }[] };
    expect(before.forgotten).toBe(false);
    expect(before.events[0]!.personal).toMatchObject({ '/name': 'Grace Hopper', '/email': 'grace@example.org', '/address/street': '1 Navy Way' });

    const rotated = await esgen(['rotate-master-key', '--previous-key-env', 'OLD_KEY'], { ESGEN_MASTER_KEY: nextKey, OLD_KEY: masterKey });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('re-wrapped 1 data key');
    // The old key no longer unwraps: ESG253, exit 1.
    const stale = await esgen(['export', 'c-1']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('ESG253');

    const forgot = await esgen(['forget', 'c-1'], { ESGEN_MASTER_KEY: nextKey });
    expect(forgot.code, forgot.stderr).toBe(0);
    expect(forgot.stdout).toContain('forgot c-1');
    expect(forgot.stdout).toContain('rebuilt: CustomerDirectory');
    const after = JSON.parse((await esgen(['export', 'c-1'], { ESGEN_MASTER_KEY: nextKey })).stdout) as { forgotten: boolean; events: { data: unknown }[] };
    expect(after.forgotten).toBe(true);
    expect(after.events[0]!.data).toMatchObject({ name: '(forgotten)', email: '', address: { street: '', city: 'Arlington' } });
  });
});
