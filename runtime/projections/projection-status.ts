import type { ReadModelDefinition, Registry } from '../contracts.js';
import { UNKNOWN_FINGERPRINT } from './read-model-shapes.js';
import type { SqlClient } from '../sql-client.js';
import { checkpointFromText } from './checkpoint.js';
import { readFeedPage } from './event-feed.js';
import { ORIGIN } from './checkpoint.js';
import { projectionContext } from './projection-batch.js';
import { ProjectionNotFailed, UnknownProjection } from './projection-errors.js';
import { lockProjectionForSwitch, readLeaseOwners } from './projection-leases.js';
import { readAllPositions, type ProjectionErrorRecord } from './projection-positions.js';
import { shadowName } from './event-replayer.js';
import { rebuildStatements } from './rebuild-statements.js';
import { checkAdminOptions, projectionName } from './projection-checks.js';

export interface ProjectionStatus {
  readonly name: string;
  readonly kind: 'read_model' | 'subscription';
  /** For read models: how they are updated. */
  readonly mode: 'inline' | 'async' | undefined;
  /** Global position of the last processed event (0 = none yet); null for inline read models. */
  readonly position: bigint | null;
  /** Newest event readable now (gap-safe). */
  readonly head: bigint;
  /** Events of its types after its checkpoint. */
  readonly lagEvents: number;
  /** Age of the oldest unprocessed event, in seconds (0 when caught up). */
  readonly lagSeconds: number;
  readonly state: 'running' | 'failed' | 'not started' | 'inline';
  /** Worker holding the lease (null when none holds an unexpired one). */
  readonly owner: string | null;
  readonly lastProcessedAt: Date | null;
  readonly lastError: ProjectionErrorRecord | undefined;
  readonly retryAt: Date | null;
  /**
   * The stored rows were built by another mapping or mode (or no fingerprint covers them): the
   * next start rebuilds the read model before it serves (`onShapeChange: 'rebuild'`, the default)
   * or refuses to start (`'refuse'`); `esgen projections rebuild` does it now.
   */
  readonly rebuildDue: boolean;
  /** Why a rebuild is due, in words (undefined when none is). */
  readonly rebuildReason: string | undefined;
  /**
   * A rebuild in progress: its shadow's progress. `stale` when the rebuild's lease expired (its
   * process was killed or lost the database): nothing is rebuilding any more; run the rebuild again.
   */
  readonly rebuild: { readonly owner: string; readonly processed: number; readonly total: number; readonly stale: boolean } | undefined;
}

export interface StatusOptions {
  readonly schema?: string;
}

/**
 * Per read model of the registry (and per subscription found in projection_positions): checkpoint,
 * head, lag in events and seconds, lease owner, failure record, rebuild state.
 */
export async function projectionStatus(client: SqlClient, registry: Registry, options: StatusOptions = {}): Promise<ProjectionStatus[]> {
  checkAdminOptions(options);
  const ctx = projectionContext(client, registry, options.schema);
  const positions = new Map((await readAllPositions(client, ctx.positions)).map((state) => [state.name, state]));
  const owners = await readLeaseOwners(client, ctx.leases);
  const head = (await readFeedPage(client, ctx.feed, registry, ORIGIN, 0, undefined)).next;
  const rebuilds = await client.query<{ projection_name: string; owner: string; total_events: string }>(rebuildStatements(ctx.tables).inProgress);
  const rebuildOf = new Map(rebuilds.rows.map((row) => [row.projection_name, row]));

  const lag = async (transactionId: bigint, position: bigint, eventTypes: readonly string[] | undefined) => {
    const result = await client.query<{ count: string | number; age: number | string | null }>(
      `SELECT count(*) AS count, extract(epoch FROM now() - min(occurred_at))::float8 AS age FROM ${ctx.tables.events}
       WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)${eventTypes === undefined ? '' : ' AND event_type = ANY($3::text[])'}`,
      eventTypes === undefined ? [transactionId.toString(), position.toString()] : [transactionId.toString(), position.toString(), eventTypes],
    );
    const row = result.rows[0];
    return { events: Number(row?.count ?? 0), seconds: Math.max(0, Number(row?.age ?? 0)) };
  };

  /** The rule of read-model-shapes.ts (findStaleReadModels), read-only. */
  const shapeProblem = async (definition: ReadModelDefinition<any>, stored: string | null | undefined): Promise<string | undefined> => {
    if (stored === undefined) {
      const rows = await client.query(`SELECT 1 FROM ${ctx.tables.projections} WHERE projection_name = $1 LIMIT 1`, [definition.projection]);
      if (rows.rows.length > 0) return 'rows exist that no recorded fingerprint covers (built by an earlier esgen or in another mode)';
      if (definition.mode !== 'inline') return undefined;
      const events = await client.query(`SELECT 1 FROM ${ctx.tables.events} WHERE event_type = ANY($1::text[]) LIMIT 1`, [definition.eventTypes]);
      return events.rows.length > 0 ? 'a new inline read model over existing events (its rows need the history)' : undefined;
    }
    if (stored === null || stored === definition.fingerprint) return undefined;
    return stored === UNKNOWN_FINGERPRINT
      ? 'rows exist that no recorded fingerprint covers (built by an earlier esgen or in another mode)'
      : `built by another mapping or mode (fingerprint ${stored}, this code ${definition.fingerprint})`;
  };

  const statuses: ProjectionStatus[] = [];
  for (const definition of Object.values(registry.readModels)) {
    const state = positions.get(definition.projection);
    const lease = owners.get(definition.projection);
    const rebuild = rebuildOf.get(definition.projection);
    const shadow = positions.get(shadowName(definition.projection));
    const inline = definition.mode === 'inline';
    const rebuildReason = await shapeProblem(definition, state?.fingerprint);
    const behind = state === undefined || inline ? { events: 0, seconds: 0 } : await lag(state.checkpoint.transactionId, state.checkpoint.position, definition.eventTypes);
    statuses.push({
      name: definition.projection,
      kind: 'read_model',
      mode: definition.mode,
      position: inline ? null : (state?.checkpoint.position ?? 0n),
      head: head.position,
      lagEvents: inline ? 0 : state === undefined ? (await lag(0n, 0n, definition.eventTypes)).events : behind.events,
      lagSeconds: behind.seconds,
      state: inline ? 'inline' : state === undefined ? 'not started' : state.status,
      owner: lease?.active ? lease.owner : null,
      lastProcessedAt: state?.lastProcessedAt ?? null,
      lastError: state?.error,
      retryAt: state?.retryAt ?? null,
      rebuildDue: rebuildReason !== undefined,
      rebuildReason,
      rebuild:
        rebuild === undefined
          ? undefined
          : {
              owner: rebuild.owner,
              processed: Number(shadow?.eventsProcessed ?? 0n),
              total: Number(rebuild.total_events),
              // The rebuild renews its lease on the shadow with every batch: expired means it is gone.
              stale: !(owners.get(shadowName(definition.projection))?.active === true && owners.get(shadowName(definition.projection))?.owner === rebuild.owner),
            },
    });
  }
  for (const state of positions.values()) {
    if (state.kind !== 'subscription') continue;
    const lease = owners.get(state.name);
    const behind = await lag(state.checkpoint.transactionId, state.checkpoint.position, undefined);
    statuses.push({
      name: state.name,
      kind: 'subscription',
      mode: undefined,
      position: state.checkpoint.position,
      head: head.position,
      lagEvents: behind.events,
      lagSeconds: behind.seconds,
      state: state.status,
      owner: lease?.active ? lease.owner : null,
      lastProcessedAt: state.lastProcessedAt,
      lastError: state.error,
      retryAt: state.retryAt,
      rebuildDue: false,
      rebuildReason: undefined,
      rebuild: undefined,
    });
  }
  return statuses;
}

/** Retries a failed projection or subscription now (after a fix was deployed), resetting its backoff. */
export async function retryProjection(client: SqlClient, registry: Registry, name: string, options: StatusOptions = {}): Promise<void> {
  projectionName('name', name);
  checkAdminOptions(options);
  const ctx = projectionContext(client, registry, options.schema);
  await assertKnown(client, registry, name, options);
  const result = await client.query(ctx.positions.retry, [name]);
  if (result.rowCount === 0) throw new ProjectionNotFailed(name, 'has not stopped on a failing event: there is nothing to retry');
}

export interface SkipResult {
  readonly position: bigint;
  readonly eventType: string | null;
}

/**
 * Passes over exactly the event a projection stopped on, recorded in its failure. Locks the
 * projection like a rebuild switch, so a batch cannot interleave. `position`, when given, must be
 * the failing event's (guards against skipping an event that failed after you looked).
 */
export async function skipFailedEvent(
  client: SqlClient,
  registry: Registry,
  name: string,
  options: StatusOptions & { readonly position?: bigint } = {},
): Promise<SkipResult> {
  projectionName('name', name);
  checkAdminOptions(options);
  const ctx = projectionContext(client, registry, options.schema);
  await assertKnown(client, registry, name, options);
  return client.transaction(async (tx) => {
    await lockProjectionForSwitch(tx, ctx.leases, name, ctx.tables.schema);
    const result = await tx.query<{ position: string; error_event_type: string | null }>(ctx.positions.skip, [name, options.position?.toString() ?? null]);
    const row = result.rows[0];
    if (row === undefined) {
      const detail = options.position === undefined ? 'has not stopped on a failing event: there is nothing to skip' : `is not stopped on the event at position ${options.position}`;
      throw new ProjectionNotFailed(name, detail);
    }
    return { position: checkpointFromText(0, row.position).position, eventType: row.error_event_type };
  });
}

async function assertKnown(client: SqlClient, registry: Registry, name: string, options: StatusOptions): Promise<void> {
  if (Object.values(registry.readModels).some((definition) => definition.projection === name)) return;
  const ctx = projectionContext(client, registry, options.schema);
  const positions = await readAllPositions(client, ctx.positions);
  if (positions.some((state) => state.name === name && state.kind === 'subscription')) return;
  throw new UnknownProjection(name, [
    ...Object.values(registry.readModels).map((definition) => definition.projection),
    ...positions.filter((state) => state.kind === 'subscription').map((state) => state.name),
  ]);
}
