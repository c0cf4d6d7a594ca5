/**
 * The slice of a SQL client the runtime needs. The runtime core depends on this, never on `pg`
 * or PGlite types, so either backend (or a pool the application already has) can sit under it.
 *
 * Values are always bound parameters ($1, $2, …). Results come back with each driver's default
 * type parsing untouched (int8 arrives as a string from `pg` and a number from PGlite), so SQL that
 * needs exact 64-bit values casts them to text and the caller converts with BigInt.
 */
export interface QueryResult<TRow> {
  readonly rows: TRow[];
  /** Rows inserted, updated or deleted by the statement (0 for SELECT on some drivers). */
  readonly rowCount: number;
}

export interface QueryOptions {
  /**
   * Prepared-statement name: the driver parses and plans the statement once per connection and
   * reuses it (`pg` per pooled connection, PGlite in pglite-prepared.ts). Must be unique per SQL
   * text, e.g. derived from a hash of it. Leave it out behind a pooler that does not support
   * prepared statements.
   */
  readonly name?: string;
  /**
   * The statement writes outside a transaction (autocommit): if its connection is lost after it
   * was sent, the outcome is unknown and the error is CommitOutcomeUnknown (or QueryTimedOut with
   * outcome 'unknown'). Without it a lost connection is ConnectionLost.
   */
  readonly commits?: boolean;
}

/** Told about the LISTEN connection (server only): the listener reconnects by itself. */
export interface ListenOptions {
  /** The connection was lost; the listener is reconnecting with backoff. */
  readonly onLost?: (error: unknown) => void;
  /** LISTEN is back, `downMs` after the loss; onNotify is called once, since notifications were missed. */
  readonly onRestored?: (downMs: number) => void;
}

export interface SqlExecutor {
  query<TRow = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<TRow>>;
  /**
   * COPY `target` (a table with its column list) FROM rows in PostgreSQL's text format (one line
   * per row, tab-separated, `\N` for null; see copy-text.ts). Transaction executors of esgen's
   * clients have it: bulk imports (bulk-import.ts) write through it.
   */
  copyFrom?(target: string, text: string): Promise<number>;
}

/** A client that can open transactions; `transaction` gives an executor bound to one connection. */
export interface SqlClient extends SqlExecutor {
  readonly dialect: 'pg' | 'pglite';
  /** Runs `work` in BEGIN … COMMIT on one connection; rolls back and rethrows when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs several statements separated by semicolons, without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * LISTEN on a channel; resolves to a function that stops listening. A lost connection is
   * re-established by the client itself (see ListenOptions).
   */
  listen(channel: string, onNotify: (payload: string) => void, options?: ListenOptions): Promise<() => Promise<void>>;
  /** Releases connections owned by this client (a pool given by the application is left open). */
  close(): Promise<void>;
}
