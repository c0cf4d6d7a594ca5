import type { PersonalDataVault } from '../personal-data/personal-data-vault.js';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ReadModelDefinition, Registry } from '../contracts.js';
import type { SqlClient, SqlExecutor } from '../sql-client.js';
import { compareCheckpoints, ORIGIN, type Checkpoint } from './checkpoint.js';
import { processBatch, projectionContext, readModelWork, type ProjectionContext } from './projection-batch.js';
import { RebuildConflict, UnknownProjection } from './projection-errors.js';
import { claimLease, fenceBatch, lockProjectionForSwitch } from './projection-leases.js';
import { readPosition, setPosition } from './projection-positions.js';
import { checkpointOfPosition, headCheckpoint } from './projection-waits.js';
import { rebuildStatements, type RebuildStatements } from './rebuild-statements.js';
import { sleep } from './wake-signal.js';
import { checkRebuildOptions, checkWorkerOptions, projectionName } from './projection-checks.js';
import { optionsObject, position as checkedPosition } from '../argument-checks.js';

export interface EventReplayerOptions {
  readonly client: SqlClient;
  readonly registry: Registry;
  readonly schema?: string;
  /** Opens personal values of the events read (createEventSourcing passes its own; docs/personal-data.md). */
  readonly personalData?: PersonalDataVault;
  readonly workerId?: string;
  /** Events per batch while building the shadow copy. Default 1000. */
  readonly batchSize?: number;
  /**
   * Lease on the shadow copy in seconds, renewed by every batch and while waiting for the head. A
   * rebuild whose process died shows as stale in status once it expired, and another rebuild may
   * then start. Default 30.
   */
  readonly leaseSeconds?: number;
}

export interface RebuildProgress {
  readonly projection: string;
  readonly phase: 'building' | 'switching' | 'done';
  /** Events of the read model's types processed so far. */
  readonly processed: number;
  /** Events of its types up to the head when the rebuild started (grows if writers keep appending). */
  readonly total: number;
  readonly eventsPerSecond: number;
  readonly elapsedMs: number;
}

export interface RebuildOptions {
  /** Build only up to the event at this global position (a reset to that position). */
  readonly until?: bigint;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** Give up when the shadow cannot reach the head (an old transaction holds readers back). Default 60 s. */
  readonly catchUpTimeoutMs?: number;
}

export interface RebuildResult {
  readonly projection: string;
  readonly processed: number;
  readonly checkpoint: Checkpoint;
  readonly elapsedMs: number;
}

export interface EventReplayer {
  /**
   * Rebuilds a read model from the whole history without downtime: builds a shadow copy
   * (`<projection>__rebuild`) while the live rows keep serving, catches it up to the head, then
   * switches in one transaction. Also builds a read model that has no rows yet.
   */
  rebuild(projection: string, options?: RebuildOptions): Promise<RebuildResult>;
  /** Resets a read model to its state at a global position; the workers carry on from there. */
  resetTo(projection: string, position: bigint, options?: Omit<RebuildOptions, 'until'>): Promise<RebuildResult>;
}

export function shadowName(projection: string): string {
  return `${projection}__rebuild`;
}

/**
 * Blue/green rebuilds of read models (Marten's pattern), on PostgreSQL alone.
 *
 * The switch runs in one transaction: it locks the live projection the way a batch fences
 * itself (its lease row, and the projection's advisory key exclusively, which every inline append
 * holds shared), so no batch or inline append interleaves; for an inline read model it applies
 * the last committed events to the shadow under that lock; then it deletes the live rows, renames
 * the shadow rows to the live name and moves the live checkpoint to the shadow's. An async worker
 * carries on from that checkpoint (its own conditional checkpoint update fails if it raced).
 */
export function createEventReplayer(options: EventReplayerOptions): EventReplayer {
  checkWorkerOptions(options);
  const ctx = projectionContext(options.client, options.registry, options.schema, options.personalData);
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}:replayer`;
  const batchSize = options.batchSize ?? 1000;
  const leaseSeconds = options.leaseSeconds ?? 30;
  const sql = rebuildStatements(ctx.tables);

  const definitionOf = (projection: string): ReadModelDefinition<any> => {
    const definitions = Object.values(options.registry.readModels);
    const definition = definitions.find((candidate) => candidate.projection === projection || candidate.name === projection);
    if (definition === undefined) throw new UnknownProjection(projection, definitions.map((candidate) => candidate.projection));
    return definition;
  };

  async function rebuild(projection: string, rebuildOptions: RebuildOptions = {}): Promise<RebuildResult> {
    projectionName('projection', projection);
    checkRebuildOptions(rebuildOptions);
    const definition = definitionOf(projection);
    const live = definition.projection;
    const shadow = shadowName(live);
    const started = Date.now();
    if (definition.mode === 'inline' && rebuildOptions.until !== undefined) {
      // Inline rows are only ever updated by appends: nothing would re-apply the later events.
      throw new RebuildConflict(live, 'an inline read model cannot be reset to an earlier position (no worker would re-apply the events after it); rebuild it instead');
    }
    const until = rebuildOptions.until === undefined ? undefined : await requireCheckpoint(ctx, rebuildOptions.until);
    if (!(await claimLease(ctx.client, ctx.leases, shadow, workerId, leaseSeconds))) {
      throw new RebuildConflict(live, 'another rebuild of it is running (its shadow copy is leased by another process)');
    }
    const total = await countEvents(ctx, sql, definition.eventTypes, until);
    let processed = 0;
    const report = (phase: RebuildProgress['phase']) => {
      const elapsedMs = Date.now() - started;
      rebuildOptions.onProgress?.({
        projection: live,
        phase,
        processed,
        total: Math.max(total, processed),
        eventsPerSecond: elapsedMs > 0 ? Math.round((processed * 1000) / elapsedMs) : 0,
        elapsedMs,
      });
    };
    try {
      await ctx.client.transaction(async (tx) => {
        await tx.query(sql.clearRows, [shadow]);
        await setPosition(tx, ctx.positions, shadow, 'rebuild', ORIGIN, definition.fingerprint, 0n);
        await tx.query(sql.begin, [live, shadow, workerId, total]);
      });
      const work = readModelWork(ctx, definition, shadow, shadow);
      const fence = (tx: SqlExecutor) => fenceBatch(tx, ctx.leases, 'row-lock', shadow, workerId, leaseSeconds, ctx.tables.schema, 'deferred');
      let checkpoint: Checkpoint = ORIGIN;
      // Catch up to the head as of now (everything committed before the rebuild started), or to
      // `until`. A transaction still running elsewhere may hold the readable horizon back for a
      // while: wait for it rather than switch to a copy that is behind what callers already saw.
      const target = until ?? (await headCheckpoint(ctx));
      const deadline = () => Date.now() + (rebuildOptions.catchUpTimeoutMs ?? 60_000);
      let giveUpAt = deadline();
      let renewedAt = Date.now();
      report('building');
      for (;;) {
        const outcome = await processBatch(ctx, work, checkpoint, batchSize, fence, until === undefined ? {} : { until });
        if (outcome.kind === 'fenced' || outcome.kind === 'moved' || outcome.kind === 'busy') {
          throw new RebuildConflict(live, 'its shadow copy was taken over by another process');
        }
        if (outcome.kind === 'failed') throw outcome.error;
        if (outcome.kind === 'processed') {
          checkpoint = outcome.checkpoint;
          processed += outcome.events;
          report('building');
          giveUpAt = deadline();
          renewedAt = Date.now();
          if (!outcome.caughtUp) continue;
        }
        // Caught up with what is readable now; done once that includes the target.
        if (compareCheckpoints(checkpoint, target) >= 0) break;
        if (Date.now() > giveUpAt) {
          throw new RebuildConflict(live, `position ${target.position} did not become readable in time (a long-running transaction holds readers back)`);
        }
        if (Date.now() - renewedAt > (leaseSeconds * 1000) / 3) {
          // Waiting for the horizon writes no batch: keep the lease alive, or it would look stale.
          if (!(await claimLease(ctx.client, ctx.leases, shadow, workerId, leaseSeconds))) {
            throw new RebuildConflict(live, 'its shadow copy was taken over by another process');
          }
          renewedAt = Date.now();
        }
        await sleep(50);
      }
      report('switching');
      const final = await ctx.client.transaction(async (tx) => {
        await lockProjectionForSwitch(tx, ctx.leases, live, ctx.tables.schema);
        if ((await fence(tx)) !== 'ok') throw new RebuildConflict(live, 'its shadow copy was taken over by another process');
        if (definition.mode === 'inline' && until === undefined) {
          // Inline appends of these types wait on our lock: what is committed now is all there is.
          for (;;) {
            const outcome = await processBatch(ctx, work, checkpoint, batchSize, async () => 'ok' as const, { executor: tx, ignoreHorizon: true });
            if (outcome.kind === 'failed') throw outcome.error;
            if (outcome.kind !== 'processed') break;
            checkpoint = outcome.checkpoint;
            processed += outcome.events;
            if (outcome.caughtUp) break;
          }
        }
        const shadowState = await readPosition(tx, ctx.positions, shadow);
        const at = shadowState?.checkpoint ?? checkpoint;
        await tx.query(sql.clearRows, [live]);
        await tx.query(sql.renameRows, [live, shadow]);
        await setPosition(tx, ctx.positions, live, 'read_model', at, definition.fingerprint, shadowState?.eventsProcessed ?? BigInt(processed));
        await tx.query(ctx.positions.remove, [shadow]);
        await tx.query(sql.finish, [live]);
        return at;
      });
      report('done');
      return { projection: live, processed, checkpoint: final, elapsedMs: Date.now() - started };
    } catch (error) {
      // Leave no half-built shadow behind; the live rows were never touched.
      await ctx.client
        .transaction(async (tx) => {
          await tx.query(sql.clearRows, [shadow]);
          await tx.query(ctx.positions.remove, [shadow]);
          await tx.query(sql.abandon, [live, workerId]);
        })
        .catch(() => undefined);
      throw error;
    } finally {
      await ctx.client.query(ctx.leases.release, [workerId, [shadow]]).catch(() => undefined);
    }
  }

  return {
    rebuild,
    resetTo: async (projection, position, resetOptions = {}) => {
      checkedPosition('position', position);
      checkRebuildOptions(resetOptions);
      return rebuild(projection, { ...optionsObject('options', resetOptions), until: position });
    },
  };
}

async function requireCheckpoint(ctx: ProjectionContext, position: bigint): Promise<Checkpoint> {
  if (position === 0n) return ORIGIN;
  const checkpoint = await checkpointOfPosition(ctx, position);
  if (checkpoint === undefined) throw new RebuildConflict('(reset)', `there is no committed event at position ${position}`);
  return checkpoint;
}

async function countEvents(ctx: ProjectionContext, sql: RebuildStatements, eventTypes: readonly string[], until: Checkpoint | undefined): Promise<number> {
  const result = await ctx.client.query<{ count: string }>(
    until === undefined ? sql.countEvents : sql.countEventsUntil,
    until === undefined ? [eventTypes] : [eventTypes, until.transactionId.toString(), until.position.toString()],
  );
  return Number(result.rows[0]?.count ?? 0);
}
