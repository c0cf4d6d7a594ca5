import type { EventEnvelope, Registry } from '../contracts.js';
import type { SqlExecutor } from '../sql-client.js';
import { distinctTypes, feedSql } from '../store/feed-statements.js';
import { prepared } from '../store/statement.js';
import { toEnvelopes, type EnvelopeRow } from '../store/stored-event.js';
import { openRows } from '../store/event-store.js';
import type { PersonalDataVault } from '../personal-data/personal-data-vault.js';
import { nextCheckpoint, type Checkpoint } from './checkpoint.js';
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
 * The gap-safe read of the store (runtime/store/feed-statements.ts: only transactions below
 * pg_snapshot_xmin(pg_current_snapshot()), in (transaction_id, global_position) order, plans pinned
 * to ordered range scans), plus the newest such event of any type in the SAME statement. One
 * statement sees one snapshot (READ COMMITTED takes it per statement, and the STABLE feed functions
 * use it), so "nothing of my types up to the head" is a fact about one moment; two statements
 * could let an event commit in between and be jumped over.
 */
export function feedStatements(tables: ProjectionTables): FeedStatements {
  const sql = feedSql(tables.quotedSchema);
  const withHead = (page: string) => `(SELECT e.*, false AS is_head FROM (${page}) AS e)
UNION ALL
(SELECT h.*, true AS is_head FROM (${sql.head}) AS h)`;
  return { page: withHead(sql.page), pageOfTypes: withHead(sql.pageOfTypes), visibleOfTypes: `SELECT e.*, false AS is_head FROM (${sql.visibleOfTypes}) AS e` };
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
  personalData?: PersonalDataVault,
): Promise<FeedPage> {
  const params: unknown[] = [after.transactionId.toString(), after.position.toString(), limit];
  const sql = ignoreHorizon ? statements.visibleOfTypes : eventTypes === undefined ? statements.page : statements.pageOfTypes;
  if (eventTypes !== undefined || ignoreHorizon) params.push(distinctTypes(eventTypes ?? []));
  const result = await executor.query<FeedRow>(sql, params, prepared(sql));
  const rows: EnvelopeRow[] = [];
  let head: FeedRow | undefined;
  for (const row of result.rows) {
    if (row.is_head) head = row;
    else rows.push(row);
  }
  await openRows(personalData, registry, rows);
  const events = toEnvelopes(registry, rows);
  return { events, ...nextCheckpoint(after, events, limit, head) };
}
