import { randomBytes } from 'node:crypto';
import { createPgClient } from '../../runtime/pg-client.js';
import { createPgliteClient } from '../../runtime/pglite-client.js';
import type { SqlClient } from '../../runtime/sql-client.js';

/**
 * The database a `*.pg.test.ts` suite runs on: the PostgreSQL server when DATABASE_URL is set,
 * else a fresh in-memory PGlite. Each call gets its own schema name so suites running in parallel
 * on one server never see each other's tables.
 */
export interface TestDatabase {
  readonly backend: 'server' | 'pglite';
  readonly client: SqlClient;
  /** A fresh schema name for this suite; the runtime creates it on migrate. */
  readonly schema: string;
  /** For tests that start other processes or pools on the same database. */
  readonly databaseUrl: string | undefined;
  dispose(): Promise<void>;
}

export const serverUrl: string | undefined = process.env.DATABASE_URL || undefined;

export async function openTestDatabase(): Promise<TestDatabase> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  if (serverUrl) {
    const client = await createPgClient({ connectionString: serverUrl, poolConfig: { max: 10 } });
    return {
      backend: 'server',
      client,
      schema,
      databaseUrl: serverUrl,
      async dispose() {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
        await client.close();
      },
    };
  }
  const client = await createPgliteClient();
  return { backend: 'pglite', client, schema, databaseUrl: undefined, dispose: () => client.close() };
}

/** Server-only tests (real concurrency across connections) skip on PGlite. */
export const onServer = serverUrl !== undefined;
