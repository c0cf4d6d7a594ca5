import { InvalidArgument } from './errors.js';

/**
 * The pool settings esgen applies when it creates the `pg` pool itself, with defaults chosen so
 * that nothing waits forever: a frozen or unreachable server turns into a QueryTimedOut or
 * ConnectionLost within seconds instead of hanging every caller.
 */
export interface PgPoolOptions {
  /** Connections in the pool. Default 10. */
  readonly max?: number;
  /** Opening a connection, or waiting for a free one in the pool, gives up after this. Default 10,000 ms. */
  readonly connectionTimeoutMs?: number;
  /**
   * The server cancels a statement running longer than this (statement_timeout; its transaction is
   * rolled back). 0 turns it off. Default 30,000 ms.
   */
  readonly statementTimeoutMs?: number;
  /**
   * The client stops waiting for an answer after this (a frozen server or a dead network, where
   * statement_timeout cannot fire) and discards the connection. 0 turns it off. Default
   * statementTimeoutMs + 5,000 ms (so the server's own cancellation normally comes first).
   */
  readonly queryTimeoutMs?: number;
  /** An idle pooled connection is closed after this. Default 30,000 ms. */
  readonly idleTimeoutMs?: number;
  /**
   * The server ends a session that sits inside an open transaction for longer than this
   * (idle_in_transaction_session_timeout): a stuck transaction cannot hold readers back for long.
   * 0 turns it off. Default 60,000 ms.
   */
  readonly idleInTransactionTimeoutMs?: number;
  /** application_name, shown in pg_stat_activity. Default 'esgen'. */
  readonly applicationName?: string;
  /** TCP keep-alive on every connection, so a silently dead peer is noticed. Default true. */
  readonly keepAlive?: boolean;
}

export type ResolvedPoolOptions = Required<PgPoolOptions>;

export const DEFAULT_POOL_OPTIONS = {
  max: 10,
  connectionTimeoutMs: 10_000,
  statementTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  idleInTransactionTimeoutMs: 60_000,
  applicationName: 'esgen',
  keepAlive: true,
} as const;

/** The defaults filled in; the query timeout follows the statement timeout unless given. */
export function resolvePoolOptions(options: PgPoolOptions = {}): ResolvedPoolOptions {
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_POOL_OPTIONS.statementTimeoutMs;
  const resolved: ResolvedPoolOptions = {
    max: options.max ?? DEFAULT_POOL_OPTIONS.max,
    connectionTimeoutMs: options.connectionTimeoutMs ?? DEFAULT_POOL_OPTIONS.connectionTimeoutMs,
    statementTimeoutMs,
    queryTimeoutMs: options.queryTimeoutMs ?? (statementTimeoutMs === 0 ? 0 : statementTimeoutMs + 5_000),
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_POOL_OPTIONS.idleTimeoutMs,
    idleInTransactionTimeoutMs: options.idleInTransactionTimeoutMs ?? DEFAULT_POOL_OPTIONS.idleInTransactionTimeoutMs,
    applicationName: options.applicationName ?? DEFAULT_POOL_OPTIONS.applicationName,
    keepAlive: options.keepAlive ?? DEFAULT_POOL_OPTIONS.keepAlive,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (typeof value === 'number' && !(Number.isInteger(value) && value >= 0)) {
      throw new InvalidArgument(`pool.${name}`, `must be a non-negative integer (milliseconds or a count); got ${value}`);
    }
  }
  if (resolved.max < 1) throw new InvalidArgument('pool.max', `must be at least 1; got ${resolved.max}`);
  return resolved;
}

/**
 * The same settings in node-postgres' words (pg.Pool / pg.Client config). The query timeout is
 * not among them: esgen's client times its statements itself (runOn in pg-client.ts), because
 * node-postgres's query_timeout doubled the CPU cost of reading large results.
 */
export function pgPoolConfig(options: ResolvedPoolOptions): Record<string, unknown> {
  return {
    max: options.max,
    connectionTimeoutMillis: options.connectionTimeoutMs,
    idleTimeoutMillis: options.idleTimeoutMs,
    // Sent in the startup packet: server-side settings for every session of the pool.
    ...(options.statementTimeoutMs > 0 ? { statement_timeout: options.statementTimeoutMs } : {}),
    ...(options.idleInTransactionTimeoutMs > 0 ? { idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs } : {}),
    application_name: options.applicationName,
    keepAlive: options.keepAlive,
    // Probe a silent peer after 10 s instead of the OS default (often 2 hours).
    ...(options.keepAlive ? { keepAliveInitialDelayMillis: 10_000 } : {}),
  };
}
