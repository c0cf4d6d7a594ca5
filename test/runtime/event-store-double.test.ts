/**
 * The EventStore seam: a repository runs on any object with the store's methods. An in-memory
 * double is a few dozen lines, so users can unit-test their aggregates and command handlers
 * without a database; this test is that double, and it drives a real repository through load,
 * save, concurrency conflicts, withRetry and time travel.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import {
  ConcurrencyError,
  createRepository,
  type AppendEvent,
  type AppendOptions,
  type AppendResult,
  type EventEnvelope,
  type EventStore,
  type ReplayEvent,
  type StreamAppend,
} from 'esgen/runtime';
import { bankAccountDefinition, registry } from './fixtures/bank-account.js';

/** Every stream in a Map; appends check the expected version like the PostgreSQL store. */
function inMemoryEventStore(): EventStore & { readonly all: EventEnvelope[] } {
  const all: EventEnvelope[] = [];
  const stream = (type: string, id: string) => all.filter((event) => event.aggregateType === type && event.aggregateId === id);
  const versionOf = (type: string, id: string) => stream(type, id).length;
  const append = (type: string, id: string, events: readonly AppendEvent[], options: AppendOptions): AppendResult => {
    const actual = versionOf(type, id);
    const expected = options.expectedVersion;
    const ok = expected === 'any' || (expected === 'no_stream' ? actual === 0 : expected === 'stream_exists' ? actual > 0 : actual === expected);
    if (!ok) throw new ConcurrencyError(type, id, expected, actual);
    const envelopes = events.map((event, index): EventEnvelope => ({
      type: event.type,
      data: event.data,
      storedVersion: registry.events[event.type]!.version,
      eventId: event.eventId ?? randomUUID(),
      aggregateType: type,
      aggregateId: id,
      version: actual + index + 1,
      occurredAt: event.occurredAt ?? new Date(),
      correlationId: options.correlationId ?? null,
      causationId: options.causationId ?? null,
      metadata: options.metadata ?? {},
      position: BigInt(all.length + index + 1),
      transactionId: 1n,
    }));
    all.push(...envelopes);
    return { nextVersion: actual + events.length, envelopes };
  };
  const inRange = (event: EventEnvelope, options: { fromVersion?: number; toVersion?: number; until?: Date } = {}) =>
    event.version >= (options.fromVersion ?? 1) && event.version <= (options.toVersion ?? Number.MAX_SAFE_INTEGER);
  return {
    all,
    registry,
    async appendToStream(type, id, events, options) {
      return append(type, id, events, options);
    },
    async appendMany(streams: readonly StreamAppend[]) {
      return streams.map((s) => append(s.aggregateType, s.aggregateId, s.events, s));
    },
    async streamVersion(type, id) {
      return versionOf(type, id);
    },
    async getEventsByAggregate(type, id, options) {
      return stream(type, id).filter((event) => inRange(event, options));
    },
    async getEventsByTimeRange(from, to) {
      return all.filter((event) => event.occurredAt >= from && event.occurredAt <= to);
    },
    async getEventsByType(types) {
      const wanted = typeof types === 'string' ? [types] : types;
      return all.filter((event) => wanted.includes(event.type));
    },
    async findEvent(eventId) {
      return all.find((event) => event.eventId === eventId);
    },
    async readAllAfter(after, options = {}) {
      const events = all.filter((event) => after === null || event.position > after.position).slice(0, options.limit ?? 1000);
      const last = events.at(-1);
      return { events, last: last === undefined ? after : { transactionId: last.transactionId, position: last.position } };
    },
    async readStreamForReplay(type, id, options = {}): Promise<ReplayEvent[]> {
      const events = stream(type, id).filter((event) => inRange(event, options));
      const cut = options.until === undefined ? -1 : events.findIndex((event) => event.occurredAt > options.until!);
      return cut === -1 ? events : events.slice(0, cut);
    },
    async readSnapshot() {
      return undefined;
    },
    async writeSnapshot() {},
  };
}

describe('the EventStore seam', () => {
  it('lets an in-memory double drive a repository: save, load, time travel', async () => {
    const store = inMemoryEventStore();
    const accounts = createRepository(store, bankAccountDefinition());
    const account = accounts.create('acc-1');
    account.open('Ada', 'EUR', new Date('2024-12-01T00:00:00Z'));
    account.deposit(30, new Date('2025-01-01T00:00:00Z'));
    await accounts.save(account);
    const later = await accounts.load('acc-1');
    later.deposit(12, new Date('2025-02-01T00:00:00Z'));
    await accounts.save(later);

    expect((await accounts.load('acc-1')).state.balance).toBe(42);
    expect((await accounts.loadAtVersion('acc-1', 2)).state.balance).toBe(30);
    expect((await accounts.loadAtTime('acc-1', new Date('2025-01-15T00:00:00Z'))).state.balance).toBe(30);
    expect(store.all.map((event) => [event.type, event.version])).toEqual([
      ['AccountOpened', 1],
      ['MoneyDeposited', 2],
      ['MoneyDeposited', 3],
    ]);
  });

  it('reports a stale save as ConcurrencyError, and withRetry reruns the command', async () => {
    const store = inMemoryEventStore();
    const accounts = createRepository(store, bankAccountDefinition());
    const opened = accounts.create('acc-2');
    opened.open('Ada', 'EUR');
    await accounts.save(opened);
    const first = await accounts.load('acc-2');
    const second = await accounts.load('acc-2');
    first.deposit(1);
    second.deposit(2);
    await accounts.save(first);
    await expect(accounts.save(second)).rejects.toMatchObject({ code: 'ESG201', expectedVersion: 1, actualVersion: 2 });
    const { retries, aggregate } = await accounts.withRetry('acc-2', (account) => account.deposit(2));
    expect(retries).toBe(0);
    expect(aggregate.state.balance).toBe(3);
  });
});
