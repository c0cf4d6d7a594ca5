import type { DomainEvent, EventContext, EventDefinition, EventEnvelope, EventMetadata, Registry } from '../contracts.js';
import { UnknownEventType } from '../errors.js';

/** A row of ENVELOPE_COLUMNS as both drivers return it (int8/xid8 cast to text in SQL). */
export interface EnvelopeRow extends ReplayRow {
  aggregate_type: string;
  aggregate_id: string;
  position: string;
  transaction_id: string;
}

/** A row of REPLAY_COLUMNS. JSONB arrives parsed and timestamptz as a Date on both drivers. */
export interface ReplayRow {
  event_id: string;
  version: number;
  event_type: string;
  event_version: number;
  event_data: unknown;
  metadata: EventMetadata | null;
  occurred_at: Date;
  correlation_id: string | null;
  causation_id: string | null;
  /** The data subject whose key sealed the personal values (migration 5); null or absent without. */
  pii_subject?: string | null;
  /** A sealed payload as JSON text (SEALED_REPLAY_COLUMNS): the vault opens it into event_data. */
  sealed_data?: string | null;
}

/** A stored event ready to replay: it is both the DomainEvent and its EventContext. */
export interface ReplayEvent extends DomainEvent, EventContext {
  readonly storedVersion: number;
}

export const EMPTY_METADATA: EventMetadata = Object.freeze({});

/**
 * Exact bigint of a 64-bit value read as text. BigInt(number) is several times faster than
 * BigInt(string), and every position below 2^53 converts exactly through a number.
 */
export function bigintOf(text: string): bigint {
  const value = +text;
  return Number.isSafeInteger(value) ? BigInt(value) : BigInt(text);
}

function definitionOf(registry: Registry, eventType: string): EventDefinition {
  const definition = registry.events[eventType];
  if (definition === undefined) throw new UnknownEventType(eventType);
  return definition;
}

/** The payload at the current version: stored payloads of older versions go through the upcaster. */
function currentData(definition: EventDefinition, row: ReplayRow): unknown {
  return row.event_version === definition.version ? row.event_data : definition.upcast(row.event_version, row.event_data);
}

export function toEnvelope(registry: Registry, row: EnvelopeRow): EventEnvelope {
  const definition = definitionOf(registry, row.event_type);
  return {
    type: row.event_type,
    data: currentData(definition, row),
    storedVersion: row.event_version,
    eventId: row.event_id,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    version: row.version,
    occurredAt: row.occurred_at,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    metadata: row.metadata ?? EMPTY_METADATA,
    position: bigintOf(row.position),
    transactionId: bigintOf(row.transaction_id),
  };
}

export function toEnvelopes(registry: Registry, rows: readonly EnvelopeRow[]): EventEnvelope[] {
  const envelopes = new Array<EventEnvelope>(rows.length);
  for (let i = 0; i < rows.length; i++) envelopes[i] = toEnvelope(registry, rows[i]!);
  return envelopes;
}

export function toReplayEvent(registry: Registry, aggregateType: string, aggregateId: string, row: ReplayRow): ReplayEvent {
  const definition = definitionOf(registry, row.event_type);
  return {
    type: row.event_type,
    data: currentData(definition, row),
    storedVersion: row.event_version,
    eventId: row.event_id,
    aggregateType,
    aggregateId,
    version: row.version,
    occurredAt: row.occurred_at,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    metadata: row.metadata ?? EMPTY_METADATA,
  };
}
