import type { SqlExecutor } from '../sql-client.js';
import { prepared } from '../store/statement.js';
import { checkpointFromText, type Checkpoint } from './checkpoint.js';
import type { ProjectionTables } from './projection-tables.js';

export type PositionKind = 'read_model' | 'subscription' | 'rebuild' | 'publisher';

/** projection_positions as the runtime reads it: the checkpoint plus the failure record. */
export interface PositionState {
  readonly name: string;
  readonly kind: PositionKind;
  readonly checkpoint: Checkpoint;
  readonly lastProcessedAt: Date;
  readonly status: 'running' | 'failed';
  readonly fingerprint: string | null;
  readonly eventsProcessed: bigint;
  readonly error: ProjectionErrorRecord | undefined;
  /** When a failed projection is retried next (null = retried on the next cycle). */
  readonly retryAt: Date | null;
}

export interface ProjectionErrorRecord {
  readonly position: bigint;
  readonly transactionId: bigint;
  readonly eventId: string | null;
  readonly eventType: string | null;
  /** What the mapper threw (ProjectionMapperFailed.reason); the code is ESG220. */
  readonly message: string;
  readonly at: Date;
  readonly attempts: number;
}

interface PositionRow {
  projection_name: string;
  kind: PositionKind;
  transaction_id: string;
  position: string;
  last_processed_at: Date;
  status: 'running' | 'failed';
  fingerprint: string | null;
  events_processed: string;
  error_position: string | null;
  error_transaction_id: string | null;
  error_event_id: string | null;
  error_event_type: string | null;
  error_message: string | null;
  error_at: Date | null;
  error_attempts: number;
  retry_at: Date | null;
}

export interface FailureInput {
  readonly position: bigint;
  readonly transactionId: bigint;
  readonly eventId: string;
  readonly eventType: string;
  readonly message: string;
}

/** Backoff of a failed projection: 1 s, 2 s, 4 s … capped at 5 minutes (no hot loop). */
export const RETRY_BASE_SECONDS = 1;
export const RETRY_MAX_SECONDS = 300;

export interface PositionStatements {
  readonly ensure: string;
  readonly read: string;
  readonly readAll: string;
  readonly advance: string;
  readonly fail: string;
  readonly retry: string;
  readonly skip: string;
  readonly set: string;
  readonly remove: string;
}

const COLUMNS = `projection_name, kind, last_processed_transaction_id::text AS transaction_id, last_processed_position::text AS position,
  last_processed_at, status, fingerprint, events_processed::text AS events_processed, error_position::text AS error_position,
  error_transaction_id::text AS error_transaction_id, error_event_id::text AS error_event_id, error_event_type, error_message, error_at,
  error_attempts, retry_at`;

export function positionStatements(tables: ProjectionTables): PositionStatements {
  const t = tables.positions;
  // Every write of a checkpoint is conditional on the checkpoint the writer started from: a writer
  // that raced (a worker whose lease was taken over, a skip, a rebuild switch) updates no row and
  // rolls its batch back instead of applying events twice or jumping over them.
  const expected = 'projection_name = $1 AND last_processed_transaction_id = $2::xid8 AND last_processed_position = $3::bigint';
  const clearError = `status = 'running', error_position = NULL, error_transaction_id = NULL, error_event_id = NULL,
  error_event_type = NULL, error_message = NULL, error_at = NULL, error_attempts = 0, retry_at = NULL`;
  return {
    ensure: `INSERT INTO ${t} (projection_name, kind, last_processed_transaction_id, last_processed_position, fingerprint)
VALUES ($1, $2, $3::xid8, $4::bigint, $5) ON CONFLICT (projection_name) DO NOTHING`,
    read: `SELECT ${COLUMNS} FROM ${t} WHERE projection_name = $1`,
    readAll: `SELECT ${COLUMNS} FROM ${t} ORDER BY projection_name`,
    // $4/$5 the new checkpoint, $6 events processed, $7 fingerprint, $8 the fingerprint the writer's
    // mapping has (NULL: any): a writer never applies its mapping to rows another mapping built
    // (a rebuild by other code switched them under it), it updates no row instead.
    advance: `UPDATE ${t} SET last_processed_transaction_id = $4::xid8, last_processed_position = $5::bigint,
  last_processed_at = now(), events_processed = events_processed + $6::bigint, fingerprint = coalesce($7, fingerprint), ${clearError}
WHERE ${expected} AND ${sameShape('$8')}`,
    // As advance (the events before the failing one are done), plus the failure record. The next
    // attempt waits RETRY_BASE_SECONDS * 2^attempts (SET expressions read the row's old values).
    fail: `UPDATE ${t} SET last_processed_transaction_id = $4::xid8, last_processed_position = $5::bigint,
  last_processed_at = now(), events_processed = events_processed + $6::bigint, fingerprint = coalesce($7, fingerprint),
  status = 'failed', error_position = $8::bigint, error_transaction_id = $9::xid8, error_event_id = $10::uuid, error_event_type = $11,
  error_message = $12, error_at = now(), error_attempts = error_attempts + 1,
  retry_at = now() + make_interval(secs => least(${RETRY_MAX_SECONDS}, ${RETRY_BASE_SECONDS} * power(2, least(error_attempts, 16))))
WHERE ${expected} AND ${sameShape('$13')}`,
    retry: `UPDATE ${t} SET retry_at = now() WHERE projection_name = $1 AND status = 'failed' RETURNING projection_name`,
    // Skipping moves the checkpoint onto the failing event itself: exactly that event is passed over.
    skip: `UPDATE ${t} AS p SET last_processed_transaction_id = p.error_transaction_id, last_processed_position = p.error_position,
  last_processed_at = now(), ${clearError}
FROM (SELECT error_event_type AS skipped_type FROM ${t} WHERE projection_name = $1) AS old
WHERE p.projection_name = $1 AND p.status = 'failed' AND ($2::bigint IS NULL OR p.error_position = $2::bigint)
RETURNING p.last_processed_position::text AS position, old.skipped_type AS error_event_type`,
    set: `INSERT INTO ${t} (projection_name, kind, last_processed_transaction_id, last_processed_position, fingerprint, events_processed)
VALUES ($1, $2, $3::xid8, $4::bigint, $5, $6::bigint)
ON CONFLICT (projection_name) DO UPDATE SET kind = EXCLUDED.kind, last_processed_transaction_id = EXCLUDED.last_processed_transaction_id,
  last_processed_position = EXCLUDED.last_processed_position, fingerprint = EXCLUDED.fingerprint, events_processed = EXCLUDED.events_processed,
  last_processed_at = now(), ${clearError}`,
    remove: `DELETE FROM ${t} WHERE projection_name = $1`,
  };
}

/** The stored fingerprint is the writer's, or unknown to either (NULL: recorded before fingerprints were kept). */
function sameShape(parameter: string): string {
  return `(${parameter}::text IS NULL OR fingerprint IS NULL OR fingerprint = ${parameter}::text)`;
}

export function toPositionState(row: PositionRow): PositionState {
  const error: ProjectionErrorRecord | undefined =
    row.error_position === null
      ? undefined
      : {
          position: BigInt(row.error_position),
          transactionId: BigInt(row.error_transaction_id ?? '0'),
          eventId: row.error_event_id,
          eventType: row.error_event_type,
          message: row.error_message ?? '',
          at: row.error_at ?? new Date(0),
          attempts: row.error_attempts,
        };
  return {
    name: row.projection_name,
    kind: row.kind,
    checkpoint: checkpointFromText(row.transaction_id, row.position),
    lastProcessedAt: row.last_processed_at,
    status: row.status,
    fingerprint: row.fingerprint,
    eventsProcessed: BigInt(row.events_processed),
    error,
    retryAt: row.retry_at,
  };
}

export async function readPosition(executor: SqlExecutor, statements: PositionStatements, name: string): Promise<PositionState | undefined> {
  const result = await executor.query<PositionRow>(statements.read, [name], prepared(statements.read));
  const row = result.rows[0];
  return row === undefined ? undefined : toPositionState(row);
}

export async function readAllPositions(executor: SqlExecutor, statements: PositionStatements): Promise<PositionState[]> {
  const result = await executor.query<PositionRow>(statements.readAll);
  return result.rows.map(toPositionState);
}

/** Creates the checkpoint row when missing (a new read model starts at `start`). */
export async function ensurePosition(
  executor: SqlExecutor,
  statements: PositionStatements,
  name: string,
  kind: PositionKind,
  start: Checkpoint,
  fingerprint: string | null,
): Promise<void> {
  await executor.query(statements.ensure, [name, kind, start.transactionId.toString(), start.position.toString(), fingerprint]);
}

/**
 * Conditional on `expected` (and on `expectedFingerprint` when given); false when another writer
 * moved the checkpoint first or rows of another shape are stored now.
 */
export async function advancePosition(
  executor: SqlExecutor,
  statements: PositionStatements,
  name: string,
  expected: Checkpoint,
  next: Checkpoint,
  processed: number,
  fingerprint: string | null,
  failure?: FailureInput,
  expectedFingerprint: string | null = null,
): Promise<boolean> {
  const params: unknown[] = [
    name,
    expected.transactionId.toString(),
    expected.position.toString(),
    next.transactionId.toString(),
    next.position.toString(),
    processed,
    fingerprint,
  ];
  if (failure === undefined) return (await executor.query(statements.advance, [...params, expectedFingerprint], prepared(statements.advance))).rowCount === 1;
  params.push(failure.position.toString(), failure.transactionId.toString(), failure.eventId, failure.eventType, failure.message.slice(0, 4000), expectedFingerprint);
  return (await executor.query(statements.fail, params)).rowCount === 1;
}

/** Overwrites a checkpoint unconditionally (rebuild switch, reset). */
export async function setPosition(
  executor: SqlExecutor,
  statements: PositionStatements,
  name: string,
  kind: PositionKind,
  checkpoint: Checkpoint,
  fingerprint: string | null,
  eventsProcessed: bigint,
): Promise<void> {
  await executor.query(statements.set, [
    name,
    kind,
    checkpoint.transactionId.toString(),
    checkpoint.position.toString(),
    fingerprint,
    eventsProcessed.toString(),
  ]);
}
