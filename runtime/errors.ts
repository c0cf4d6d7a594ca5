/**
 * Runtime errors a caller can handle. Each has a stable `code` (ESG2xx) so callers can recognise
 * it across package copies with `isEsgenError(error, 'ESG201')` rather than `instanceof`, and a
 * message that reads as a sentence.
 */

export type EsgenErrorCode =
  | 'ESG201' // ConcurrencyError
  | 'ESG202' // InvalidEvent
  | 'ESG203' // AggregateNotFound
  | 'ESG204' // UnknownEventType
  | 'ESG205' // InvalidIdentifier
  | 'ESG206' // InvalidArgument
  | 'ESG207' // MigrationChecksumMismatch
  | 'ESG208' // UnknownAggregateType
  | 'ESG209' // DatabaseInUse
  | 'ESG210' // InvalidAggregateId
  | 'ESG211' // InvalidImport
  | ProjectionErrorCode
  | PublishErrorCode;

/** The read-model runtime's range (runtime/projections/projection-errors.ts). */
export type ProjectionErrorCode =
  | 'ESG220' // ProjectionMapperFailed
  // ESG221 is reserved (a lost lease is a batch outcome, `fenced`, not an error).
  | 'ESG222' // InvalidReadModelQuery
  | 'ESG223' // UnknownProjection
  | 'ESG224' // ProjectionWaitTimedOut
  | 'ESG225' // ProjectionNotFailed
  | 'ESG226'; // RebuildConflict

/** The message bus's range (runtime/publish/publish-errors.ts, runtime/consume). */
export type PublishErrorCode =
  | 'ESG230' // PublishFailed (the broker rejected an event: the publisher stops on it)
  | 'ESG231' // PublisherStreamMismatch
  | 'ESG232' // UnknownPublisher
  | 'ESG233' // PublisherNotFailed
  | 'ESG234' // InvalidPublishedEvent (a consumer cannot decode a message)
  | 'ESG235'; // InvalidPublisherConfig

export class EsgenError extends Error {
  constructor(
    readonly code: EsgenErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** True when `error` is an esgen error, optionally with the given code. */
export function isEsgenError(error: unknown, code?: EsgenErrorCode): error is EsgenError {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { code?: unknown };
  if (typeof candidate.code !== 'string' || !candidate.code.startsWith('ESG')) return false;
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

export class InvalidArgument extends EsgenError {
  constructor(message: string) {
    super('ESG206', message);
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

/** An aggregate id that does not fit the spec's `id` type (or is empty). Nothing was written. */
export class InvalidAggregateId extends EsgenError {
  constructor(
    readonly aggregateType: string,
    readonly aggregateId: string,
    readonly expected: 'string' | 'uuid',
  ) {
    super(
      'ESG210',
      `${JSON.stringify(aggregateId)} is not a valid ${aggregateType} id: ${expected === 'uuid' ? 'the spec says `id: uuid`, so use a UUID such as crypto.randomUUID()' : 'ids are non-empty strings'}. Nothing was written.`,
    );
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
