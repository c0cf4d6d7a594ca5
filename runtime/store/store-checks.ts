/**
 * Argument checks of the event store's public methods (see runtime/argument-checks.ts for the
 * limits they enforce). Each returns the value in the shape the statements take, so the store
 * never sends a parameter it did not check.
 */
import type { AggregateSpec, EventDefinition, Registry } from '../contracts.js';
import { assertAggregateId } from '../aggregate-id.js';
import { arrayOf, integerIn, MAX_INT4, optionsObject, plainJsonObject, position, storableDate, storableName, uuid } from '../argument-checks.js';
import { InvalidArgument, UnknownAggregateType, UnknownEventType, type ExpectedVersion } from '../errors.js';
import type { GlobalPosition } from './event-store-contract.js';

/** The registry's own entry (never an inherited one: `__proto__`, `constructor`, …). */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Aggregate types of events, for registries written by hand that list events but not every aggregate. */
const eventAggregates = new WeakMap<Registry['events'], ReadonlySet<string>>();

function declaredByEvents(registry: Registry, type: string): boolean {
  let types = eventAggregates.get(registry.events);
  if (types === undefined) {
    types = new Set(Object.values(registry.events).map((definition) => definition.aggregateType));
    eventAggregates.set(registry.events, types);
  }
  return types.has(type);
}

/**
 * A registered aggregate type and an id that fits it; the aggregate's spec (undefined for a type
 * only its events name). A type nothing in the registry names has no events the store could read.
 */
export function checkStream(registry: Registry, aggregateType: unknown, aggregateId: unknown): AggregateSpec | undefined {
  const type = storableName('aggregateType', aggregateType);
  const spec = own(registry.aggregates, type);
  if (spec === undefined && !declaredByEvents(registry, type)) throw new UnknownAggregateType(type);
  assertAggregateId(type, spec, aggregateId as string);
  return spec;
}

/** A registered event type of `aggregateType`. */
export function checkEventType(registry: Registry, aggregateType: string, type: unknown, argument: string): EventDefinition {
  const name = storableName(argument, type);
  const definition = own(registry.events, name);
  if (definition === undefined) throw new UnknownEventType(name);
  if (definition.aggregateType !== aggregateType) throw new UnknownEventType(name, `belongs to ${definition.aggregateType}, not to ${aggregateType}`);
  return definition;
}

/** A list of registered event types (a filter): an array, each known. */
export function checkEventTypes(registry: Registry, argument: string, value: unknown): string[] {
  const list = arrayOf(argument, value);
  return list.map((type, index) => {
    const name = storableName(`${argument}[${index}]`, type);
    if (own(registry.events, name) === undefined) throw new UnknownEventType(name);
    return name;
  });
}

/** One event to append: an object with a type, and optional occurredAt (a Date) and eventId (a UUID). */
export function checkAppendEvent(
  registry: Registry,
  aggregateType: string,
  event: unknown,
  index: number,
): { readonly definition: EventDefinition; readonly occurredAt: Date | undefined; readonly eventId: string | undefined } {
  const argument = `events[${index}]`;
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidArgument(argument, `must be an event ({ type, data }); got ${event === null ? 'null' : Array.isArray(event) ? 'an array' : typeof event}`);
  }
  const candidate = event as { type?: unknown; occurredAt?: unknown; eventId?: unknown };
  const definition = checkEventType(registry, aggregateType, candidate.type, `${argument}.type`);
  const occurredAt = candidate.occurredAt === undefined ? undefined : storableDate(`${argument}.occurredAt`, candidate.occurredAt);
  const eventId = candidate.eventId === undefined ? undefined : uuid(`${argument}.eventId`, candidate.eventId);
  return { definition, occurredAt, eventId };
}

/** The accepted range of the stream's current version for an expectation. */
export function acceptedRange(expected: unknown): readonly [number, number] {
  if (expected === 'any') return [0, MAX_INT4];
  if (expected === 'no_stream') return [0, 0];
  if (expected === 'stream_exists') return [1, MAX_INT4];
  if (typeof expected !== 'number' || !Number.isInteger(expected) || expected < 0 || expected > MAX_INT4) {
    throw new InvalidArgument(
      'expectedVersion',
      `must be an integer from 0 to ${MAX_INT4}, 'no_stream', 'stream_exists' or 'any'; got ${typeof expected === 'string' ? JSON.stringify(expected) : String(expected)}`,
    );
  }
  return [expected, expected];
}

export interface CheckedAppendOptions {
  readonly expected: ExpectedVersion;
  readonly range: readonly [number, number];
  readonly correlationId: string | null;
  readonly causationId: string | null;
  readonly metadata: Readonly<Record<string, unknown>> | null;
}

export function checkAppendOptions(options: unknown, argument = 'options'): CheckedAppendOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgument(argument, `must be an options object with expectedVersion; got ${options === null ? 'null' : typeof options}`);
  }
  const given = options as { expectedVersion?: unknown; correlationId?: unknown; causationId?: unknown; metadata?: unknown };
  const range = acceptedRange(given.expectedVersion);
  return {
    expected: given.expectedVersion as ExpectedVersion,
    range,
    correlationId: given.correlationId === undefined || given.correlationId === null ? null : uuid('correlationId', given.correlationId),
    causationId: given.causationId === undefined || given.causationId === null ? null : uuid('causationId', given.causationId),
    metadata: given.metadata === undefined || given.metadata === null ? null : plainJsonObject('metadata', given.metadata),
  };
}

/** fromVersion, toVersion and until of a stream read. */
export function checkStreamReadOptions(options: unknown): { readonly from: number; readonly to: number; readonly until: Date | undefined } {
  const given = optionsObject('options', options as object | undefined) as { fromVersion?: unknown; toVersion?: unknown; until?: unknown };
  const from = given.fromVersion === undefined ? 1 : integerIn('options.fromVersion', given.fromVersion, 1);
  const to = given.toVersion === undefined ? MAX_INT4 : integerIn('options.toVersion', given.toVersion, 0);
  const until = given.until === undefined ? undefined : storableDate('options.until', given.until);
  return { from, to, until };
}

/** A readAllAfter checkpoint: null (the beginning) or { transactionId, position } as bigints. */
export function checkCheckpoint(argument: string, value: unknown): GlobalPosition | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgument(argument, `must be null or a checkpoint { transactionId, position } (page.last); got ${typeof value}`);
  }
  const given = value as { transactionId?: unknown; position?: unknown };
  return { transactionId: position(`${argument}.transactionId`, given.transactionId), position: position(`${argument}.position`, given.position) };
}
