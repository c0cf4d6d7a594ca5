import type { EventEnvelope, ReadModelDefinition, Registry } from '../contracts.js';
import type { SqlClient, SqlExecutor } from '../sql-client.js';
import { applyKeyedEvents, keyEvents, type MapperFailure } from './apply-events.js';
import { compareCheckpoints, sameCheckpoint, type Checkpoint } from './checkpoint.js';
import { feedStatements, readFeedPage, type FeedPage, type FeedStatements } from './event-feed.js';
import { ProjectionMapperFailed } from './projection-errors.js';
import { leaseStatements, type FenceResult, type LeaseStatements } from './projection-leases.js';
import { advancePosition, positionStatements, type PositionStatements } from './projection-positions.js';
import { loadRows, rowStatements, writeRows, type RowStatements } from './projection-rows.js';
import { projectionTables, type ProjectionTables } from './projection-tables.js';
import type { PersonalDataVault } from '../personal-data/personal-data-vault.js';

/** Everything a batch needs, with every statement built once per schema. */
export interface ProjectionContext {
  readonly client: SqlClient;
  readonly registry: Registry;
  readonly tables: ProjectionTables;
  readonly feed: FeedStatements;
  readonly rows: RowStatements;
  readonly positions: PositionStatements;
  readonly leases: LeaseStatements;
  /** Opens personal values of the events read (docs/personal-data.md); absent: reading one is ESG251. */
  readonly personalData: PersonalDataVault | undefined;
}

export function projectionContext(client: SqlClient, registry: Registry, schema?: string, personalData?: PersonalDataVault): ProjectionContext {
  const tables = projectionTables(schema);
  return {
    client,
    registry,
    personalData,
    tables,
    feed: feedStatements(tables),
    rows: rowStatements(tables),
    positions: positionStatements(tables),
    leases: leaseStatements(tables),
  };
}

export type BatchOutcome =
  | { readonly kind: 'idle' }
  | { readonly kind: 'processed'; readonly events: number; readonly changes: number; readonly checkpoint: Checkpoint; readonly caughtUp: boolean }
  | { readonly kind: 'failed'; readonly events: number; readonly checkpoint: Checkpoint; readonly error: ProjectionMapperFailed }
  /** The fence refused: another worker owns the projection now. Nothing was written. */
  | { readonly kind: 'fenced' }
  /** A previous owner's batch is still running (advisory-xact mode). Nothing was written. */
  | { readonly kind: 'busy' }
  /** The checkpoint moved under us (skip, rebuild switch, a racing worker). Nothing was written. */
  | { readonly kind: 'moved' };

/** What one batch does with its events; `prepare` runs outside the transaction, `write` inside. */
export interface BatchWork {
  readonly positionName: string;
  /** Display name in errors. */
  readonly label: string;
  readonly eventTypes: readonly string[] | undefined;
  readonly fingerprint: string | null;
  /** The fingerprint the stored rows must have for this work to write (null: any, for subscriptions). */
  readonly expectedFingerprint: string | null;
  /** May stop early at a failing event; `covered` = number of events fully handled. */
  prepare(events: readonly EventEnvelope[]): Promise<PreparedBatch> | PreparedBatch;
  write(tx: SqlExecutor, events: readonly EventEnvelope[], prepared: PreparedBatch): Promise<{ changes: number; failure: MapperFailure | undefined }>;
}

export interface PreparedBatch {
  readonly covered: number;
  readonly failure: MapperFailure | undefined;
  readonly state?: unknown;
}

export interface BatchReport {
  readonly projection: string;
  readonly outcome: BatchOutcome;
}

export type Fence = (tx: SqlExecutor) => Promise<FenceResult>;

class CheckpointMoved extends Error {}
class Fenced extends Error {
  constructor(readonly result: FenceResult) {
    super(result);
  }
}

/**
 * One batch: read up to `batchSize` events after `from` (gap-safe), then in ONE transaction fence,
 * write the rows and move the checkpoint from `from` (conditionally) to the last event handled.
 * A crash before COMMIT leaves rows and checkpoint as they were; after, both moved: an event is
 * never lost nor applied twice. When a mapper throws, the events before it are committed and the
 * failure is recorded on the checkpoint row in the same transaction.
 */
export async function processBatch(
  ctx: ProjectionContext,
  work: BatchWork,
  from: Checkpoint,
  batchSize: number,
  fence: Fence,
  bounds: BatchBounds = {},
): Promise<BatchOutcome> {
  const page = bounded(await readFeedPage(bounds.executor ?? ctx.client, ctx.feed, ctx.registry, from, batchSize, work.eventTypes, bounds.ignoreHorizon, ctx.personalData), bounds.until);
  if (page.events.length === 0 && sameCheckpoint(page.next, from)) return { kind: 'idle' };
  const prepared = await work.prepare(page.events);
  const inTransaction = (work: (tx: SqlExecutor) => Promise<BatchOutcome>) =>
    bounds.executor === undefined ? ctx.client.transaction(work) : work(bounds.executor);
  try {
    return await inTransaction(async (tx) => {
      const fenced = await fence(tx);
      if (fenced !== 'ok') throw new Fenced(fenced);
      const written = await work.write(tx, page.events, prepared);
      const failure = written.failure ?? prepared.failure;
      if (failure === undefined) {
        const ok = await advancePosition(tx, ctx.positions, work.positionName, from, page.next, page.events.length, work.fingerprint, undefined, work.expectedFingerprint);
        if (!ok) throw new CheckpointMoved();
        return { kind: 'processed', events: page.events.length, changes: written.changes, checkpoint: page.next, caughtUp: page.caughtUp } as const;
      }
      return recordFailure(tx, failure);
    });
  } catch (error) {
    if (error instanceof CheckpointMoved) return { kind: 'moved' };
    if (error instanceof Fenced) return error.result === 'busy' ? { kind: 'busy' } : { kind: 'fenced' };
    if (!isIntegrityViolation(error) || bounds.executor !== undefined) throw error;
    // A row the mappers produced breaks a constraint (a unique index of the spec): find the event
    // by going one event at a time, then stop the projection on it like on a throwing mapper.
    if (page.events.length > 1) return processBatch(ctx, work, from, 1, fence, bounds);
    const event = page.events[0];
    if (event === undefined) throw error;
    try {
      return await ctx.client.transaction(async (tx) => {
        const fenced = await fence(tx);
        if (fenced !== 'ok') throw new Fenced(fenced);
        return recordFailure(tx, { index: 0, event, error });
      });
    } catch (second) {
      if (second instanceof CheckpointMoved) return { kind: 'moved' };
      if (second instanceof Fenced) return second.result === 'busy' ? { kind: 'busy' } : { kind: 'fenced' };
      throw second;
    }
  }

  /** Commits the events before the failing one and records the failure on the checkpoint row. */
  async function recordFailure(tx: SqlExecutor, failure: MapperFailure): Promise<BatchOutcome> {
    const before = page.events[failure.index - 1];
    const checkpoint = before === undefined ? from : { transactionId: before.transactionId, position: before.position };
    const error = new ProjectionMapperFailed(work.label, failure.event.position, failure.event.type, failure.error);
    const ok = await advancePosition(tx, ctx.positions, work.positionName, from, checkpoint, failure.index, work.fingerprint, {
      position: failure.event.position,
      transactionId: failure.event.transactionId,
      eventId: failure.event.eventId,
      eventType: failure.event.type,
      message: error.reason,
    }, work.expectedFingerprint);
    if (!ok) throw new CheckpointMoved();
    return { kind: 'failed', events: failure.index, checkpoint, error };
  }
}

/** SQLSTATE class 23: unique, foreign key, check or not-null violation. */
function isIntegrityViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('23');
}

export interface BatchBounds {
  /** Stop at this checkpoint (inclusive): a reset or rebuild up to a position. */
  readonly until?: Checkpoint;
  /** Run inside this open transaction instead of a new one (the rebuild switch). */
  readonly executor?: SqlExecutor;
  /** Read without the gap-safety horizon: only under a lock that keeps writers out. */
  readonly ignoreHorizon?: boolean;
}

function bounded(page: FeedPage, until: Checkpoint | undefined): FeedPage {
  if (until === undefined || compareCheckpoints(page.next, until) <= 0) return page;
  const events = page.events.filter((event) => compareCheckpoints(event, until) <= 0);
  return { events, next: until, caughtUp: true };
}

/**
 * The work of a read model: key the events outside the transaction, then load the touched rows
 * once, apply every event in memory and write each row once (one multi-row upsert, one delete).
 * `rowsProjection` differs from the definition's projection for a rebuild's shadow copy.
 */
export function readModelWork(ctx: ProjectionContext, definition: ReadModelDefinition<any>, positionName: string, rowsProjection: string): BatchWork {
  const types = new Set(definition.eventTypes);
  return {
    positionName,
    label: definition.projection,
    eventTypes: definition.eventTypes,
    // The fingerprint is stamped only when rows are (re)built from the origin, so a changed
    // mapping shows up in status as "rebuild due" instead of being silently adopted.
    fingerprint: null,
    expectedFingerprint: definition.fingerprint,
    prepare(events) {
      const keyed = keyEvents(definition, events, types);
      return { covered: keyed.covered, failure: keyed.failure, state: keyed };
    },
    async write(tx, events, prepared) {
      const keyed = prepared.state as ReturnType<typeof keyEvents>;
      const ids = [...new Set(keyed.keyed.map((entry) => entry.key))];
      const loaded = await loadRows(tx, ctx.rows, rowsProjection, ids);
      const positions = new Map<EventEnvelope, number>();
      events.forEach((event, index) => positions.set(event, index));
      const applied = applyKeyedEvents(definition, keyed.keyed, loaded, (event) => positions.get(event) ?? 0);
      await writeRows(tx, ctx.rows, rowsProjection, applied.writes);
      return { changes: applied.changes, failure: applied.failure };
    },
  };
}
