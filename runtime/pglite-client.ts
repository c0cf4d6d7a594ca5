import type { PGlite } from '@electric-sql/pglite';
import { createAutoAnalyze } from './pglite-auto-analyze.js';
import { resolveDataFolder } from './pglite-data-folder.js';
import { lockDataFolder } from './pglite-folder-lock.js';
import { createPreparedStatements } from './pglite-prepared.js';
import { PgliteOpenFailed } from './errors.js';
import { pgliteParsers } from './pglite-timestamps.js';
import type { QueryOptions, QueryResult, SqlClient, SqlExecutor } from './sql-client.js';

export interface PgliteClientOptions {
  /**
   * On-disk data directory, created with its parents when missing; omit for an in-memory database
   * (tests). One process at a time: a folder open elsewhere is refused with DatabaseInUse.
   */
  readonly dataDir?: string;
  /** An instance the application already has; esgen will not close it. */
  readonly db?: PGlite;
  /**
   * Keep the events table's planner statistics current as PostgreSQL's autovacuum would (PGlite
   * runs none): see pglite-auto-analyze.ts. Default true.
   */
  readonly autoAnalyze?: boolean;
}

/**
 * A SqlClient over embedded PGlite: PostgreSQL compiled to WebAssembly, in this process.
 * PGlite serves one connection, so transactions queue behind each other (PGlite does the queueing).
 */
export async function createPgliteClient(options: PgliteClientOptions = {}): Promise<SqlClient> {
  const ownsDb = options.db === undefined;
  const dataDir = ownsDb && options.dataDir !== undefined ? await resolveDataFolder(options.dataDir) : undefined;
  const unlock = dataDir === undefined ? undefined : await lockDataFolder(dataDir);
  let db: PGlite;
  try {
    db = options.db ?? (await (await import('@electric-sql/pglite')).PGlite.create(dataDir));
  } catch (error) {
    await unlock?.();
    throw dataDir === undefined ? error : explainOpenFailure(error, dataDir);
  }

  const prepared = await createPreparedStatements(db, pgliteParsers);
  // A named statement (QueryOptions.name) is parsed and planned once (pglite-prepared.ts).
  const run = async <TRow>(
    executor: Pick<PGlite, 'query'>,
    sql: string,
    params: readonly unknown[] | undefined,
    options: QueryOptions | undefined,
    inTransaction: boolean,
  ): Promise<QueryResult<TRow>> => {
    if (options?.name !== undefined) return prepared.run<TRow>(options.name, sql, params ?? [], inTransaction);
    const result = await executor.query<TRow>(sql, params as unknown[] | undefined, { parsers: pgliteParsers });
    return { rows: result.rows, rowCount: result.affectedRows ?? 0 };
  };
  const analyze = options.autoAnalyze === false ? undefined : createAutoAnalyze(db);
  const afterWork = <T>(result: T): T => {
    analyze?.afterWork();
    return result;
  };

  return {
    dialect: 'pglite',
    query: <TRow>(sql: string, params?: readonly unknown[], options?: QueryOptions) => run<TRow>(db, sql, params, options, false).then(afterWork),
    transaction: (work) =>
      db
        .transaction((tx) =>
          work({
            query: (sql, params, options) => run(tx, sql, params, options, true),
            // PGlite reads COPY … FROM '/dev/blob' from the blob attached to the query.
            copyFrom: async (target, text) => (await tx.query(`COPY ${target} FROM '/dev/blob'`, [], { blob: new Blob([text]) })).affectedRows ?? 0,
          } satisfies SqlExecutor),
        )
        .then(afterWork),
    async exec(sql) {
      afterWork(await db.exec(sql));
    },
    async listen(channel, onNotify) {
      const unsubscribe = await db.listen(channel, onNotify);
      return () => unsubscribe();
    },
    async close() {
      await analyze?.settled();
      if (!ownsDb) return;
      try {
        await db.close();
      } finally {
        await unlock?.();
      }
    },
  };
}

function explainOpenFailure(error: unknown, dataDir: string): unknown {
  return error instanceof Error && /^Aborted\(/.test(error.message) ? new PgliteOpenFailed(dataDir, error) : error;
}
