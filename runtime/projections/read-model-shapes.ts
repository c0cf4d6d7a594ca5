/**
 * Which read models hold rows of another shape than this code's, and bringing them to this
 * code's shape before they serve (issue 13 "stale read models refused", issue 12 "mode changes
 * are safe").
 *
 * projection_positions records per read model the fingerprint of the definition its rows were
 * built with (the generated fingerprint covers the fields, key, every mapping rule and the mode).
 * A read model is stale when
 * - the recorded fingerprint differs from the registry's: the mapping or the mode changed, so the
 *   rows are of an older shape, or were built by a mode whose bookkeeping the other mode cannot
 *   continue (inline appends never move the async checkpoint: continuing would apply events twice);
 * - no position row exists but rows do (written by an esgen that recorded nothing for inline read
 *   models), or, for an inline read model, events of its types do (a new inline read model would
 *   otherwise start without the history): nothing says which events the rows contain.
 * The cure is the blue/green rebuild of event-replayer.ts; with several processes starting at once
 * exactly one holds the shadow's lease and rebuilds, the others wait until the switch recorded the
 * new fingerprint (or the rebuilder's lease goes stale, and one of them takes over).
 */
import type { ReadModelDefinition } from '../contracts.js';
import { ORIGIN } from './checkpoint.js';
import { createEventReplayer, shadowName } from './event-replayer.js';
import type { ProjectionContext } from './projection-batch.js';
import { ReadModelShapeChanged, RebuildConflict, type StaleReadModel } from './projection-errors.js';
import { readLeaseOwners } from './projection-leases.js';
import { ensurePosition, positionStatements, readPosition } from './projection-positions.js';
import type { ProjectionTables } from './projection-tables.js';
import type { SqlExecutor } from '../sql-client.js';
import { sleep } from './wake-signal.js';

/**
 * What a process does on start with a read model whose stored rows have another shape:
 * `rebuild` (default) rebuilds it (shadow + swap) before it serves; `refuse` throws
 * ReadModelShapeChanged (ESG227) so a deploy pipeline rebuilds it explicitly first.
 */
export type ShapeChangePolicy = 'rebuild' | 'refuse';

/** Recorded for rows that exist without a fingerprint: never equal to a generated one (16 hex digits). */
export const UNKNOWN_FINGERPRINT = 'unknown';

/**
 * The read models among `definitions` whose stored rows have another shape. Records this code's
 * fingerprint for a read model that has no position row and nothing stored yet (so the next
 * start knows what built its rows).
 */
export async function findStaleReadModels(ctx: ProjectionContext, definitions: readonly ReadModelDefinition<any>[]): Promise<StaleReadModel[]> {
  const stale: StaleReadModel[] = [];
  for (const definition of definitions) {
    let state = await readPosition(ctx.client, ctx.positions, definition.projection);
    if (state === undefined) {
      const rows = await countRows(ctx, definition.projection);
      const history = definition.mode === 'inline' && (await hasEvents(ctx, definition.eventTypes));
      // ON CONFLICT DO NOTHING: a process starting at the same time may have recorded it first; re-read.
      await ensurePosition(ctx.client, ctx.positions, definition.projection, 'read_model', ORIGIN, rows > 0 || history ? UNKNOWN_FINGERPRINT : definition.fingerprint);
      state = await readPosition(ctx.client, ctx.positions, definition.projection);
    }
    // NULL: recorded by an esgen before fingerprints were kept; adopted as current, as status does.
    if (state?.fingerprint == null || state.fingerprint === definition.fingerprint) continue;
    stale.push({
      projection: definition.projection,
      mode: definition.mode,
      storedFingerprint: state.fingerprint,
      fingerprint: definition.fingerprint,
      rows: await countRows(ctx, definition.projection),
    });
  }
  return stale;
}

export interface EnsureShapesOptions {
  readonly onShapeChange?: ShapeChangePolicy;
  /** Names this process in the rebuild's lease. */
  readonly workerId?: string;
  /** How often a process waiting for another's rebuild looks again. Default 250 ms. */
  readonly pollIntervalMs?: number;
  /** Called once per read model this process rebuilds or waits for. */
  readonly onStale?: (stale: StaleReadModel, action: 'rebuilding' | 'waiting') => void;
}

/**
 * Makes every read model of `definitions` serve rows of this code's shape, or throws
 * ReadModelShapeChanged listing the stale ones (policy `refuse`). Returns the read models it
 * found stale (rebuilt here or by another process meanwhile).
 */
export async function ensureReadModelShapes(
  ctx: ProjectionContext,
  definitions: readonly ReadModelDefinition<any>[],
  options: EnsureShapesOptions = {},
): Promise<StaleReadModel[]> {
  const stale = await findStaleReadModels(ctx, definitions);
  if (stale.length === 0) return stale;
  if ((options.onShapeChange ?? 'rebuild') === 'refuse') throw new ReadModelShapeChanged(stale);
  const replayer = createEventReplayer({ client: ctx.client, registry: ctx.registry, schema: ctx.tables.schema, ...(options.workerId ? { workerId: options.workerId } : {}) });
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  for (const entry of stale) {
    const definition = definitions.find((candidate) => candidate.projection === entry.projection)!;
    let announced: 'rebuilding' | 'waiting' | undefined;
    const announce = (action: 'rebuilding' | 'waiting') => {
      if (announced !== action) options.onStale?.(entry, action);
      announced = action;
    };
    for (;;) {
      // Another process may have finished the rebuild while we looked or waited.
      const state = await readPosition(ctx.client, ctx.positions, definition.projection);
      if (state?.fingerprint === definition.fingerprint) break;
      const shadowLease = (await readLeaseOwners(ctx.client, ctx.leases)).get(shadowName(definition.projection));
      if (shadowLease?.active === true) {
        // Someone rebuilds it right now: serve only after its switch (or take over if it dies).
        announce('waiting');
        await sleep(pollIntervalMs);
        continue;
      }
      try {
        // Announced once the shadow's lease is ours (the first progress report), not before.
        await replayer.rebuild(definition.projection, { onProgress: () => announce('rebuilding') });
        break;
      } catch (error) {
        // Lost the race for the shadow's lease to a process starting at the same time: wait for it.
        if (error instanceof RebuildConflict && (await readLeaseOwners(ctx.client, ctx.leases)).get(shadowName(definition.projection))?.active === true) continue;
        throw error;
      }
    }
  }
  return stale;
}

async function countRows(ctx: ProjectionContext, projection: string): Promise<number> {
  const result = await ctx.client.query<{ count: string }>(`SELECT count(*)::text AS count FROM ${ctx.tables.projections} WHERE projection_name = $1`, [projection]);
  return Number(result.rows[0]?.count ?? 0);
}

async function hasEvents(ctx: ProjectionContext, eventTypes: readonly string[]): Promise<boolean> {
  const result = await ctx.client.query(`SELECT 1 FROM ${ctx.tables.events} WHERE event_type = ANY($1::text[]) LIMIT 1`, [eventTypes]);
  return result.rows.length > 0;
}

/**
 * Shapes known to be served correctly, per client: `<schema>/<projection>/<fingerprint>`. A query
 * checks its read model's stored fingerprint once per client (createEventSourcing and the workers
 * mark what they verified or rebuilt), so a query never returns rows of another shape typed as
 * this code's row.
 */
const verifiedShapes = new WeakMap<object, Set<string>>();

export function markShapesVerified(executor: SqlExecutor, schema: string, definitions: readonly ReadModelDefinition<any>[]): void {
  const set = verifiedShapes.get(executor) ?? new Set<string>();
  for (const definition of definitions) set.add(`${schema}/${definition.projection}/${definition.fingerprint}`);
  verifiedShapes.set(executor, set);
}

/**
 * Throws ReadModelShapeChanged (ESG227) when the stored rows of `definition` were built by another
 * mapping or mode (including while a rebuild to this shape runs: the live rows are still the old
 * ones). One statement on the first query per client; nothing after.
 */
export async function assertServableShape(executor: SqlExecutor, tables: ProjectionTables, definition: ReadModelDefinition<any>): Promise<void> {
  const key = `${tables.schema}/${definition.projection}/${definition.fingerprint}`;
  if (verifiedShapes.get(executor)?.has(key) === true) return;
  const state = await readPosition(executor, positionStatements(tables), definition.projection);
  // No position row: nothing was built for it yet by a current esgen (the rows, if any, are
  // judged by the next start); NULL: recorded before fingerprints were kept.
  if (state === undefined) return;
  if (state.fingerprint !== null && state.fingerprint !== definition.fingerprint) {
    throw new ReadModelShapeChanged([{ projection: definition.projection, mode: definition.mode, storedFingerprint: state.fingerprint, fingerprint: definition.fingerprint, rows: -1 }]);
  }
  markShapesVerified(executor, tables.schema, [definition]);
}
