import type { ProjectionTables } from './projection-tables.js';

/** The statements of a blue/green rebuild (event-replayer.ts) and of rebuild progress in status. */
export interface RebuildStatements {
  /** $1 projection name: removes every row of a projection (a stale shadow, or the live rows at the switch). */
  readonly clearRows: string;
  /** $1 live name, $2 shadow name: the switch renames the shadow rows in place. */
  readonly renameRows: string;
  /** $1 live, $2 shadow, $3 owner, $4 total events. */
  readonly begin: string;
  /** $1 live. */
  readonly finish: string;
  /** $1 live, $2 owner: only a rebuild's own bookkeeping is removed when it fails. */
  readonly abandon: string;
  readonly inProgress: string;
  /** $1 event types. */
  readonly countEvents: string;
  /** $1 event types, $2/$3 the last checkpoint included. */
  readonly countEventsUntil: string;
}

export function rebuildStatements(tables: ProjectionTables): RebuildStatements {
  return {
    clearRows: `DELETE FROM ${tables.projections} WHERE projection_name = $1`,
    renameRows: `UPDATE ${tables.projections} SET projection_name = $1, updated_at = now() WHERE projection_name = $2`,
    begin: `INSERT INTO ${tables.rebuilds} (projection_name, shadow_name, owner, total_events) VALUES ($1, $2, $3, $4)
ON CONFLICT (projection_name) DO UPDATE SET shadow_name = EXCLUDED.shadow_name, owner = EXCLUDED.owner, started_at = now(), total_events = EXCLUDED.total_events`,
    finish: `DELETE FROM ${tables.rebuilds} WHERE projection_name = $1`,
    abandon: `DELETE FROM ${tables.rebuilds} WHERE projection_name = $1 AND owner = $2`,
    inProgress: `SELECT projection_name, owner, total_events::text AS total_events FROM ${tables.rebuilds}`,
    countEvents: `SELECT count(*)::text AS count FROM ${tables.events} WHERE event_type = ANY($1::text[])`,
    countEventsUntil: `SELECT count(*)::text AS count FROM ${tables.events}
WHERE event_type = ANY($1::text[]) AND (transaction_id, global_position) <= ($2::xid8, $3::bigint)`,
  };
}
