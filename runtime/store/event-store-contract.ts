/**
 * The seam between the event store and what runs on it: the repository depends on `EventStore`,
 * not on PostgreSQL, so a unit test can hand it an in-memory double (see docs/runtime.md).
 * `PostgresEventStore` (event-store.ts) is the implementation over a server or PGlite.
 */
import type { EventEnvelope, EventMetadata, Registry } from '../contracts.js';
import type { ExpectedVersion } from '../errors.js';
import type { ReplayEvent } from './stored-event.js';

/** An event to append: a payload at its event's current version. */
export interface AppendEvent {
  readonly type: string;
  readonly data: unknown;
  /** Business time; defaults to now. */
  readonly occurredAt?: Date;
  /** The event's id (a UUID), when the caller created it already (an aggregate does when it raises); default a new one. */
  readonly eventId?: string;
}

export interface AppendOptions {
  /**
   * The stream version the caller based its decision on: a number (exact; 0 = the stream must not
   * exist yet), 'no_stream', 'stream_exists', or 'any' (no check, appended after whatever is there).
   */
  readonly expectedVersion: ExpectedVersion;
  readonly correlationId?: string | null;
  readonly causationId?: string | null;
  /** Free-form JSON metadata stored with every event of this append. */
  readonly metadata?: EventMetadata;
}

export interface StreamAppend extends AppendOptions {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly events: readonly AppendEvent[];
}

export interface AppendResult {
  /** The stream's version after the append (the last appended event's version). */
  readonly nextVersion: number;
  /** The appended events as readers will see them, with their global positions. */
  readonly envelopes: readonly EventEnvelope[];
}

/** A checkpoint in global order: the pair readAllAfter orders and compares by. */
export interface GlobalPosition {
  readonly transactionId: bigint;
  readonly position: bigint;
}

export interface ReadAllOptions {
  /** Page size; default 1000. */
  readonly limit?: number;
  /**
   * Only these event types. `last` is the last event returned: with a selective filter a page can
   * be empty while other events exist, and the checkpoint then stays where it was.
   */
  readonly eventTypes?: readonly string[];
}

export interface ReadAllPage {
  readonly events: EventEnvelope[];
  /** Checkpoint to pass to the next call: the last event read, or `after` when the page is empty. */
  readonly last: GlobalPosition | null;
}

export interface StreamReadOptions {
  /** First version to return (inclusive); default 1. */
  readonly fromVersion?: number;
  /** Last version to return (inclusive); default the end of the stream. */
  readonly toVersion?: number;
  /** Stop before the first event that occurred after this instant. */
  readonly until?: Date;
}

export interface LimitOptions {
  /** Default 10,000. */
  readonly limit?: number;
}

export interface EventsByTypeOptions extends LimitOptions {
  /** Only events with a global position above this one (paging). */
  readonly afterPosition?: bigint;
}

export interface StoredSnapshot {
  readonly version: number;
  readonly state: unknown;
}

/**
 * What an event store does. Implementations validate their arguments like PostgresEventStore
 * (typed EsgenErrors, nothing written) and keep its guarantees: an append is all or nothing, a
 * stale `expectedVersion` is a ConcurrencyError (ESG201), versions have no gaps.
 */
export interface EventStore {
  /** The generated registry: event definitions (validators, upcasters) and aggregate specs. */
  readonly registry: Registry;
  /** Appends events to one stream, all or nothing; ConcurrencyError when the stream is not at `expectedVersion`. */
  appendToStream(aggregateType: string, aggregateId: string, events: readonly AppendEvent[], options: AppendOptions): Promise<AppendResult>;
  /** Appends to several streams in one transaction: all or nothing. */
  appendMany(streams: readonly StreamAppend[]): Promise<AppendResult[]>;
  /** The stream's current version (0 when it does not exist). */
  streamVersion(aggregateType: string, aggregateId: string): Promise<number>;
  /** An aggregate's events in version order, upcast to their current payload versions. */
  getEventsByAggregate(aggregateType: string, aggregateId: string, options?: StreamReadOptions): Promise<EventEnvelope[]>;
  /** Events whose occurredAt lies in [from, to], in time order. */
  getEventsByTimeRange(from: Date, to: Date, options?: LimitOptions): Promise<EventEnvelope[]>;
  /** Events of the given types in global order. */
  getEventsByType(types: string | readonly string[], options?: EventsByTypeOptions): Promise<EventEnvelope[]>;
  /** The stored event with this id, or undefined: how a CommitOutcomeUnknown is settled (event ids are client-generated). */
  findEvent(eventId: string): Promise<EventEnvelope | undefined>;
  /** One page of every event after a checkpoint, in global order (gap-safe). */
  readAllAfter(after: GlobalPosition | null, options?: ReadAllOptions): Promise<ReadAllPage>;
  /** Stream events shaped for AggregateRoot.replay (the repository loads through this). */
  readStreamForReplay(aggregateType: string, aggregateId: string, options?: StreamReadOptions): Promise<ReplayEvent[]>;
  /** The stored snapshot when its fingerprint matches and it is not past `maxVersion`. */
  readSnapshot(aggregateType: string, aggregateId: string, fingerprint: string, maxVersion?: number): Promise<StoredSnapshot | undefined>;
  writeSnapshot(aggregateType: string, aggregateId: string, version: number, state: unknown, fingerprint: string): Promise<void>;
}
