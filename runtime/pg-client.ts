import type { QueryOptions, QueryResult, SqlClient, SqlExecutor } from './sql-client.js';

/**
 * The slice of a node-postgres Pool that esgen uses, declared here rather than imported from
 * `pg`, so esgen's published types compile without @types/pg (a `pg.Pool` fits it).
 */
export interface PgPoolLike {
  query(textOrConfig: string | PgQueryConfig, values?: unknown[]): Promise<PgResult>;
  connect(): Promise<PgConnectionLike>;
  end(): Promise<void>;
}

export interface PgConnectionLike {
  query(textOrConfig: string | PgQueryConfig, values?: unknown[]): Promise<PgResult>;
  /** With an error, pg destroys the connection instead of returning it to the pool. */
  release(error?: Error | boolean): void;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  off(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
}

interface PgQueryConfig {
  name?: string;
  text: string;
  values?: unknown[];
}

interface PgResult {
  rows: unknown[];
  rowCount: number | null;
}

export interface PgClientOptions {
  /** A connection string (DATABASE_URL). */
  readonly connectionString?: string;
  /** A pool the application already has (`new pg.Pool(…)`); esgen will not end it on close(). */
  readonly pool?: PgPoolLike;
  /** Extra pg.Pool settings (max, ssl, timeouts…) when esgen creates the pool. */
  readonly poolConfig?: Readonly<Record<string, unknown>>;
  /** Told when the server closes an idle pooled connection (esgen's own pool only); the pool recovers by itself. */
  readonly onIdleConnectionError?: (error: Error) => void;
}

/**
 * A SqlClient over node-postgres. `pg` is loaded on demand so applications on PGlite never need it,
 * and its process-wide type parsers are left as they are.
 */
export async function createPgClient(options: PgClientOptions): Promise<SqlClient> {
  const ownsPool = options.pool === undefined;
  const pool: PgPoolLike = options.pool ?? (await createPool(options));
  const listeners: PgConnectionLike[] = [];

  const run = async <TRow>(
    executor: PgPoolLike | PgConnectionLike,
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
      const tx: SqlExecutor = {
        query: (sql, params, options) => run(connection, sql, params, options),
        copyFrom: (target, text) => copyFrom(connection, target, text),
      };
      // A connection whose ROLLBACK failed is in an unknown state: destroy it, never reuse it.
      let broken: Error | undefined;
      try {
        await connection.query('BEGIN');
        const result = await work(tx);
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw error;
      } finally {
        connection.release(broken);
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

async function createPool(options: PgClientOptions): Promise<PgPoolLike> {
  const pool = new (await import('pg')).default.Pool({ connectionString: options.connectionString, ...options.poolConfig });
  // An idle connection that the server closes (restart, failover, pg_terminate_backend) makes the
  // pool emit 'error'; unhandled, that would crash the application. The pool has already dropped
  // the connection and opens a new one on the next query, so there is nothing else to do.
  pool.on('error', (error) => options.onIdleConnectionError?.(error));
  return pool as unknown as PgPoolLike;
}

/** COPY … FROM STDIN through pg-copy-streams (loaded on demand: only bulk imports need it). */
async function copyFrom(connection: PgConnectionLike, target: string, text: string): Promise<number> {
  const { from } = await import('pg-copy-streams');
  const stream = (connection as unknown as { query(stream: ReturnType<typeof from>): ReturnType<typeof from> }).query(from(`COPY ${target} FROM STDIN`));
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', resolve);
    stream.end(text);
  });
  return stream.rowCount;
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
