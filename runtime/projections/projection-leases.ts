import type { SqlExecutor } from '../sql-client.js';
import { prepared } from '../store/statement.js';
import type { ProjectionTables } from './projection-tables.js';

/**
 * How a batch proves, inside its own transaction, that its worker still owns the projection.
 * Both hold nothing beyond the transaction, so both work behind PgBouncer in transaction mode
 * (session-level advisory locks and LISTEN would not):
 * - `row-lock` (default): UPDATE the lease row WHERE owner = me, which renews the lease and holds
 *   the row lock until commit; a takeover (an UPDATE of the same row) waits for the batch to end,
 *   then re-checks its WHERE clause against the renewed row (READ COMMITTED re-evaluation).
 * - `advisory-xact`: pg_try_advisory_xact_lock on a key derived from the projection, plus a plain
 *   read of the owner; renewal happens on the heartbeat timer only.
 * Either way the checkpoint update is conditional on the previous checkpoint, the last fence.
 */
export type ProjectionLockMode = 'row-lock' | 'advisory-xact';

export interface LeaseStatements {
  readonly heartbeat: string;
  readonly liveWorkers: string;
  readonly pruneWorkers: string;
  readonly removeWorker: string;
  readonly claim: string;
  readonly renewAll: string;
  readonly release: string;
  readonly fenceRowLock: string;
  readonly fenceAdvisory: string;
  /** The fences of derived data (read models): they also defer the batch's WAL flush (see fenceBatch). */
  readonly fenceRowLockDeferred: string;
  readonly fenceAdvisoryDeferred: string;
  readonly switchAdvisory: string;
  readonly lockForSwitch: string;
  readonly owners: string;
}

export function leaseStatements(tables: ProjectionTables): LeaseStatements {
  const leases = tables.leases;
  const fenceRowLock = `UPDATE ${leases} SET expires_at = now() + make_interval(secs => $3::double precision), renewed_at = now()
WHERE projection_name = $1 AND owner = $2 RETURNING projection_name`;
  const fenceAdvisory = `SELECT pg_try_advisory_xact_lock(hashtextextended($3 || '/' || $1, 0)) AS locked,
  EXISTS (SELECT 1 FROM ${leases} WHERE projection_name = $1 AND owner = $2) AS owned`;
  // set_config(…, true) lasts until the end of the batch's transaction; evaluated once (one row).
  const deferFlush = `set_config('synchronous_commit', 'off', true) AS deferred`;
  return {
    heartbeat: `INSERT INTO ${tables.workers} (worker_id, host, pid) VALUES ($1, $2, $3)
ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = now()`,
    liveWorkers: `SELECT count(*)::int AS live FROM ${tables.workers} WHERE heartbeat_at > now() - make_interval(secs => $1::double precision)`,
    // Dead workers' rows go after a few lease periods; their leases simply expire.
    pruneWorkers: `DELETE FROM ${tables.workers} WHERE heartbeat_at < now() - make_interval(secs => $1::double precision * 3)`,
    removeWorker: `DELETE FROM ${tables.workers} WHERE worker_id = $1`,
    // Takes a lease that is free, expired or already ours. Concurrent claimants serialise on the
    // row (INSERT … ON CONFLICT DO UPDATE locks it), and the WHERE is re-checked after the wait.
    claim: `INSERT INTO ${leases} AS l (projection_name, owner, expires_at, acquired_at, renewed_at)
VALUES ($1, $2, now() + make_interval(secs => $3::double precision), now(), now())
ON CONFLICT (projection_name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at,
  acquired_at = CASE WHEN l.owner = EXCLUDED.owner THEN l.acquired_at ELSE now() END, renewed_at = now()
WHERE l.owner IS NULL OR l.owner = EXCLUDED.owner OR l.expires_at < now()
RETURNING projection_name`,
    renewAll: `UPDATE ${leases} SET expires_at = now() + make_interval(secs => $2::double precision), renewed_at = now()
WHERE owner = $1 AND projection_name = ANY($3::text[]) RETURNING projection_name`,
    release: `UPDATE ${leases} SET owner = NULL, expires_at = now() WHERE owner = $1 AND projection_name = ANY($2::text[])`,
    fenceRowLock,
    fenceAdvisory,
    fenceRowLockDeferred: `${fenceRowLock}, ${deferFlush}`,
    fenceAdvisoryDeferred: `${fenceAdvisory}, ${deferFlush}`,
    switchAdvisory: `SELECT pg_advisory_xact_lock(hashtextextended($2 || '/' || $1, 0))`,
    // A rebuild switch or an operator command: wait for the running batch, then hold the row.
    lockForSwitch: `INSERT INTO ${leases} AS l (projection_name, owner, expires_at) VALUES ($1, NULL, now())
ON CONFLICT (projection_name) DO UPDATE SET renewed_at = l.renewed_at RETURNING owner`,
    owners: `SELECT projection_name, owner, expires_at, expires_at > now() AS active FROM ${leases}`,
  };
}

export interface LeaseOwner {
  readonly projection: string;
  readonly owner: string | null;
  readonly expiresAt: Date;
  readonly active: boolean;
}

export async function readLeaseOwners(executor: SqlExecutor, statements: LeaseStatements): Promise<Map<string, LeaseOwner>> {
  const result = await executor.query<{ projection_name: string; owner: string | null; expires_at: Date; active: boolean }>(statements.owners);
  return new Map(
    result.rows.map((row) => [row.projection_name, { projection: row.projection_name, owner: row.owner, expiresAt: row.expires_at, active: row.active }]),
  );
}

/**
 * Whether a batch's COMMIT waits for its WAL flush. `deferred` (read models and rebuilds: rows
 * derived from events) commits with synchronous_commit off for that transaction alone: rows and
 * checkpoint still commit together, and a crash can only lose the last batches as a whole (both
 * their rows and their checkpoint), which the worker then applies again from the events. The batch
 * no longer waits for a disk flush, nor adds one to the appends' WAL flushes. `flush`
 * (subscriptions, whose handlers act on the world) keeps the server's setting.
 */
export type BatchDurability = 'flush' | 'deferred';

/**
 * Whether the batch running in `tx` may commit for `projection` (see ProjectionLockMode):
 * `ok`; `lost` (another worker owns the lease); `busy` (we own it, but a batch of the previous
 * owner still holds the advisory lock: try again shortly, do not give the lease up).
 */
export type FenceResult = 'ok' | 'lost' | 'busy';

export async function fenceBatch(
  tx: SqlExecutor,
  statements: LeaseStatements,
  mode: ProjectionLockMode,
  projection: string,
  workerId: string,
  leaseSeconds: number,
  schema: string,
  durability: BatchDurability = 'flush',
): Promise<FenceResult> {
  const deferred = durability === 'deferred';
  if (mode === 'row-lock') {
    const fence = deferred ? statements.fenceRowLockDeferred : statements.fenceRowLock;
    return (await tx.query(fence, [projection, workerId, leaseSeconds], prepared(fence))).rowCount === 1 ? 'ok' : 'lost';
  }
  const fence = deferred ? statements.fenceAdvisoryDeferred : statements.fenceAdvisory;
  const result = await tx.query<{ locked: boolean; owned: boolean }>(fence, [projection, workerId, advisoryNamespace(schema)], prepared(fence));
  const row = result.rows[0];
  if (row === undefined || !row.owned) return 'lost';
  return row.locked ? 'ok' : 'busy';
}

export async function claimLease(executor: SqlExecutor, statements: LeaseStatements, projection: string, workerId: string, leaseSeconds: number): Promise<boolean> {
  return (await executor.query(statements.claim, [projection, workerId, leaseSeconds])).rowCount === 1;
}

export function advisoryNamespace(schema: string): string {
  return `esgen.projection.${schema}`;
}

/**
 * For operations that must not interleave with a batch of `projection` (a rebuild switch, skip):
 * waits for a running batch under either lock mode, then holds both locks until commit.
 */
export async function lockProjectionForSwitch(tx: SqlExecutor, statements: LeaseStatements, projection: string, schema: string): Promise<void> {
  await tx.query(statements.lockForSwitch, [projection]);
  await tx.query(statements.switchAdvisory, [projection, advisoryNamespace(schema)]);
}
