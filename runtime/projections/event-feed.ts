import type { EventEnvelope, Registry } from '../contracts.js';
import type { SqlExecutor } from '../sql-client.js';
import { ENVELOPE_COLUMNS } from '../store/read-statements.js';
import { toEnvelopes, type EnvelopeRow } from '../store/stored-event.js';
import { checkpointFromText, type Checkpoint } from './checkpoint.js';
import type { ProjectionTables } from './projection-tables.js';

export interface FeedPage {
  readonly events: EventEnvelope[];
  /**
   * Where the reader may checkpoint after processing `events`: the last event when the page is
   * full; when it is short, the newest event visible below the horizon of any type, so a reader
   * filtering on event types still advances past events it does not care about.
   */
  readonly next: Checkpoint;
  /** True when the page was short: nothing more is readable right now. */
  readonly caughtUp: boolean;
}

export interface FeedStatements {
  readonly page: string;
  readonly pageOfTypes: string;
  /**
   * Every committed event of $4 types after the checkpoint, WITHOUT the horizon. Only correct
   * while no writer of those types can commit (a rebuild switch of an inline projection holds
   * the lock every inline append takes), see event-replayer.ts.
   */
  readonly visibleOfTypes: string;
}

/**
 * The gap-safe read of the store (runtime/store/read-statements.ts: only transactions below
 * pg_snapshot_xmin(pg_current_snapshot()), in (transaction_id, global_position) order through
 * idx_events_global_order), plus the newest such event of any type in the SAME statement. One
 * statement sees one snapshot (READ COMMITTED takes it per statement), so "nothing of my types up
 * to the head" is a fact about one moment; two statements could let an event commit in between
 * and be jumped over.
 */
export function feedStatements(tables: ProjectionTables): FeedStatements {
  const horizon = 'transaction_id < pg_snapshot_xmin(pg_current_snapshot())';
  // ORDER BY names the table's columns through the alias `e`: unqualified, `transaction_id` would
  // mean the output column of ENVELOPE_COLUMNS (`transaction_id::text AS transaction_id`), a text
  // sort ('100' < '99') that both breaks global order and keeps the index from being used.
  const head = `(SELECT ${ENVELOPE_COLUMNS}, true AS is_head FROM ${tables.events} AS e
  WHERE ${horizon} AND (transaction_id, global_position) > ($1::xid8, $2::bigint)
  ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 1)`;
  const page = (filter: string) => `(SELECT ${ENVELOPE_COLUMNS}, false AS is_head FROM ${tables.events} AS e
  WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) AND ${horizon}${filter}
  ORDER BY e.transaction_id, e.global_position LIMIT $3)
UNION ALL
${head}`;
  const visibleOfTypes = `SELECT ${ENVELOPE_COLUMNS}, false AS is_head FROM ${tables.events} AS e
  WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) AND event_type = ANY($4::text[])
  ORDER BY e.transaction_id, e.global_position LIMIT $3`;
  return { page: page(''), pageOfTypes: page(' AND event_type = ANY($4::text[])'), visibleOfTypes };
}

interface FeedRow extends EnvelopeRow {
  is_head: boolean;
}

/** Reads up to `limit` events after `after`, of `eventTypes` when given, in global order. */
export async function readFeedPage(
  executor: SqlExecutor,
  statements: FeedStatements,
  registry: Registry,
  after: Checkpoint,
  limit: number,
  eventTypes: readonly string[] | undefined,
  ignoreHorizon = false,
): Promise<FeedPage> {
  const params: unknown[] = [after.transactionId.toString(), after.position.toString(), limit];
  const sql = ignoreHorizon ? statements.visibleOfTypes : eventTypes === undefined ? statements.page : statements.pageOfTypes;
  if (eventTypes !== undefined || ignoreHorizon) params.push(eventTypes ?? []);
  const result = await executor.query<FeedRow>(sql, params);
  const rows: EnvelopeRow[] = [];
  let head: FeedRow | undefined;
  for (const row of result.rows) {
    if (row.is_head) head = row;
    else rows.push(row);
  }
  const events = toEnvelopes(registry, rows);
  const caughtUp = events.length < limit;
  const last = events[events.length - 1];
  let next: Checkpoint = after;
  if (!caughtUp && last !== undefined) next = { transactionId: last.transactionId, position: last.position };
  else if (head !== undefined) next = checkpointFromText(head.transaction_id, head.position);
  else if (last !== undefined) next = { transactionId: last.transactionId, position: last.position };
  return { events, next, caughtUp };
}
