import { backoffDelay, type ReconnectOptions } from './backoff.js';
import { isConnectionFault } from './errors.js';
import { connectionReusable, StatementReadTimeout, translateFault, type FaultLimits } from './pg-faults.js';
import { pgPoolConfig, resolvePoolOptions, type PgPoolOptions, type ResolvedPoolOptions } from './pg-pool-options.js';
import type { ListenOptions, QueryOptions, QueryResult, SqlClient, SqlExecutor } from './sql-client.js';
import { parseTimestamptz, TIMESTAMPTZ_OID } from './timestamptz-text.js';

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
  query(config: PgQueryConfig, callback: (error: Error | null | undefined, result: PgResult) => void): void;
  /** With an error, pg destroys the connection instead of returning it to the pool. */
  release(error?: Error | boolean): void;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  /** The connection's parser of a type (pg's Client has it: its own types, else pg's global ones). */
  getTypeParser?(oid: number, format?: string): unknown;
}

interface PgQueryConfig {
  name?: string;
  text: string;
  values?: unknown[];
  types?: PgTypes;
}

interface PgTypes {
  getTypeParser(oid: number, format?: string): unknown;
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
  /** Size and timeouts of the pool esgen creates (see PgPoolOptions for the defaults). */
  readonly poolOptions?: PgPoolOptions;
  /** Extra pg.Pool settings (ssl, …) when esgen creates the pool; they override poolOptions. */
  readonly poolConfig?: Readonly<Record<string, unknown>>;
  /** Told when the server closes an idle pooled connection (esgen's own pool only); the pool recovers by itself. */
  readonly onIdleConnectionError?: (error: Error) => void;
  /** Wait between LISTEN reconnection attempts (see ReconnectOptions; giveUpAfterMs does not apply: a listener retries until stopped). */
  readonly reconnect?: ReconnectOptions;
  /**
   * Run esgen's statements as named prepared statements (default true): the server parses and
   * plans each once per connection. Turn off behind PgBouncer in transaction mode before 1.21,
   * which cannot route prepared statements: every statement then runs unnamed.
   */
  readonly preparedStatements?: boolean;
}

/**
 * A SqlClient over node-postgres. `pg` is loaded on demand so applications on PGlite never need it,
 * and its process-wide type parsers are left as they are. Statements run through this client read
 * timestamptz with esgen's parser (the same Dates as pg's default, faster); other types parse as
 * the connection's own parsers say.
 *
 * Every connection checked out of the pool has an 'error' listener while esgen holds it (pg removes
 * the pool's own one on checkout), so a connection that the server ends never crashes the process;
 * the work running on it rejects with ConnectionLost, CommitOutcomeUnknown or QueryTimedOut
 * (pg-faults.ts says which).
 */
export async function createPgClient(options: PgClientOptions): Promise<SqlClient> {
  const ownsPool = options.pool === undefined;
  const settings = ownsPool ? resolvePoolOptions(options.poolOptions) : undefined;
  const pool: PgPoolLike = options.pool ?? (await createPool(options, settings!));
  const limits: FaultLimits = settings === undefined ? {} : settings;
  const listeners = new Set<ListenSession>();
  const named = options.preparedStatements !== false;
  const readTimeoutMs = limits.queryTimeoutMs ?? 0;
  const run = <TRow>(executor: PgConnectionLike, sql: string, params: readonly unknown[] | undefined, queryOptions: QueryOptions | undefined) =>
    runOn<TRow>(executor, sql, params, named ? queryOptions?.name : undefined, readTimeoutMs);

  const checkout = async (): Promise<PgConnectionLike> => {
    try {
      return await pool.connect();
    } catch (error) {
      throw translateFault(error, 'connect', limits);
    }
  };

  /** One statement on a connection of its own (what pool.query does), knowing how far it got. */
  const runAlone = async <TRow>(sql: string, params: readonly unknown[] | undefined, queryOptions: QueryOptions | undefined): Promise<QueryResult<TRow>> => {
    const connection = await checkout();
    const guard = guardConnection(connection);
    try {
      const result = await run<TRow>(connection, sql, params, queryOptions);
      guard.release();
      return result;
    } catch (error) {
      guard.release(connectionReusable(error) ? undefined : error);
      throw translateFault(error, queryOptions?.commits === true ? 'commit' : 'read', limits);
    }
  };

  return {
    dialect: 'pg',
    query: runAlone,
    async transaction(work) {
      const connection = await checkout();
      const guard = guardConnection(connection);
      const inside = <TRow>(sql: string, params?: readonly unknown[], queryOptions?: QueryOptions) =>
        run<TRow>(connection, sql, params, queryOptions).catch((error: unknown) => {
          throw translateFault(error, 'open', limits);
        });
      const tx: SqlExecutor = {
        query: inside,
        copyFrom: (target, text) =>
          copyFrom(connection, target, text).catch((error: unknown) => {
            throw translateFault(error, 'open', limits);
          }),
      };
      // A connection whose ROLLBACK failed, or that failed underneath, is in an unknown state:
      // destroy it, never reuse it.
      let broken: unknown;
      try {
        await inside('BEGIN');
        const result = await work(tx);
        try {
          await run(connection, 'COMMIT', undefined, undefined);
        } catch (error) {
          broken = connectionReusable(error) ? undefined : error;
          throw translateFault(error, 'commit', limits);
        }
        return result;
      } catch (error) {
        if (broken === undefined && guard.lost === undefined && !isConnectionFault(error)) {
          await run(connection, 'ROLLBACK', undefined, undefined).catch((rollbackError: unknown) => {
            broken = rollbackError;
          });
        } else {
          // No ROLLBACK on a dead or silent connection (it would only wait for the timeout again):
          // closing the session rolls the transaction back on the server.
          broken ??= guard.lost ?? error;
        }
        throw error;
      } finally {
        guard.release(broken);
      }
    },
    async exec(sql) {
      await runAlone(sql, undefined, { commits: true });
    },
    async listen(channel, onNotify, listenOptions = {}) {
      const session = new ListenSession(channel, onNotify, checkout, readTimeoutMs, { ...options.reconnect, ...listenOptions });
      await session.open();
      listeners.add(session);
      return async () => {
        listeners.delete(session);
        await session.close();
      };
    },
    async close() {
      for (const session of [...listeners]) await session.close();
      listeners.clear();
      if (ownsPool) await pool.end();
    },
  };
}

/**
 * One statement on a connection. A named query is parsed and planned once per connection (pg
 * keeps the name → text map).
 *
 * The callback goes with the query, and the read timeout is esgen's own timer: node-postgres's
 * promise form, and its query_timeout (which wraps the callback), set the query's callback after
 * the query was created, and reading a 1,000-row page then cost about twice the Node CPU, most of
 * it garbage collection (docs/performance.md, "Reading rows through node-postgres"). A timed-out
 * statement rejects with StatementReadTimeout (QueryTimedOut once translated); the caller then
 * destroys the connection, which still has the statement in flight.
 */
function runOn<TRow>(
  executor: PgConnectionLike,
  sql: string,
  params: readonly unknown[] | undefined,
  name: string | undefined,
  readTimeoutMs: number,
): Promise<QueryResult<TRow>> {
  const values = params as unknown[] | undefined;
  const types = typesOf(executor);
  const config: PgQueryConfig = name === undefined ? { text: sql, values, types } : { name, text: sql, values, types };
  return new Promise<QueryResult<TRow>>((resolve, reject) => {
    let settled = false;
    const timer =
      readTimeoutMs > 0
        ? setTimeout(() => {
            settled = true;
            reject(new StatementReadTimeout(readTimeoutMs));
          }, readTimeoutMs)
        : undefined;
    try {
      executor.query(config, (error, result) => {
        if (timer !== undefined) clearTimeout(timer);
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve({ rows: result.rows as TRow[], rowCount: result.rowCount ?? 0 });
      });
    } catch (error) {
      // pg throws synchronously for a query it cannot send at all (e.g. a client already ended).
      if (timer !== undefined) clearTimeout(timer);
      reject(error);
    }
  });
}

const connectionTypes = new WeakMap<PgConnectionLike, PgTypes | undefined>();

/**
 * The connection's type parsers with esgen's for timestamptz (timestamptz-text.ts: the same Dates
 * as node-postgres's parser, a third of its time; every event row carries one). Other types
 * parse as the connection would; a connection without getTypeParser keeps its own parsers.
 * (node-postgres also hands a query's `types` to its Parse message as parameter type OIDs; an
 * object without `length` declares none, as an unnamed query's missing `types` does.)
 */
function typesOf(connection: PgConnectionLike): PgTypes | undefined {
  if (connectionTypes.has(connection)) return connectionTypes.get(connection);
  const own = connection.getTypeParser?.bind(connection);
  const types: PgTypes | undefined =
    own === undefined ? undefined : { getTypeParser: (oid, format) => (oid === TIMESTAMPTZ_OID && (format ?? 'text') === 'text' ? parseTimestamptz : own(oid, format)) };
  connectionTypes.set(connection, types);
  return types;
}

interface ConnectionGuard {
  /** The error the connection reported while we held it, if any. */
  readonly lost: Error | undefined;
  /** Gives the connection back: with an error, pg destroys it. */
  release(error?: unknown): void;
}

/**
 * Holds a checked-out connection's 'error' event while esgen uses it: unhandled, Node would crash
 * the process when the server ends the connection. The failure itself reaches the running query
 * (pg rejects it) or the next one ("not queryable").
 */
function guardConnection(connection: PgConnectionLike): ConnectionGuard {
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost ??= error;
  };
  connection.on('error', onError);
  return {
    get lost() {
      return lost;
    },
    release(error) {
      connection.off('error', onError);
      const reason = error ?? lost;
      connection.release(reason === undefined ? undefined : reason instanceof Error ? reason : new Error(String(reason)));
    },
  };
}

/**
 * One LISTEN, kept alive: when its connection is lost (a restart, pg_terminate_backend,
 * idle_session_timeout), it reports the loss, reconnects with jittered backoff until it succeeds
 * or is closed, LISTENs again, and calls onNotify once, because notifications sent while it was
 * away are lost and the listener must look for itself.
 */
class ListenSession {
  #connection: PgConnectionLike | undefined;
  #closed = false;
  #reconnecting: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #wakeTimer: (() => void) | undefined;
  readonly #handler: (message: { channel: string; payload?: string }) => void;
  readonly #onError = (error: Error) => this.#lost(error);

  constructor(
    readonly channel: string,
    readonly onNotify: (payload: string) => void,
    readonly checkout: () => Promise<PgConnectionLike>,
    readonly readTimeoutMs: number,
    readonly options: ListenOptions & ReconnectOptions,
  ) {
    this.#handler = (message) => {
      if (message.channel === channel) onNotify(message.payload ?? '');
    };
  }

  async open(): Promise<void> {
    const connection = await this.checkout();
    connection.on('error', this.#onError);
    connection.on('notification', this.#handler);
    try {
      await runOn(connection, `LISTEN ${quoteIdentifier(this.channel)}`, undefined, undefined, this.readTimeoutMs);
    } catch (error) {
      this.#detach(connection, error);
      throw translateFault(error, 'read');
    }
    if (this.#closed) {
      this.#detach(connection);
      return;
    }
    this.#connection = connection;
  }

  #lost(error: unknown): void {
    const connection = this.#connection;
    if (connection === undefined || this.#closed) return;
    this.#connection = undefined;
    this.#detach(connection, error);
    this.options.onLost?.(translateFault(error, 'read'));
    this.#reconnecting ??= this.#reconnect().finally(() => {
      this.#reconnecting = undefined;
    });
  }

  async #reconnect(): Promise<void> {
    const lostAt = Date.now();
    for (let attempt = 1; !this.#closed; attempt++) {
      await new Promise<void>((resolve) => {
        this.#wakeTimer = resolve;
        this.#timer = setTimeout(resolve, backoffDelay(attempt, this.options));
      });
      if (this.#closed) return;
      try {
        await this.open();
      } catch {
        continue; // still down: wait longer
      }
      if (this.#closed) return;
      this.options.onRestored?.(Date.now() - lostAt);
      this.onNotify('');
      return;
    }
  }

  #detach(connection: PgConnectionLike, error?: unknown): void {
    connection.off('notification', this.#handler);
    connection.off('error', this.#onError);
    // A dead connection may still report errors while pg closes it.
    connection.on('error', () => undefined);
    connection.release(error === undefined ? undefined : error instanceof Error ? error : new Error(String(error)));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#wakeTimer?.();
    await this.#reconnecting;
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection === undefined) return;
    connection.off('notification', this.#handler);
    const failed = await runOn(connection, `UNLISTEN ${quoteIdentifier(this.channel)}`, undefined, undefined, this.readTimeoutMs).then(
      () => undefined,
      (error: unknown) => error,
    );
    this.#detach(connection, failed);
  }
}

async function createPool(options: PgClientOptions, settings: ResolvedPoolOptions): Promise<PgPoolLike> {
  const pool = new (await import('pg')).default.Pool({ connectionString: options.connectionString, ...pgPoolConfig(settings), ...options.poolConfig });
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
