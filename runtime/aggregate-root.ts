import { randomUUID } from 'node:crypto';
import type { AggregateRootLike, DomainEvent, EventContext, PendingEvent } from './contracts.js';

/** Options of raising an event. */
export interface RaiseOptions {
  /** When the event happened (default: now), for events recorded after the fact. */
  readonly occurredAt?: Date;
}

/**
 * Base of every event-sourced aggregate. The generated `<Aggregate>Base` class extends it with
 * typed state, one typed `raise` per event and the apply dispatcher; the user's class extends that.
 *
 * State changes only through events: `raise` applies an event at once and queues it for the next
 * save; `replay` applies a stored event while loading.
 */
export abstract class AggregateRoot<TEvent extends DomainEvent = DomainEvent> implements AggregateRootLike {
  abstract readonly aggregateType: string;

  #persistedVersion = 0;
  #pending: PendingEvent[] = [];

  constructor(readonly id: string) {}

  /** Version including uncommitted events. */
  get version(): number {
    return this.#persistedVersion + this.#pending.length;
  }

  /** Version as last loaded or saved. */
  get persistedVersion(): number {
    return this.#persistedVersion;
  }

  uncommittedEvents(): readonly PendingEvent[] {
    return this.#pending;
  }

  /** Called by the repository once the pending events are stored. */
  markCommitted(): void {
    this.#persistedVersion += this.#pending.length;
    this.#pending = [];
  }

  /** Applies a stored event while loading (no queueing). */
  replay(event: DomainEvent, context: EventContext): void {
    this.applyEvent(event as TEvent, context);
    this.#persistedVersion = context.version;
  }

  /** Restores state from a snapshot taken at `version`. */
  restoreSnapshot(state: unknown, version: number): void {
    this.restoreState(state);
    this.#persistedVersion = version;
    this.#pending = [];
  }

  /**
   * Applies a new event to the state and queues it for the next save. The event id is created
   * here and stored as the event's `event_id`, so an `apply` rule reading `$eventId` gives the
   * same state now and after a reload. Correlation, causation and metadata are given at save
   * time, so they are not known yet (null and empty): state must not depend on them.
   */
  protected raiseEvent(event: TEvent, options: RaiseOptions = {}): void {
    const occurredAt = options.occurredAt ?? new Date();
    const eventId = randomUUID();
    const context: EventContext = {
      eventId,
      aggregateType: this.aggregateType,
      aggregateId: this.id,
      version: this.version + 1,
      occurredAt,
      correlationId: null,
      causationId: null,
      metadata: {},
    };
    this.applyEvent(event, context);
    this.#pending.push({ event, occurredAt, eventId });
  }

  /** The generated exhaustive dispatcher. */
  protected abstract applyEvent(event: TEvent, context: EventContext): void;

  /** JSON-serialisable copy of the state, for snapshots. */
  abstract snapshotState(): unknown;

  /** Inverse of snapshotState. */
  protected abstract restoreState(state: unknown): void;
}
