/**
 * The runtime half of every generated `<Aggregate>Base` class: state with its initial value,
 * `patchState`, one typed `raise(type, data)`, snapshots, and the dispatch of each event to its
 * applier. The generated class declares only what is specific to the spec: the initial state and
 * one applier per event, in a map typed over every event of the aggregate, so a missing or
 * misspelled event is a compile error whatever the number of events (one, none, or many).
 */
import { AggregateRoot, type RaiseOptions } from '../aggregate-root.js';
import type { AggregateSpec, DomainEvent, EventContext } from '../contracts.js';

/** The current payload of every event of an aggregate, by event type (generated as `OrderEvents`). */
export type EventOf<TEvents> = { [K in keyof TEvents & string]: DomainEvent<K, TEvents[K]> }[keyof TEvents & string];

/**
 * Fields to change: a field set to undefined is removed (optional fields are absent when unset,
 * never `undefined`, so the state in memory is the state JSON stores and a reload gives).
 */
export type Patch<T> = { readonly [K in keyof T]?: T[K] | undefined };

/** `{ ...base, ...changes }` without the fields `changes` sets to undefined. */
export function patched<T extends object>(base: T, changes: Patch<T>): T {
  const next: Record<string, unknown> = { ...base, ...changes };
  for (const key of Object.keys(changes)) if (next[key] === undefined) delete next[key];
  return next as T;
}

/**
 * How each event changes the state: the fields it sets, or nothing when a handler (`on<Event>`,
 * written by the user) changed the state itself with `patchState`. `state` is the state before
 * the event, for rules that change a field by a value (`add`, one map entry).
 */
export type Appliers<TEvents, TState> = {
  readonly [K in keyof TEvents & string]: (data: TEvents[K], context: EventContext, state: Readonly<TState>) => Patch<TState> | void;
};

/** A class the runtime can build aggregates from: the user's class, through its generated base. */
export interface AggregateClass<TAggregate> {
  new (id: string): TAggregate;
  /** The aggregate's spec (type, id type, snapshots, events), set by the generated base class. */
  readonly definition: AggregateSpec;
}

/** Key of the type-only member that names an aggregate's events (esgen/testing infers payload types from it). */
declare const eventMap: unique symbol;

/** The event map of an aggregate class instance (`OrderEvents` for `Order`). */
export type EventsOfAggregate<TAggregate> = TAggregate extends { readonly [eventMap]?: infer TEvents } ? TEvents : never;

export abstract class SpecAggregate<TEvents extends object, TState extends object> extends AggregateRoot<EventOf<TEvents>> {
  /** Type only (no value at run time): lets tools type the events of `Order` from the class. */
  declare readonly [eventMap]?: TEvents;
  #state: TState | undefined;

  /** State of a new aggregate: spec defaults and zero values. */
  protected abstract readonly initialState: TState;

  /** One applier per event (generated). */
  protected abstract readonly appliers: Appliers<TEvents, TState>;

  /** The current state; it changes only by applying events. */
  get state(): Readonly<TState> {
    return this.#state ?? this.initialState;
  }

  /** Replaces some state fields: for `on<Event>` handlers, which run when an event is raised or replayed. */
  protected patchState(changes: Patch<TState>): void {
    this.#state = patched(this.state, changes);
  }

  /**
   * Applies a new event to the state at once and queues it for the next save.
   *
   * @example this.raise('OrderPaid', { paymentId, paidAmount });
   */
  protected raise<K extends keyof TEvents & string>(type: K, data: TEvents[K], options?: RaiseOptions): void {
    this.raiseEvent({ type, data } as DomainEvent<K, TEvents[K]> as EventOf<TEvents>, options);
  }

  protected override applyEvent(event: EventOf<TEvents>, context: EventContext): void {
    const applier = this.appliers[event.type as keyof TEvents & string] as ((data: unknown, context: EventContext, state: Readonly<TState>) => Patch<TState> | void) | undefined;
    if (applier === undefined) throw new TypeError(`${this.aggregateType} has no applier for event ${event.type}`);
    const changes = applier(event.data, context, this.state);
    if (changes) this.patchState(changes);
  }

  /** The state as JSON (datetime fields are ISO strings), for snapshots. */
  override snapshotState(): TState {
    return this.state as TState;
  }

  protected override restoreState(state: unknown): void {
    // The runtime only hands over snapshots whose fingerprint matches the definition's.
    this.#state = { ...this.initialState, ...(state as TState) };
  }
}
