import { ENVELOPE_COLUMNS } from './read-statements.js';

/**
 * The gap-safe global feed (readAllAfter, projection catch-up, subscriptions, rebuilds) reads
 * through esgen_feed_page and esgen_feed_head (migration 3), whose plans are pinned to ordered
 * range scans: a page costs the same whether or not the table has planner statistics.
 *
 * Parameters: $1 transaction id and $2 position of the checkpoint (exclusive), $3 page size, and
 * for a typed page $4 the event types (distinct: see distinctTypes).
 */
export interface FeedSql {
  /** One page in global order, below the gap-safety horizon. */
  readonly page: string;
  readonly pageOfTypes: string;
  /** A typed page WITHOUT the horizon: only under a lock that keeps writers out (a rebuild's switch). */
  readonly visibleOfTypes: string;
  /** The newest event below the horizon after the checkpoint ($1, $2). */
  readonly head: string;
}

export function feedSql(quotedSchema: string): FeedSql {
  // The function returns its rows in global order; ORDER BY its ordinality keeps that order
  // guaranteed at no cost (a function scan WITH ORDINALITY is known to be sorted by it: no Sort).
  const page = (types: string, belowHorizon: boolean) =>
    `SELECT ${ENVELOPE_COLUMNS} FROM ${quotedSchema}.esgen_feed_page($1::xid8, $2::bigint, $3::int, ${types}, ${belowHorizon}) WITH ORDINALITY AS e
ORDER BY e.ordinality`;
  return {
    page: page('NULL', true),
    pageOfTypes: page('$4::text[]', true),
    visibleOfTypes: page('$4::text[]', false),
    head: `SELECT ${ENVELOPE_COLUMNS} FROM ${quotedSchema}.esgen_feed_head($1::xid8, $2::bigint) AS e`,
  };
}

/** A type list without repeats (a repeated type would return its events twice). */
export function distinctTypes(types: readonly string[]): string[] {
  return [...new Set(types)];
}
