import { readFileSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPgClient } from '../../runtime/pg-client.js';
import { serverUrl } from '../support/database.js';

describe('createPgClient', () => {
  it.skipIf(!serverUrl)("runs on an application's own pg.Pool and leaves it open on close", async () => {
    const pool = new pg.Pool({ connectionString: serverUrl, max: 2 });
    try {
      const client = await createPgClient({ pool });
      expect((await client.query<{ answer: number }>('SELECT 42 AS answer')).rows).toEqual([{ answer: 42 }]);
      await expect(client.transaction(async (tx) => tx.query('SELECT * FROM no_such_table'))).rejects.toThrow(/no_such_table/);
      await client.close();
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it.skipIf(!serverUrl)("reads timestamptz as Dates and every other type with the pool's own parsers", async () => {
    // An application's pool that reads int8 as bigint, and dates and timestamptz as text: esgen's
    // client keeps those parsers but reads timestamptz itself (occurredAt is a Date whatever the
    // pool says).
    const asText = (label: string) => (text: string) => `${label} ${text}`;
    const ownParser = (oid: number, format?: string) =>
      oid === 20 ? (text: string) => BigInt(text) : oid === 1082 ? asText('date') : oid === 1184 ? asText('instant') : pg.types.getTypeParser(oid, format as 'text');
    const types = { getTypeParser: ownParser };
    const client = await createPgClient({ connectionString: serverUrl, poolConfig: { max: 1, types } });
    try {
      const { rows } = await client.query<{ big: unknown; day: unknown; at: unknown }>(`SELECT 9007199254740993::int8 AS big, date '2024-02-29' AS day, timestamptz '2024-02-29 12:34:56.789+05:30' AS at`);
      expect(rows[0]!.big).toBe(9007199254740993n);
      expect(rows[0]!.day).toBe('date 2024-02-29');
      expect(rows[0]!.at).toEqual(new Date('2024-02-29T07:04:56.789Z'));
    } finally {
      await client.close();
    }
  });

  it.skipIf(!serverUrl)('survives the server closing an idle connection, and reports it', async () => {
    const name = `esgen_idle_${process.pid}`;
    const idleErrors: Error[] = [];
    const client = await createPgClient({
      connectionString: serverUrl,
      poolConfig: { max: 1, application_name: name },
      onIdleConnectionError: (error) => idleErrors.push(error),
    });
    const admin = await createPgClient({ connectionString: serverUrl });
    try {
      await client.query('SELECT 1');
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name]);
      await expect.poll(() => idleErrors.length, { timeout: 5_000 }).toBe(1);
      expect((await client.query<{ two: number }>('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    } finally {
      await client.close();
      await admin.close();
    }
  });

  it('publishes types that need no @types/pg', () => {
    // Built by test/global-setup.ts: an application with skipLibCheck off must not need pg's types.
    const declarations = readFileSync(new URL('../../dist/runtime/pg-client.d.ts', import.meta.url), 'utf8');
    expect(declarations).toContain('export interface PgPoolLike');
    expect(declarations).not.toMatch(/from ['"]pg['"]/);
  });
});
