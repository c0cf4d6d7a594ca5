import { CommitOutcomeUnknown, ConnectionLost, QueryTimedOut, type TimeoutKind } from './errors.js';

/**
 * Translates node-postgres errors about the connection (not about the SQL) into esgen's typed
 * connection faults, using what only the caller knows: how far the work had got.
 * - `connect`: no statement was sent (opening or checking out a connection failed).
 * - `open`: a statement inside an open transaction (BEGIN … before COMMIT): the server rolls the
 *   transaction back when its session ends, so nothing was committed.
 * - `commit`: COMMIT, or a write outside a transaction (autocommit), was sent: the outcome is unknown.
 * - `read`: a statement outside a transaction that writes nothing.
 * Errors about the SQL itself (constraint violations, syntax …) come back unchanged.
 */
export type FaultPhase = 'connect' | 'open' | 'commit' | 'read';

export interface FaultLimits {
  readonly connectionTimeoutMs?: number | undefined;
  readonly statementTimeoutMs?: number | undefined;
  readonly queryTimeoutMs?: number | undefined;
}

/** Socket-level failures: the connection is gone or was never there. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'ENOENT']);

/**
 * SQLSTATEs that end the session: class 08 (connection exception), admin/crash shutdown
 * (pg_terminate_backend, a restart), "the database system is starting up / shutting down",
 * idle_session_timeout and idle_in_transaction_session_timeout.
 */
const SESSION_ENDING_STATES = new Set(['57P01', '57P02', '57P03', '57P05', '25P03']);

/** Messages node-postgres and pg-pool use for a dead or unusable connection (they carry no code). */
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'timeout expired',
];

/** pg's words for a statement it did not send, the connection being known dead. */
const NOT_SENT = ['Client has encountered a connection error and is not queryable', 'Client was closed and is not queryable'];

/**
 * esgen's client stopped waiting for a statement's answer (runOn in pg-client.ts). Never reaches
 * the application: translateFault turns it into QueryTimedOut. Its message is node-postgres's own
 * for the same event.
 */
export class StatementReadTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super('Query read timeout');
    this.name = 'StatementReadTimeout';
  }
}

/** The timeout a driver error stands for, if it is one. */
export function timeoutKindOf(error: unknown): TimeoutKind | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = String(message ?? '');
  if (text === 'Query read timeout') return 'query';
  if (text.includes('timeout exceeded when trying to connect') || text.includes('due to connection timeout')) return 'connect';
  if (code === '57014' && text.includes('statement timeout')) return 'statement';
  return undefined;
}

/** True when the error says the connection is unusable (as opposed to an error about the SQL). */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, severity } = error as { code?: unknown; message?: unknown; severity?: unknown };
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) || SESSION_ENDING_STATES.has(code) || code.startsWith('08')) return true;
  }
  if (severity === 'FATAL' || severity === 'PANIC') return true;
  const text = String(message ?? '');
  return CONNECTION_MESSAGES.some((fragment) => text.startsWith(fragment));
}

/** Whether a connection that reported `error` may go back to the pool: only after an ordinary SQL error. */
export function connectionReusable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { severity } = error as { severity?: unknown };
  return typeof severity === 'string' && !isConnectionError(error) && timeoutKindOf(error) === undefined;
}

/** The typed error for a driver error at `phase`, or the error itself when it is about the SQL. */
export function translateFault(error: unknown, phase: FaultPhase, limits: FaultLimits = {}): unknown {
  if (error instanceof ConnectionLost || error instanceof CommitOutcomeUnknown || error instanceof QueryTimedOut) return error;
  const timeout = timeoutKindOf(error);
  if (timeout !== undefined) {
    // A cancelled statement (statement_timeout) aborted its transaction; a connect timeout sent nothing.
    const unknown = phase === 'commit' && timeout === 'query';
    return new QueryTimedOut(timeout, limitOf(timeout, limits), unknown ? 'unknown' : 'not-committed', error);
  }
  if (!isConnectionError(error)) return error;
  // pg refuses to send anything on a connection it already knows is dead: nothing was sent.
  if (phase === 'commit' && !NOT_SENT.some((fragment) => String((error as { message?: unknown }).message ?? '').startsWith(fragment))) {
    return new CommitOutcomeUnknown(error);
  }
  return new ConnectionLost(phase === 'connect' ? 'connect' : 'query', error);
}

function limitOf(kind: TimeoutKind, limits: FaultLimits): number | undefined {
  if (kind === 'connect') return limits.connectionTimeoutMs;
  if (kind === 'statement') return limits.statementTimeoutMs;
  return limits.queryTimeoutMs;
}

/** The same fault, now naming the events the failed append carried (for looking them up). */
export function withEventIds(error: unknown, eventIds: readonly string[]): unknown {
  if (error instanceof CommitOutcomeUnknown && error.eventIds.length === 0) return new CommitOutcomeUnknown(error.cause, eventIds);
  if (error instanceof QueryTimedOut && error.outcome === 'unknown' && error.eventIds.length === 0) {
    return new QueryTimedOut(error.kind, error.timeoutMs, error.outcome, error.cause, eventIds);
  }
  return error;
}
