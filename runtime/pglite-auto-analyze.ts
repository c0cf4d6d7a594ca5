import type { PGlite } from '@electric-sql/pglite';

/**
 * PGlite runs no autovacuum, so nothing ever gathers planner statistics. The planner then guesses
 * selectivities, and a page of the events table in global order turns from an index range scan
 * into a scan and sort of every row after the checkpoint: reading 150,000 events page by page took
 * 11.6 s instead of 2.8 s, and the gap grows with the square of the table. This is autovacuum's
 * analyze half: after work, at most once per interval, it analyzes every table changed by more
 * than 50 rows + 10% of its size since its last analyze (PostgreSQL's
 * autovacuum_analyze_threshold and autovacuum_analyze_scale_factor).
 */
export interface AutoAnalyze {
  /** Called after each query or transaction outside a transaction: checks when the interval has passed. */
  afterWork(): void;
  /** The check under way, if any (close waits for it). */
  settled(): Promise<void>;
}

const STALE_TABLES = `SELECT format('%I.%I', schemaname, relname) AS name FROM pg_stat_user_tables
WHERE n_mod_since_analyze > 50 + 0.1 * greatest(n_live_tup, 0) ORDER BY 1`;

export function createAutoAnalyze(db: Pick<PGlite, 'query' | 'exec'>, intervalMs = 1000): AutoAnalyze {
  let lastCheck = -Infinity;
  let running: Promise<void> | undefined;

  const check = async () => {
    // Statistics of the last work may still be pending in this backend: flushed at the end of this statement.
    await db.query('SELECT pg_stat_force_next_flush()');
    const { rows } = await db.query<{ name: string }>(STALE_TABLES);
    for (const { name } of rows) await db.exec(`ANALYZE ${name}`);
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
