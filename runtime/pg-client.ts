import type { Pool, PoolClient, PoolConfig } from 'pg';
import type { QueryOptions, QueryResult, SqlClient, SqlExecutor } from './sql-client.js';

export interface PgClientOptions {
  /** A connection string (DATABASE_URL). */
  readonly connectionString?: string;
  /** A pool the application already has; esgen will not end it on close(). */
  readonly pool?: Pool;
  /** Extra pool settings when esgen creates the pool. */
  readonly poolConfig?: PoolConfig;
}

/**
 * A SqlClient over node-postgres. `pg` is loaded on demand so applications on PGlite never need it,
 * and its process-wide type parsers are left as they are.
 */
export async function createPgClient(options: PgClientOptions): Promise<SqlClient> {
  const ownsPool = options.pool === undefined;
  const pool: Pool =
    options.pool ??
    new (await import('pg')).default.Pool({ connectionString: options.connectionString, ...options.poolConfig });
  const listeners: PoolClient[] = [];

  const run = async <TRow>(
    executor: Pool | PoolClient,
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<TRow>> => {
    const values = params as unknown[] | undefined;
    // A named query is parsed and planned once per connection (pg keeps the name → text map).
    const result = options?.name === undefined ? await executor.query(sql, values) : await executor.query({ name: options.name, text: sql, values });
    return { rows: result.rows as TRow[], rowCount: result.rowCount ?? 0 };
  };

  return {
    dialect: 'pg',
    query: (sql, params, options) => run(pool, sql, params, options),
    async transaction(work) {
      const connection = await pool.connect();
      const tx: SqlExecutor = { query: (sql, params, options) => run(connection, sql, params, options) };
      try {
        await connection.query('BEGIN');
        const result = await work(tx);
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        connection.release();
      }
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async listen(channel, onNotify) {
      // LISTEN is session state: it needs a dedicated connection held for as long as we listen.
      const connection = await pool.connect();
      listeners.push(connection);
      const handler = (message: { channel: string; payload?: string }) => {
        if (message.channel === channel) onNotify(message.payload ?? '');
      };
      connection.on('notification', handler);
      await connection.query(`LISTEN ${quoteIdentifier(channel)}`);
      return async () => {
        connection.off('notification', handler);
        const index = listeners.indexOf(connection);
        if (index < 0) return;
        listeners.splice(index, 1);
        await connection.query(`UNLISTEN ${quoteIdentifier(channel)}`).catch(() => undefined);
        connection.release();
      };
    },
    async close() {
      for (const connection of listeners.splice(0)) connection.release();
      if (ownsPool) await pool.end();
    },
  };
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
