/**
 * Runtime errors a caller can handle. Each has a stable `code` (ESG2xx) so callers can recognise
 * it across package copies with `isEsgenError(error, 'ESG201')` rather than `instanceof`, and a
 * message that reads as a sentence. Codes, meanings and fix hints live in runtime/error-codes.ts.
 */
import { errorCodes, type ErrorCode } from './error-codes.js';

/** Every code an esgen error can carry: the registry's keys (runtime/error-codes.ts). */
export type EsgenErrorCode = ErrorCode;

/** Connection faults and timeouts (runtime/pg-faults.ts translates the driver's errors into these). */
export type ConnectionErrorCode = Extract<ErrorCode, 'ESG212' | 'ESG213' | 'ESG214' | 'ESG215'>;

/** The read-model runtime's range (runtime/projections/projection-errors.ts). */
export type ProjectionErrorCode = Extract<ErrorCode, `ESG22${string}`>;

/** The message bus's range (runtime/publish/publish-errors.ts, runtime/consume). */
export type PublishErrorCode = Extract<ErrorCode, `ESG23${string}`>;

/** Base of every error esgen throws: a registered code, a sentence, and the registry's fix hint. */
export class EsgenError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  /** How to fix it, from the registry. */
  get fix(): string {
    return errorCodes[this.code].fix;
  }
}

/** True when `error` is an esgen error, optionally with the given code. */
export function isEsgenError(error: unknown, code?: EsgenErrorCode): error is EsgenError {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { code?: unknown };
  if (typeof candidate.code !== 'string' || !Object.hasOwn(errorCodes, candidate.code)) return false;
  return code === undefined || candidate.code === code;
}

/** What the caller expected the stream's version to be, in the words of appendToStream. */
export type ExpectedVersion = number | 'no_stream' | 'stream_exists' | 'any';

function describeExpected(expected: ExpectedVersion): string {
  if (expected === 'no_stream') return 'no stream (version 0)';
  if (expected === 'stream_exists') return 'an existing stream';
  if (expected === 'any') return 'any version';
  return `version ${expected}`;
}

/** Another writer appended first, or the expected version is ahead of the stream. */
export class ConcurrencyError extends EsgenError {
  constructor(
    readonly aggregateType: string,
    readonly aggregateId: string,
    readonly expectedVersion: ExpectedVersion,
    readonly actualVersion: number,
  ) {
    super(
      'ESG201',
      `Unable to append to ${aggregateType} ${aggregateId}: expected ${describeExpected(expectedVersion)} but the stream is at version ${actualVersion}. Reload the aggregate and retry the command.`,
    );
  }
}

export interface InvalidEventIssue {
  /** JSON pointer into the payload ('' = the payload itself). */
  readonly path: string;
  readonly message: string;
}

/** A payload failed its generated validator; nothing was written. */
export class InvalidEvent extends EsgenError {
  readonly path: string;
  constructor(
    readonly eventType: string,
    readonly issues: readonly InvalidEventIssue[],
  ) {
    const first = issues[0] ?? { path: '', message: 'is invalid' };
    super('ESG202', `Event ${eventType} is invalid at ${first.path === '' ? '(payload)' : first.path}: ${first.message}. Nothing was written.`);
    this.path = first.path;
  }
}

export class AggregateNotFound extends EsgenError {
  constructor(
    readonly aggregateType: string,
    readonly aggregateId: string,
    detail = '',
  ) {
    super('ESG203', `${aggregateType} ${aggregateId} was not found${detail}.`);
  }
}

/** An event type the registry does not know (stored by newer code, or a typo). */
export class UnknownEventType extends EsgenError {
  constructor(
    readonly eventType: string,
    detail = 'is not in the registry; regenerate the code with `esgen build` or check the spelling',
  ) {
    super('ESG204', `Event type ${eventType} ${detail}.`);
  }
}

export class InvalidIdentifier extends EsgenError {
  constructor(
    readonly kind: string,
    readonly value: string,
  ) {
    super(
      'ESG205',
      `The ${kind} ${JSON.stringify(value)} is not a valid identifier: use 1 to 63 lower-case letters, digits and underscores, starting with a letter or underscore.`,
    );
  }
}

/** An argument that cannot be right, refused before anything is read or written. */
export class InvalidArgument extends EsgenError {
  /**
   * @param argument what was wrong, as the caller wrote it (`options.limit`, `metadata`, `events[2].occurredAt`)
   * @param reason what is wrong with it, e.g. "must be a positive integer; got 0"
   */
  constructor(
    readonly argument: string,
    readonly reason: string,
  ) {
    super('ESG206', `${argument} ${reason}.`);
  }
}

export class MigrationChecksumMismatch extends EsgenError {
  constructor(
    readonly version: number,
    readonly migrationName: string,
  ) {
    super(
      'ESG207',
      `Migration ${version} (${migrationName}) was changed after it was applied to this database. Released migrations are frozen: add a new migration instead.`,
    );
  }
}

export class UnknownAggregateType extends EsgenError {
  constructor(readonly aggregateType: string) {
    super('ESG208', `Aggregate type ${aggregateType} is not in the registry; regenerate the code with \`esgen build\` or check the spelling.`);
  }
}

/** An embedded PGlite data folder is open in another process (or another client of this one). */
export class DatabaseInUse extends EsgenError {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      'ESG209',
      `The PGlite data folder ${dataDir} is open in process ${pid}${pid === process.pid ? ' (this one)' : ''}: an embedded ` +
        'PGlite folder serves one process at a time. Stop that process (your application, `esgen projections run`), ' +
        'or share a PostgreSQL server instead (DATABASE_URL).',
    );
  }
}

/** An aggregate id that does not fit the spec's `id` type, or cannot be stored. Nothing was read or written. */
export class InvalidAggregateId extends EsgenError {
  constructor(
    readonly aggregateType: string,
    readonly aggregateId: string,
    readonly expected: 'string' | 'uuid',
    /** Why, when the id has the right type but cannot be stored (a NUL, too long). */
    readonly reason?: string,
  ) {
    const why =
      reason ?? (expected === 'uuid' ? 'the spec says `id: uuid`, so use a UUID such as crypto.randomUUID()' : 'ids are non-empty strings');
    const shown = aggregateId.length > 60 ? `${aggregateId.slice(0, 60)}…` : aggregateId;
    super('ESG210', `${JSON.stringify(shown)} is not a valid ${aggregateType} id: ${why}. Nothing was read or written.`);
  }
}

export interface ImportIssue {
  /** Position of the event in the import (0-based; the CLI reports file lines). */
  readonly index: number;
  readonly eventType?: string;
  readonly message: string;
}

/** A bulk import (appendBulk, `esgen events import`) was refused; nothing of it was written. */
export class InvalidImport extends EsgenError {
  constructor(readonly issues: readonly ImportIssue[]) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super('ESG211', `The import was refused, nothing was written: event ${first?.index ?? '?'}: ${first?.message ?? 'invalid'}${more}.`);
  }
}

/**
 * Whether a write that failed on its connection may have been committed: `not-committed` (nothing
 * was sent, or the transaction was still open when the connection went: the server rolls it back),
 * or `unknown` (the COMMIT, or a write outside a transaction, was sent and no answer came).
 */
export type WriteOutcome = 'not-committed' | 'unknown';

/** What went wrong in a connection fault, for the message: the driver's own words. */
function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

/**
 * The connection to PostgreSQL failed before anything could be committed: it could not be opened,
 * or it was lost while a transaction was still open (the server rolls it back). Nothing was
 * written; retrying is safe once the server is back.
 */
export class ConnectionLost extends EsgenError {
  readonly outcome: WriteOutcome = 'not-committed';
  constructor(
    readonly phase: 'connect' | 'query',
    override readonly cause: unknown,
  ) {
    super(
      'ESG212',
      `${phase === 'connect' ? 'Could not connect to PostgreSQL' : 'The connection to PostgreSQL was lost'} (${describeCause(cause)}); nothing was committed. ` +
        'Retry once the server is reachable.',
    );
  }
}

/**
 * PGlite fails with a bare WebAssembly abort ("Aborted(). Build with -sASSERTIONS…") when its data
 * folder is damaged, or open in a process that does not take esgen's lock: this error says so.
 */
export class PgliteOpenFailed extends EsgenError {
  constructor(
    readonly dataDir: string,
    cause: Error,
  ) {
    super(
      'ESG216',
      `Could not open the PGlite data folder ${dataDir} (PGlite aborted). Most often another process has it open ` +
        '(your application, `esgen projections run`, another `esgen` command): an embedded PGlite folder can be used by one ' +
        'process at a time, so stop the other process, or share a PostgreSQL server instead (DATABASE_URL). ' +
        'If no other process uses it, the folder is damaged: restore it from a backup or remove it.',
      { cause },
    );
  }
}

/**
 * The connection was lost (or went silent past the query timeout) after COMMIT, or a write outside
 * a transaction, was sent: the write may or may not be stored. Event ids are generated by the
 * client, so look them up (`store.findEvent(eventIds[0])`) before retrying; see docs/runtime.md.
 */
export class CommitOutcomeUnknown extends EsgenError {
  readonly outcome: WriteOutcome = 'unknown';
  constructor(
    override readonly cause: unknown,
    /** The ids of the events the write carried (empty when it was not an append). */
    readonly eventIds: readonly string[] = [],
  ) {
    super(
      'ESG213',
      `The connection to PostgreSQL was lost after the commit was sent (${describeCause(cause)}): the write may or may not have been stored. ` +
        (eventIds.length > 0
          ? `Check for event ${eventIds[0]} (store.findEvent) before retrying: when it is stored, the whole append is.`
          : 'Check whether it took effect before retrying.'),
    );
  }
}

/** Which limit ran out: opening a connection, the server's statement_timeout, or the client's wait for an answer. */
export type TimeoutKind = 'connect' | 'statement' | 'query';

/**
 * PostgreSQL did not answer in time (a frozen or overloaded server, a lock held too long). The
 * connection is discarded. `outcome` says whether a write may have been committed (only when the
 * COMMIT, or a write outside a transaction, was waiting for its answer); `eventIds` as in
 * CommitOutcomeUnknown.
 */
export class QueryTimedOut extends EsgenError {
  constructor(
    readonly kind: TimeoutKind,
    /** The limit that ran out, when known (ms). */
    readonly timeoutMs: number | undefined,
    readonly outcome: WriteOutcome,
    override readonly cause: unknown,
    readonly eventIds: readonly string[] = [],
  ) {
    const limit = timeoutMs === undefined ? '' : ` within ${timeoutMs} ms`;
    const what = kind === 'connect' ? 'No connection to PostgreSQL could be opened' : kind === 'statement' ? 'The statement was cancelled by statement_timeout' : 'PostgreSQL did not answer';
    const result =
      outcome === 'not-committed'
        ? 'nothing was committed.'
        : eventIds.length > 0
          ? `the write may or may not have been stored: check for event ${eventIds[0]} (store.findEvent) before retrying.`
          : 'the write may or may not have been stored: check before retrying.';
    super('ESG214', `${what}${limit} (${describeCause(cause)}); ${result} Raise the timeouts in the pool options if the work is legitimately slow.`);
  }
}

/** start() of a worker waited for the server with backoff and gave up. */
export class DatabaseUnreachable extends EsgenError {
  constructor(
    readonly attempts: number,
    readonly waitedMs: number,
    override readonly cause: unknown,
  ) {
    super(
      'ESG215',
      `PostgreSQL could not be reached after ${attempts} attempts over ${(waitedMs / 1000).toFixed(1)} s (last error: ${describeCause(cause)}). ` +
        'Check that the server is running and DATABASE_URL points at it, or wait longer (the `reconnect.giveUpAfterMs` option).',
    );
  }
}

/** A connection fault or timeout: ConnectionLost, CommitOutcomeUnknown or QueryTimedOut. */
export function isConnectionFault(error: unknown): error is ConnectionLost | CommitOutcomeUnknown | QueryTimedOut {
  return isEsgenError(error) && (error.code === 'ESG212' || error.code === 'ESG213' || error.code === 'ESG214');
}

/** esgen itself failed: a bug or a broken installation, never the user's input. */
export class InternalError extends EsgenError {
  constructor(detail: string, options?: ErrorOptions) {
    super('ESG000', `esgen internal error: ${detail}. Please report it with the spec that triggers it.`, options);
  }
}

/** A computed read-model value (`unitPrice * quantity`) overflowed: a row never holds Infinity or NaN. */
export class ComputedValueOutOfRange extends EsgenError {
  constructor(readonly expression: string) {
    super('ESG228', `The computed value ${expression} is not a finite number, so it cannot be stored in a read-model row.`);
  }
}
