import type { EventDefinition, Registry } from '../contracts.js';
import { InvalidPublishedEvent } from '../publish/publish-errors.js';
import { EVENT_HEADERS } from '../publish/published-message.js';

/** An event received from the bus: validated, upcast to the current version, with its context. */
export interface PublishedEvent<TType extends string = string, TData = unknown> {
  readonly type: TType;
  readonly data: TData;
  /** The payload version as stored (and published), before upcasting. */
  readonly storedVersion: number;
  readonly eventId: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** Position in its aggregate's stream, 1-based. */
  readonly version: number;
  /** Global position in the publishing store. */
  readonly position: bigint;
  readonly occurredAt: Date;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  readonly subject: string;
}

/** What decodeEvent needs of a message: any broker's message fits. */
export interface IncomingMessage {
  readonly subject: string;
  /** Header value by name (first value), undefined when absent. */
  header(name: string): string | undefined;
  /** The payload as text (UTF-8). */
  text(): string;
}

/** Only the events part of the generated registry: a consumer needs no aggregates nor database. */
export type EventCatalog = Pick<Registry, 'events'>;

/**
 * Turns a published message into a typed event: reads the headers, parses the payload, validates
 * it with the generated validator of its stored version, upcasts it to the current version and
 * validates the result. Throws InvalidPublishedEvent (ESG234) saying what is wrong.
 */
export function decodeEvent(catalog: EventCatalog, message: IncomingMessage): PublishedEvent {
  const eventIdHeader = message.header(EVENT_HEADERS.eventId);
  const fail = (reason: string): never => {
    throw new InvalidPublishedEvent(message.subject, eventIdHeader, reason);
  };
  const required = (name: string): string => message.header(name) ?? fail(`the header ${name} is missing (was it published by esgen?)`);
  const integer = (name: string): number => {
    const text = required(name);
    if (!/^\d+$/.test(text) || Number(text) < 1) fail(`the header ${name} must be a positive integer, got ${JSON.stringify(text)}`);
    return Number(text);
  };
  const eventId = required(EVENT_HEADERS.eventId);
  const type = required(EVENT_HEADERS.eventType);
  const definition: EventDefinition | undefined = Object.prototype.hasOwnProperty.call(catalog.events, type) ? catalog.events[type] : undefined;
  if (definition === undefined) fail(`the event type ${type} is not in this service's registry (regenerate its code from the publisher's spec)`);
  const storedVersion = integer(EVENT_HEADERS.eventVersion);
  if (storedVersion > definition!.version)
    fail(`${type} version ${storedVersion} is newer than this service knows (version ${definition!.version}): regenerate its code`);
  const position = required(EVENT_HEADERS.globalPosition);
  if (!/^\d+$/.test(position)) fail(`the header ${EVENT_HEADERS.globalPosition} must be a whole number, got ${JSON.stringify(position)}`);
  const occurredAt = new Date(required(EVENT_HEADERS.occurredAt));
  if (Number.isNaN(occurredAt.getTime())) fail(`the header ${EVENT_HEADERS.occurredAt} is not a date`);
  let stored: unknown;
  try {
    stored = JSON.parse(message.text());
  } catch (error) {
    fail(`the payload is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const checked = definition!.validate(storedVersion, stored);
  if (!checked.ok) fail(`${type} version ${storedVersion} payload is invalid: ${issues(checked.errors)}`);
  const data = storedVersion === definition!.version ? stored : definition!.upcast(storedVersion, stored);
  if (storedVersion !== definition!.version) {
    const upcast = definition!.validate(definition!.version, data);
    if (!upcast.ok) fail(`${type} upcast from version ${storedVersion} to ${definition!.version} is invalid: ${issues(upcast.errors)}`);
  }
  return {
    type,
    data,
    storedVersion,
    eventId,
    aggregateType: required(EVENT_HEADERS.aggregateType),
    aggregateId: required(EVENT_HEADERS.aggregateId),
    version: integer(EVENT_HEADERS.aggregateVersion),
    position: BigInt(position),
    occurredAt,
    correlationId: message.header(EVENT_HEADERS.correlationId) ?? null,
    causationId: message.header(EVENT_HEADERS.causationId) ?? null,
    subject: message.subject,
  };
}

function issues(errors: readonly { path: string; message: string }[]): string {
  return errors.map((issue) => `${issue.path === '' ? '(payload)' : issue.path} ${issue.message}`).join('; ');
}
