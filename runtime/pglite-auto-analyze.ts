import type { PGlite } from '@electric-sql/pglite';

/**
 * PGlite runs no autovacuum, so nothing gathers planner statistics. Without them the planner
 * guesses selectivities, and a page of the events table in global order turns from an index range
 * scan into a scan and sort of every row after the checkpoint: reading 150,000 events page by page
 * took 11.6 s instead of 2.8 s, and the gap grows with the square of the table.
 *
 * This is autovacuum's analyze, for esgen's events tables: after work, at most once per interval,
 * each events table changed by more than 50 rows + 10% of its size since its last analyze
 * (PostgreSQL's autovacuum_analyze_threshold and autovacuum_analyze_scale_factor) is analyzed on
 * the columns esgen's reads filter and order by. The JSON columns are left out: they are never
 * compared, and their statistics cost three quarters of a full analyze (200 ms at 100,000 rows).
 * Other tables are left alone: their esgen queries use their indexes without statistics, and
 * analyzing them would hold up PGlite's one connection during projection catch-up.
 */
export interface AutoAnalyze {
  /** Called after each query or transaction outside a transaction: checks when the interval has passed. */
  afterWork(): void;
  /** The check under way, if any (close waits for it). */
  settled(): Promise<void>;
}

/** esgen's events tables (any schema), with their changes so far (inserts, updates, deletes) and live rows. */
const EVENTS_TABLES = `SELECT format('%I.%I', s.schemaname, s.relname) AS name,
       (s.n_tup_ins + s.n_tup_upd + s.n_tup_del)::float8 AS changes, greatest(s.n_live_tup, 0)::float8 AS live
FROM pg_stat_user_tables s
WHERE s.relname = 'events'
  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = s.relid AND a.attname = 'global_position' AND NOT a.attisdropped)
ORDER BY 1`;

const ANALYZED_COLUMNS = '(aggregate_type, aggregate_id, version, event_type, occurred_at, transaction_id, global_position)';

export function createAutoAnalyze(db: Pick<PGlite, 'query' | 'exec'>, intervalMs = 1000): AutoAnalyze {
  let lastCheck = -Infinity;
  let running: Promise<void> | undefined;

  // Changes counted at each table's last analyze here. PostgreSQL's own counter
  // (n_mod_since_analyze) is reset only by an analyze of every column.
  const changesAtAnalyze = new Map<string, number>();

  const check = async () => {
    // Statistics of the last work may still be pending in this backend: flushed at the end of this statement.
    await db.query('SELECT pg_stat_force_next_flush()');
    const { rows } = await db.query<{ name: string; changes: number; live: number }>(EVENTS_TABLES);
    for (const { name, changes, live } of rows) {
      if (changes - (changesAtAnalyze.get(name) ?? 0) <= 50 + 0.1 * live) continue;
      await db.exec(`ANALYZE ${name} ${ANALYZED_COLUMNS}`);
      changesAtAnalyze.set(name, changes);
    }
  };

  return {
    afterWork() {
      const now = performance.now();
      if (running !== undefined || now - lastCheck < intervalMs) return;
      lastCheck = now;
      // Best effort, like autovacuum: a failed analyze (a table dropped meanwhile) is retried at the next check.
      running = check()
        .catch(() => undefined)
        .finally(() => (running = undefined));
    },
    settled: () => running ?? Promise.resolve(),
  };
}
