/**
 * Errors of the read-model runtime. They follow runtime/errors.ts (a stable ESG2xx `code`, a
 * message that reads as a sentence) so `isEsgenError(error)` recognises them; the ESG22x range is
 * reserved for read models.
 */
import { EsgenError, type ProjectionErrorCode } from '../errors.js';

export type { ProjectionErrorCode };

export class ProjectionError extends EsgenError {
  constructor(
    override readonly code: ProjectionErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}

/** A mapper (keyOf or apply) threw on an event; the projection stops just before it. */
export class ProjectionMapperFailed extends ProjectionError {
  constructor(
    readonly projection: string,
    readonly eventPosition: bigint,
    readonly eventType: string,
    override readonly cause: unknown,
  ) {
    const reason = mapperReason(cause);
    super(
      'ESG220',
      `Projection ${projection} failed on event ${eventType} at position ${eventPosition}: ${reason}. ` +
        'Fix the mapper and run `esgen projections retry`, or `esgen projections skip` to pass over this event.',
    );
    this.reason = reason;
  }

  /** What the mapper threw, on its own (status tables show this, not the whole sentence). */
  readonly reason: string;
}

function mapperReason(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

export class InvalidReadModelQuery extends ProjectionError {
  constructor(message: string) {
    super('ESG222', message);
  }
}

export class UnknownProjection extends ProjectionError {
  constructor(
    readonly projection: string,
    known: readonly string[],
  ) {
    const hint = known.length > 0 ? ` Known: ${known.join(', ')}.` : '';
    super('ESG223', `There is no read model or subscription named ${projection}.${hint}`);
  }
}

export class ProjectionWaitTimedOut extends ProjectionError {
  constructor(
    readonly projection: string,
    readonly target: string,
    readonly timeoutMs: number,
  ) {
    super('ESG224', `Projection ${projection} did not reach ${target} within ${timeoutMs} ms.`);
  }
}

export class ProjectionNotFailed extends ProjectionError {
  constructor(
    readonly projection: string,
    detail: string,
  ) {
    super('ESG225', `Projection ${projection} ${detail}.`);
  }
}

export class RebuildConflict extends ProjectionError {
  constructor(
    readonly projection: string,
    detail: string,
  ) {
    super('ESG226', `Unable to rebuild ${projection}: ${detail}.`);
  }
}

/** One read model whose stored rows do not have this code's shape (see read-model-shapes.ts). */
export interface StaleReadModel {
  readonly projection: string;
  readonly mode: 'inline' | 'async';
  /** The fingerprint the rows were built with; `unknown` when rows exist that no fingerprint was recorded for. */
  readonly storedFingerprint: string;
  /** This code's fingerprint (generated registry). */
  readonly fingerprint: string;
  /** Stored rows of the read model: what a rebuild replaces (-1: not counted, a query's check). */
  readonly rows: number;
}

/** Stored rows built by another mapping or mode, and the policy forbids rebuilding them on start. */
export class ReadModelShapeChanged extends ProjectionError {
  constructor(readonly projections: readonly StaleReadModel[]) {
    const list = projections.map((stale) => `${stale.projection} (${stale.rows >= 0 ? `${stale.rows} rows ` : 'rows '}built with ${stale.storedFingerprint}, this code has ${stale.fingerprint})`).join(', ');
    super(
      'ESG227',
      `Read model${projections.length === 1 ? '' : 's'} ${list} ${projections.length === 1 ? 'has' : 'have'} rows of another shape and will not serve them. ` +
        "Rebuild first with `esgen projections rebuild <name>`, or start with `onShapeChange: 'rebuild'`.",
    );
  }
}
