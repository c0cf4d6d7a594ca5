/**
 * What a published event looks like on the bus, independent of the broker: a subject
 * `<prefix>.<AggregateType>.<EventType>`, the stored JSON payload (at its stored version; consumers
 * upcast it), and headers that let a service use the event without esgen's database.
 */

/** Header names; values are strings. `Nats-Msg-Id` (= event id) is set by the NATS adapter. */
export const EVENT_HEADERS = {
  eventId: 'Esgen-Event-Id',
  eventType: 'Esgen-Event-Type',
  /** The payload's version as stored (the consumer upcasts older versions). */
  eventVersion: 'Esgen-Event-Version',
  aggregateType: 'Esgen-Aggregate-Type',
  aggregateId: 'Esgen-Aggregate-Id',
  /** The event's position in its aggregate's stream, 1-based: consecutive per aggregate. */
  aggregateVersion: 'Esgen-Aggregate-Version',
  globalPosition: 'Esgen-Global-Position',
  /** ISO 8601, UTC. */
  occurredAt: 'Esgen-Occurred-At',
  correlationId: 'Esgen-Correlation-Id',
  causationId: 'Esgen-Causation-Id',
} as const;

/** A stored event, raw: the payload exactly as stored, not upcast. */
export interface StoredEventRow {
  readonly eventId: string;
  readonly eventType: string;
  readonly eventVersion: number;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly version: number;
  readonly position: bigint;
  readonly transactionId: bigint;
  readonly occurredAt: Date;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  /** The stored JSON text of the payload. */
  readonly payload: string;
}

export interface OutgoingMessage {
  readonly subject: string;
  /** The broker's deduplication key: the event id. */
  readonly messageId: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: string;
  readonly event: StoredEventRow;
}

/** A NATS subject token must not be empty nor hold '.', '*', '>' or whitespace. */
const TOKEN = /^[^.*>\s]+$/;

/** The subject of an event: `<prefix>.<AggregateType>.<EventType>`. */
export function eventSubject(prefix: string, aggregateType: string, eventType: string): string {
  return `${prefix}.${aggregateType}.${eventType}`;
}

export function isSubjectToken(token: string): boolean {
  return TOKEN.test(token);
}

export function isSubjectPrefix(prefix: string): boolean {
  return prefix.split('.').every(isSubjectToken);
}

export function toOutgoingMessage(prefix: string, event: StoredEventRow): OutgoingMessage {
  const headers: Record<string, string> = {
    [EVENT_HEADERS.eventId]: event.eventId,
    [EVENT_HEADERS.eventType]: event.eventType,
    [EVENT_HEADERS.eventVersion]: String(event.eventVersion),
    [EVENT_HEADERS.aggregateType]: event.aggregateType,
    [EVENT_HEADERS.aggregateId]: event.aggregateId,
    [EVENT_HEADERS.aggregateVersion]: String(event.version),
    [EVENT_HEADERS.globalPosition]: event.position.toString(),
    [EVENT_HEADERS.occurredAt]: event.occurredAt.toISOString(),
  };
  if (event.correlationId !== null) headers[EVENT_HEADERS.correlationId] = event.correlationId;
  if (event.causationId !== null) headers[EVENT_HEADERS.causationId] = event.causationId;
  return {
    subject: eventSubject(prefix, event.aggregateType, event.eventType),
    messageId: event.eventId,
    headers,
    payload: event.payload,
    event,
  };
}
