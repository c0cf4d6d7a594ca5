import type { Migration } from './migration.js';

/**
 * The index budget of `events` and feed reads whose plan does not depend on planner statistics.
 * Released: never edit this file, add a migration instead (test/runtime/migrations.pg.test.ts pins
 * its checksum).
 *
 * Every index of `events` serves a documented read (docs/performance.md has the table):
 * - events_pkey (event_id): event ids are unique (imports are idempotent per id, consumers dedupe).
 * - events_stream_version_unique (aggregate_type, aggregate_id, version): optimistic concurrency,
 *   the append's current-version guard (max(version) is one descent), stream reads, time travel.
 * - idx_events_global_order (transaction_id, global_position): the gap-safe global feed.
 * - idx_events_type_order (event_type, transaction_id, global_position), replacing the plain
 *   event_type index: one ordered range per type, so a typed feed merges its types' ranges
 *   instead of fetching and sorting every matching row for each page; getEventsByType, rebuild
 *   counts.
 * - idx_events_occurred_brin (occurred_at), replacing the btree: getEventsByTimeRange. Business
 *   time follows insertion order closely (appends are dated now, imports in history order), which
 *   is what a BRIN summarises well, at almost no cost per insert. autosummarize summarises each
 *   block range as it fills where autovacuum runs.
 *
 * esgen_feed_page / esgen_feed_head: the feed's page and its newest visible event, with the
 * plan pinned. Right after a bulk write nothing has analyzed the table (autovacuum may be off, or
 * not there yet: PGlite has none), the planner then believes a page matches a handful of rows
 * and picks a bitmap scan that fetches and sorts every remaining matching row for each page (210
 * ms per page at 300,000 events instead of 1 ms). A function's SET clauses apply while it plans its
 * queries: without bitmap scans and sorts, the only plans left are the ordered range scans. JIT
 * is off because the disabled paths' cost penalty would otherwise trigger JIT compilation (0.4 s).
 * A typed page first walks the global order for at most two pages' worth of events, keeping its
 * types (types that are most of the events: one range scan); when that did not fill the page, it
 * merges one ordered range per type after what it walked (rare types: LATERAL … LIMIT per type).
 * Either way a page's work is bounded by its size and the number of its types, never by the table.
 */
export const eventsIndexBudgetMigration: Migration = {
  version: 3,
  name: 'events-index-budget',
  statements: [
    `DROP INDEX {{schema}}.idx_events_type`,
    `CREATE INDEX idx_events_type_order ON {{schema}}.events (event_type, transaction_id, global_position)`,
    `DROP INDEX {{schema}}.idx_events_occurred`,
    `CREATE INDEX idx_events_occurred_brin ON {{schema}}.events USING brin (occurred_at) WITH (autosummarize = on)`,
    `CREATE FUNCTION {{schema}}.esgen_feed_page(after_tx xid8, after_position bigint, page_size integer, of_types text[], below_horizon boolean)
RETURNS SETOF {{schema}}.events
LANGUAGE plpgsql STABLE
SET enable_bitmapscan = off SET enable_sort = off SET jit = off
AS $$
DECLARE
  -- Every transaction still running has an id >= this horizon: rows below it can no longer be
  -- joined by a row that sorts before them. No horizon only under a lock that keeps writers out
  -- (a rebuild's switch).
  horizon xid8 := CASE WHEN below_horizon THEN pg_snapshot_xmin(pg_current_snapshot()) ELSE '18446744073709551615'::xid8 END;
  scan_budget integer := 2 * page_size;
  scanned integer := 0;
  found integer := 0;
  last_tx xid8 := after_tx;
  last_position bigint := after_position;
  e {{schema}}.events;
BEGIN
  IF of_types IS NULL THEN
    RETURN QUERY
      SELECT * FROM {{schema}}.events AS ev
      WHERE (ev.transaction_id, ev.global_position) > (after_tx, after_position) AND ev.transaction_id < horizon
      ORDER BY ev.transaction_id, ev.global_position
      LIMIT page_size;
    RETURN;
  END IF;
  -- Dense types: walk the global order, keeping the page's types, for at most 2 pages of events.
  FOR e IN
    SELECT * FROM {{schema}}.events AS ev
    WHERE (ev.transaction_id, ev.global_position) > (after_tx, after_position) AND ev.transaction_id < horizon
    ORDER BY ev.transaction_id, ev.global_position
  LOOP
    scanned := scanned + 1;
    last_tx := e.transaction_id;
    last_position := e.global_position;
    IF e.event_type = ANY (of_types) THEN
      RETURN NEXT e;
      found := found + 1;
      EXIT WHEN found >= page_size;
    END IF;
    EXIT WHEN scanned >= scan_budget;
  END LOOP;
  IF found >= page_size OR scanned < scan_budget THEN
    RETURN;
  END IF;
  -- Sparse types: merge one ordered range per type after what was walked.
  RETURN QUERY
    SELECT x.* FROM unnest(of_types) AS t(event_type)
    CROSS JOIN LATERAL (
      SELECT * FROM {{schema}}.events AS ev
      WHERE ev.event_type = t.event_type
        AND (ev.transaction_id, ev.global_position) > (last_tx, last_position) AND ev.transaction_id < horizon
      ORDER BY ev.event_type, ev.transaction_id, ev.global_position
      LIMIT page_size - found
    ) AS x
    ORDER BY x.transaction_id, x.global_position
    LIMIT page_size - found;
END
$$`,
    `CREATE FUNCTION {{schema}}.esgen_feed_head(after_tx xid8, after_position bigint)
RETURNS SETOF {{schema}}.events
LANGUAGE sql STABLE
SET enable_bitmapscan = off SET enable_sort = off SET jit = off
AS $$
  SELECT e.* FROM {{schema}}.events AS e
  WHERE (e.transaction_id, e.global_position) > (after_tx, after_position)
    AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY e.transaction_id DESC, e.global_position DESC
  LIMIT 1
$$`,
  ],
};
