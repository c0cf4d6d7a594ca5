import type { SqlExecutor } from '../sql-client.js';
import type { Registry } from '../contracts.js';
import { redactSealed } from '../personal-data/personal-data-vault.js';
import { distinctTypes } from '../store/feed-statements.js';
import { bigintOf, type EnvelopeRow } from '../store/stored-event.js';
import { nextCheckpoint, type Checkpoint } from '../projections/checkpoint.js';
import type { FeedStatements } from '../projections/event-feed.js';
import type { StoredEventRow } from './published-message.js';

export interface RawFeedPage {
  readonly events: StoredEventRow[];
  /** As FeedPage.next (runtime/projections/event-feed.ts): where to checkpoint after these events. */
  readonly next: Checkpoint;
  readonly caughtUp: boolean;
}

interface FeedRow extends EnvelopeRow {
  is_head: boolean;
}

/**
 * The projections' gap-safe page (same statements, same single-snapshot head), with the payloads
 * as stored: a publisher forwards what was written, at its stored version, and leaves upcasting
 * to consumers, who may run newer code than the publisher.
 */
export async function readRawFeedPage(
  executor: SqlExecutor,
  statements: FeedStatements,
  after: Checkpoint,
  limit: number,
  eventTypes: readonly string[] | undefined,
  registry?: Registry,
): Promise<RawFeedPage> {
  const params: unknown[] = [after.transactionId.toString(), after.position.toString(), limit];
  if (eventTypes !== undefined) params.push(distinctTypes(eventTypes));
  const result = await executor.query<FeedRow>(eventTypes === undefined ? statements.page : statements.pageOfTypes, params);
  const events: StoredEventRow[] = [];
  let head: FeedRow | undefined;
  for (const row of result.rows) {
    if (row.is_head) {
      head = row;
      continue;
    }
    events.push({
      eventId: row.event_id,
      eventType: row.event_type,
      eventVersion: row.event_version,
      aggregateType: row.aggregate_type,
      aggregateId: row.aggregate_id,
      version: row.version,
      position: bigintOf(row.position),
      transactionId: bigintOf(row.transaction_id),
      occurredAt: row.occurred_at,
      correlationId: row.correlation_id,
      causationId: row.causation_id,
      // Personal values are published redacted: consumers are out of reach of forgetting.
      payload: JSON.stringify(row.pii_subject && registry !== undefined ? redactSealed(registry, row.event_type, row.event_version, row.event_data) : row.event_data),
    });
  }
  return { events, ...nextCheckpoint(after, events, limit, head) };
}
