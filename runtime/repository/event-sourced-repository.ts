import type { AggregateDefinition, AggregateRootLike, EventMetadata } from '../contracts.js';
import type { AggregateClass } from '../codegen/spec-aggregate.js';
import { assertAggregateId } from '../aggregate-id.js';
import { integerIn, optionalBoolean, optionalFunction, optionsObject, storableDate } from '../argument-checks.js';
import { AggregateNotFound, InvalidArgument, isEsgenError, type ConcurrencyError, type ExpectedVersion } from '../errors.js';
import type { AppendEvent, AppendResult, EventStore } from '../store/event-store-contract.js';
import type { ReplayEvent } from '../store/stored-event.js';
import { backoffDelays, DEFAULT_RETRY_ATTEMPTS, sleep, type RetryBackoff } from './retry-backoff.js';

export interface RepositoryOptions {
  /**
   * Called when writing a snapshot fails. The save has already succeeded and stays successful:
   * snapshots are only a cache of the stream.
   */
  readonly onSnapshotError?: (error: unknown, aggregate: AggregateRootLike) => void;
}

export interface SaveOptions {
  /**
   * Default: the aggregate's persistedVersion (what it was loaded at). With 'any' or
   * 'stream_exists' the events may land after other writers' events: reload the aggregate before
   * using it for another save.
   */
  readonly expectedVersion?: ExpectedVersion;
  readonly correlationId?: string | null;
  readonly causationId?: string | null;
  readonly metadata?: EventMetadata;
}

export interface RetryOptions extends Omit<SaveOptions, 'expectedVersion'> {
  /** Total attempts including the first; default 50 (16 writers on one aggregate all get through). */
  readonly attempts?: number;
  /** Wait before each retry: a random time up to a cap that doubles per retry (default 5 ms … 1 s); false = retry at once. */
  readonly backoff?: RetryBackoff | false;
  /** Start from a fresh aggregate when the stream does not exist yet (instead of AggregateNotFound). */
  readonly createIfMissing?: boolean;
  /** Called for each ConcurrencyError that leads to a retry. */
  readonly onConflict?: (error: ConcurrencyError, attempt: number) => void;
}

export interface RetryResult<TAggregate, TResult> {
  readonly aggregate: TAggregate;
  /** What the command returned on the attempt that was saved. */
  readonly result: TResult;
  /** How many times the command was re-run after a ConcurrencyError. */
  readonly retries: number;
}

/**
 * Loads and saves one aggregate type: replays its stream (from the latest usable snapshot), appends
 * its uncommitted events with optimistic concurrency, and answers time-travel queries.
 */
export class EventSourcedRepository<TAggregate extends AggregateRootLike = AggregateRootLike> {
  readonly aggregateType: string;

  constructor(
    readonly store: EventStore,
    readonly definition: AggregateDefinition<TAggregate>,
    readonly options: RepositoryOptions = {},
  ) {
    this.aggregateType = definition.type;
  }

  /** A new, empty aggregate (version 0) to raise the first events on. */
  create(id: string): TAggregate {
    assertAggregateId(this.aggregateType, this.definition, id);
    return this.definition.create(id);
  }

  /** The current state: the latest snapshot with a matching fingerprint plus the events after it. */
  async load(id: string): Promise<TAggregate> {
    this.#checkId(id);
    const aggregate = await this.#loadUpTo(id, undefined);
    if (aggregate === undefined) throw new AggregateNotFound(this.aggregateType, id);
    return aggregate;
  }

  /** The state right after event `version`. A snapshot is used only when it is not later than that. */
  async loadAtVersion(id: string, version: number): Promise<TAggregate> {
    this.#checkId(id);
    integerIn('version', version, 1);
    const aggregate = await this.#loadUpTo(id, version);
    if (aggregate === undefined) throw new AggregateNotFound(this.aggregateType, id);
    if (aggregate.version < version) {
      throw new AggregateNotFound(this.aggregateType, id, ` at version ${version} (its stream ends at version ${aggregate.version})`);
    }
    return aggregate;
  }

  /**
   * The state as of `at`: replays the stream up to the first event that occurred after `at`.
   * Snapshots are not used: they do not record when their last event occurred.
   */
  async loadAtTime(id: string, at: Date): Promise<TAggregate> {
    this.#checkId(id);
    storableDate('at', at);
    const events = await this.store.readStreamForReplay(this.aggregateType, id, { until: at });
    if (events.length === 0) throw new AggregateNotFound(this.aggregateType, id, ` at ${at.toISOString()}`);
    return this.#replay(this.definition.create(id), events);
  }

  async exists(id: string): Promise<boolean> {
    this.#checkId(id);
    return (await this.store.streamVersion(this.aggregateType, id)) > 0;
  }

  /**
   * Appends the aggregate's uncommitted events, expecting the stream to be where the aggregate was
   * loaded (ConcurrencyError otherwise), then clears them. Writes a snapshot when the new version
   * crosses a multiple of the definition's snapshotEvery; a failed snapshot never fails the save.
   */
  async save(aggregate: TAggregate, options: SaveOptions = {}): Promise<AppendResult> {
    this.#checkAggregate(aggregate);
    optionsObject('options', options);
    const pending = aggregate.uncommittedEvents();
    const before = aggregate.persistedVersion;
    if (pending.length === 0) return { nextVersion: before, envelopes: [] };
    const events = new Array<AppendEvent>(pending.length);
    for (let i = 0; i < pending.length; i++) {
      const item = pending[i]!;
      events[i] = { type: item.event.type, data: item.event.data, occurredAt: item.occurredAt, ...(item.eventId === undefined ? {} : { eventId: item.eventId }) };
    }
    const result = await this.store.appendToStream(this.aggregateType, aggregate.id, events, {
      expectedVersion: options.expectedVersion ?? before,
      correlationId: options.correlationId,
      causationId: options.causationId,
      metadata: options.metadata,
    });
    aggregate.markCommitted();
    await this.#snapshotIfDue(aggregate, before, result.nextVersion);
    return result;
  }

  /**
   * Load, run `command`, save; on ConcurrencyError reload and run it again, up to `attempts` times
   * in total. The command must only raise events (it runs once per attempt).
   *
   * @example await accounts.withRetry('acc-1', (account) => account.deposit(10))
   */
  async withRetry<TResult>(
    id: string,
    command: (aggregate: TAggregate) => TResult | Promise<TResult>,
    options: RetryOptions = {},
  ): Promise<RetryResult<TAggregate, TResult>> {
    this.#checkId(id);
    if (typeof command !== 'function') throw new InvalidArgument('command', `must be a function (aggregate) => …; got ${typeof command}`);
    optionsObject('options', options);
    const attempts = options.attempts === undefined ? DEFAULT_RETRY_ATTEMPTS : integerIn('options.attempts', options.attempts, 1, 10_000);
    const delay = backoffDelays(options.backoff);
    optionalBoolean('options.createIfMissing', options.createIfMissing);
    optionalFunction('options.onConflict', options.onConflict);
    const saveOptions: SaveOptions = { correlationId: options.correlationId, causationId: options.causationId, metadata: options.metadata };
    for (let attempt = 1; ; attempt++) {
      const aggregate = await this.#loadForCommand(id, options.createIfMissing === true);
      const result = await command(aggregate);
      try {
        await this.save(aggregate, saveOptions);
        return { aggregate, result, retries: attempt - 1 };
      } catch (error) {
        if (!isEsgenError(error, 'ESG201') || attempt >= attempts) throw error;
        options.onConflict?.(error as ConcurrencyError, attempt);
        await sleep(delay(attempt));
      }
    }
  }

  /** Ids are checked here, before any read: the store would refuse them too, but later. */
  #checkId(id: unknown): void {
    assertAggregateId(this.aggregateType, this.definition, id as string);
  }

  #checkAggregate(aggregate: unknown): void {
    const candidate = aggregate as Partial<AggregateRootLike> | null;
    if (typeof candidate !== 'object' || candidate === null || typeof candidate.uncommittedEvents !== 'function' || typeof candidate.markCommitted !== 'function') {
      throw new InvalidArgument('aggregate', `must be an aggregate (created by this repository's create or load); got ${candidate === null ? 'null' : typeof candidate}`);
    }
    if (candidate.aggregateType !== this.aggregateType) {
      throw new InvalidArgument('aggregate', `is a ${String(candidate.aggregateType)}, but this repository saves ${this.aggregateType}`);
    }
    this.#checkId(candidate.id);
  }

  async #loadForCommand(id: string, createIfMissing: boolean): Promise<TAggregate> {
    const aggregate = await this.#loadUpTo(id, undefined);
    if (aggregate !== undefined) return aggregate;
    if (createIfMissing) return this.definition.create(id);
    throw new AggregateNotFound(this.aggregateType, id);
  }

  /** Snapshot (when enabled and usable) + events up to `toVersion`; undefined when nothing is stored. */
  async #loadUpTo(id: string, toVersion: number | undefined): Promise<TAggregate | undefined> {
    const aggregate = this.definition.create(id);
    let fromVersion = 1;
    if (this.definition.snapshotEvery !== undefined) {
      const snapshot = await this.store.readSnapshot(this.aggregateType, id, this.definition.stateFingerprint, toVersion);
      if (snapshot !== undefined) {
        aggregate.restoreSnapshot(snapshot.state, snapshot.version);
        fromVersion = snapshot.version + 1;
      }
    }
    const events = await this.store.readStreamForReplay(this.aggregateType, id, { fromVersion, toVersion });
    if (events.length === 0 && fromVersion === 1) return undefined;
    return this.#replay(aggregate, events);
  }

  #replay(aggregate: TAggregate, events: readonly ReplayEvent[]): TAggregate {
    // A ReplayEvent is both the DomainEvent and its EventContext: one object per stored event.
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      aggregate.replay(event, event);
    }
    return aggregate;
  }

  async #snapshotIfDue(aggregate: TAggregate, before: number, after: number): Promise<void> {
    const every = this.definition.snapshotEvery;
    if (every === undefined || every < 1 || Math.floor(after / every) === Math.floor(before / every)) return;
    try {
      // Snapshot the state a replay produces, not the in-memory one: raised events were applied
      // with a context the store had not filled in yet (event id, correlation id, metadata), and a
      // snapshot must equal a full replay. Previous snapshot + at most a few batches of events.
      const replayed = await this.#loadUpTo(aggregate.id, after);
      if (replayed === undefined || replayed.version !== after) return;
      await this.store.writeSnapshot(this.aggregateType, aggregate.id, after, replayed.snapshotState(), this.definition.stateFingerprint);
    } catch (error) {
      this.options.onSnapshotError?.(error, aggregate);
    }
  }
}

/** An aggregate type a repository can be opened for: the user's class (`Order`), or a definition with a `create` function. */
export type RepositoryTarget<TAggregate extends AggregateRootLike> = AggregateDefinition<TAggregate> | AggregateClass<TAggregate>;

/** The definition of a repository target: a class brings its generated spec and its constructor. */
export function aggregateDefinition<TAggregate extends AggregateRootLike>(target: RepositoryTarget<TAggregate>): AggregateDefinition<TAggregate> {
  if (typeof target === 'function') {
    const definition = (target as Partial<AggregateClass<TAggregate>>).definition;
    if (typeof definition !== 'object' || definition === null || typeof definition.type !== 'string') {
      throw new InvalidArgument('aggregate', `is the class ${target.name || '(anonymous)'} without a generated definition: pass a class generated by esgen build, or a definition with a create function`);
    }
    return { ...definition, create: (id) => new target(id) };
  }
  if (typeof target !== 'object' || target === null || typeof target.type !== 'string' || typeof target.create !== 'function') {
    throw new InvalidArgument('aggregate', `must be an aggregate class or a definition with type and create; got ${target === null ? 'null' : typeof target}`);
  }
  return target;
}

export function createRepository<TAggregate extends AggregateRootLike>(
  store: EventStore,
  target: RepositoryTarget<TAggregate>,
  options: RepositoryOptions = {},
): EventSourcedRepository<TAggregate> {
  return new EventSourcedRepository(store, aggregateDefinition(target), options);
}
