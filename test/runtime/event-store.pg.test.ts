import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createEventStore, type PostgresEventStore } from '../../runtime/store/event-store.js';
import { migrate } from '../../runtime/migrations/migrate.js';
import { ConcurrencyError, InvalidAggregateId, InvalidEvent, isEsgenError } from '../../runtime/errors.js';
import { eventsChannel } from '../../runtime/store/notify-channel.js';
import { onServer, openTestDatabase, type TestDatabase } from '../support/database.js';
import { registry } from './fixtures/bank-account.js';

const opened = (owner = 'Ada', currency = 'EUR') => ({ type: 'AccountOpened', data: { owner, currency } });
const deposited = (amount: number) => ({ type: 'MoneyDeposited', data: { amount } });

describe('PostgresEventStore', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let streamCounter = 0;
  const newId = () => `acc-${++streamCounter}`;

  async function countRows(aggregateId?: string): Promise<number> {
    const result = await db.client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${db.schema}.events${aggregateId === undefined ? '' : ' WHERE aggregate_id = $1'}`,
      aggregateId === undefined ? [] : [aggregateId],
    );
    return result.rows[0]!.n;
  }

  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db.client, { schema: db.schema });
    store = createEventStore({ client: db.client, registry, schema: db.schema });
  });
  afterAll(() => db.dispose());

  describe('appendToStream', () => {
    it('appends the first event of a new stream at version 1 and returns its envelope', async () => {
      const id = newId();
      const occurredAt = new Date('2025-01-10T10:00:00.000Z');
      const result = await store.appendToStream('BankAccount', id, [{ ...opened(), occurredAt }], { expectedVersion: 'no_stream' });
      expect(result.nextVersion).toBe(1);
      expect(result.envelopes).toHaveLength(1);
      const [envelope] = result.envelopes;
      expect(envelope).toMatchObject({
        type: 'AccountOpened',
        data: { owner: 'Ada', currency: 'EUR' },
        storedVersion: 2,
        aggregateType: 'BankAccount',
        aggregateId: id,
        version: 1,
        occurredAt,
        correlationId: null,
        causationId: null,
        metadata: {},
      });
      expect(typeof envelope!.position).toBe('bigint');
      expect(typeof envelope!.transactionId).toBe('bigint');
      const [stored] = await store.getEventsByAggregate('BankAccount', id);
      expect(stored).toEqual(envelope);
    });

    it('appends several events in one call with consecutive versions and increasing positions', async () => {
      const id = newId();
      const result = await store.appendToStream('BankAccount', id, [opened(), deposited(1), deposited(2), deposited(3)], { expectedVersion: 0 });
      expect(result.nextVersion).toBe(4);
      expect(result.envelopes.map((e) => e.version)).toEqual([1, 2, 3, 4]);
      expect(result.envelopes.map((e) => (e.data as { amount?: number }).amount)).toEqual([undefined, 1, 2, 3]);
      const positions = result.envelopes.map((e) => e.position);
      expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
      expect(new Set(result.envelopes.map((e) => e.transactionId)).size).toBe(1);
      const stored = await store.getEventsByAggregate('BankAccount', id);
      expect(stored.map((e) => [e.version, e.type, e.position])).toEqual(result.envelopes.map((e) => [e.version, e.type, e.position]));
    });

    const modes: Array<[string, { given: number; expected: number | 'no_stream' | 'stream_exists' | 'any'; ok: boolean; actual: number }]> = [
      ['exact version of an existing stream', { given: 2, expected: 2, ok: true, actual: 2 }],
      ['stale exact version', { given: 3, expected: 2, ok: false, actual: 3 }],
      ['exact version ahead of the stream (would leave a gap)', { given: 2, expected: 5, ok: false, actual: 2 }],
      ['exact version 0 on an existing stream', { given: 1, expected: 0, ok: false, actual: 1 }],
      ['no_stream on a new stream', { given: 0, expected: 'no_stream', ok: true, actual: 0 }],
      ['no_stream on an existing stream', { given: 1, expected: 'no_stream', ok: false, actual: 1 }],
      ['stream_exists on an existing stream', { given: 3, expected: 'stream_exists', ok: true, actual: 3 }],
      ['stream_exists on a new stream', { given: 0, expected: 'stream_exists', ok: false, actual: 0 }],
      ['any on a new stream', { given: 0, expected: 'any', ok: true, actual: 0 }],
      ['any on an existing stream', { given: 4, expected: 'any', ok: true, actual: 4 }],
    ];
    it.each(modes)('expected version: %s', async (_name, { given, expected, ok, actual }) => {
      // Once with one event (the single-row statement) and once with two (the unnest statement).
      for (const batch of [[deposited(10)], [deposited(10), deposited(20)]]) {
        const id = newId();
        if (given > 0) {
          await store.appendToStream('BankAccount', id, [opened(), ...Array.from({ length: given - 1 }, (_, i) => deposited(i + 1))], { expectedVersion: 0 });
        }
        const outcome = await store.appendToStream('BankAccount', id, batch, { expectedVersion: expected }).catch((e: unknown) => e);
        if (ok) {
          expect(outcome).toMatchObject({ nextVersion: given + batch.length });
          const versions = (await store.getEventsByAggregate('BankAccount', id)).map((e) => e.version);
          expect(versions).toEqual(Array.from({ length: given + batch.length }, (_, i) => i + 1));
          continue;
        }
        expect(outcome).toBeInstanceOf(ConcurrencyError);
        expect(outcome).toMatchObject({ code: 'ESG201', aggregateType: 'BankAccount', aggregateId: id, expectedVersion: expected, actualVersion: actual });
        expect(await countRows(id)).toBe(given);
      }
    });

    it('names the aggregate and both versions in the ConcurrencyError message', async () => {
      const id = newId();
      await store.appendToStream('BankAccount', id, [opened()], { expectedVersion: 0 });
      const error = await store.appendToStream('BankAccount', id, [deposited(1)], { expectedVersion: 'no_stream' }).catch((e: unknown) => e);
      expect(String((error as Error).message)).toBe(
        `Unable to append to BankAccount ${id}: expected no stream (version 0) but the stream is at version 1. Reload the aggregate and retry the command.`,
      );
    });

    it('rejects an invalid payload with InvalidEvent naming the field, and writes nothing of the batch', async () => {
      const id = newId();
      const before = await countRows();
      const error = await store
        .appendToStream('BankAccount', id, [opened(), deposited(5), { type: 'MoneyDeposited', data: { amount: -1 } }], { expectedVersion: 'any' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidEvent);
      expect(error).toMatchObject({ code: 'ESG202', eventType: 'MoneyDeposited', path: '/amount' });
      expect((error as Error).message).toBe('Event MoneyDeposited is invalid at /amount: must be greater than 0. Nothing was written.');
      expect(await countRows()).toBe(before);
    });

    it('validates against the current version: a v1-shaped AccountOpened (no currency) is rejected', async () => {
      const error = await store
        .appendToStream('BankAccount', newId(), [{ type: 'AccountOpened', data: { owner: 'Ada' } }], { expectedVersion: 0 })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ESG202', path: '/currency' });
    });

    it('rejects unknown event types (ESG204) and aggregate types the registry does not know (ESG208)', async () => {
      const unknown = await store.appendToStream('BankAccount', newId(), [{ type: 'Nope', data: {} }], { expectedVersion: 0 }).catch((e: unknown) => e);
      expect(isEsgenError(unknown, 'ESG204')).toBe(true);
      const foreign = await store.appendToStream('Order', newId(), [deposited(1)], { expectedVersion: 0 }).catch((e: unknown) => e);
      expect(foreign).toMatchObject({ code: 'ESG208', aggregateType: 'Order' });
    });

    it.each([
      ['an expected version that is negative', { expectedVersion: -1 }],
      ['an expected version that is fractional', { expectedVersion: 1.5 }],
      ['a correlation id that is not a UUID', { expectedVersion: 'any', correlationId: 'abc' }],
      ['a causation id that is not a UUID', { expectedVersion: 'any', causationId: "x'; drop table events; --" }],
    ] as const)('rejects %s with InvalidArgument (ESG206) and writes nothing', async (_name, options) => {
      const before = await countRows();
      const error = await store.appendToStream('BankAccount', newId(), [opened()], options as never).catch((e: unknown) => e);
      expect(isEsgenError(error, 'ESG206')).toBe(true);
      expect(await countRows()).toBe(before);
    });

    it('round-trips correlation id, causation id and user metadata on every event', async () => {
      const id = newId();
      const correlationId = randomUUID();
      const causationId = randomUUID();
      const metadata = { userId: 'u-7', tags: ['a', 'b'], nested: { ip: '10.0.0.1' }, quote: `it's "quoted" \\ {}` };
      await store.appendToStream('BankAccount', id, [opened(), deposited(1)], { expectedVersion: 0, correlationId, causationId, metadata });
      const events = await store.getEventsByAggregate('BankAccount', id);
      expect(events).toHaveLength(2);
      for (const event of events) expect(event).toMatchObject({ correlationId, causationId, metadata });
    });

    it('stores payload strings exactly, including quotes, backslashes, unicode and braces', async () => {
      const id = newId();
      const owner = `O'Brien "the \\ one" {x} ünïcødé 🏦 ${'\u0001'}`;
      await store.appendToStream('BankAccount', id, [opened(owner), deposited(1)], { expectedVersion: 0 });
      await store.appendToStream('BankAccount', `${id}-b`, [opened(owner)], { expectedVersion: 0 });
      const [batch] = await store.getEventsByAggregate('BankAccount', id);
      const [single] = await store.getEventsByAggregate('BankAccount', `${id}-b`);
      expect(batch!.data).toEqual({ owner, currency: 'EUR' });
      expect(single!.data).toEqual({ owner, currency: 'EUR' });
    });

    it('returns the current version and stores nothing for an empty append', async () => {
      const id = newId();
      await store.appendToStream('BankAccount', id, [opened(), deposited(1)], { expectedVersion: 0 });
      expect(await store.appendToStream('BankAccount', id, [], { expectedVersion: 2 })).toEqual({ nextVersion: 2, envelopes: [] });
    });

    it('keeps aggregate types apart: the same id under two types are two streams', async () => {
      const id = newId();
      const other = createEventStore({
        client: db.client,
        schema: db.schema,
        registry: { ...registry, events: { ...registry.events, Renamed: { ...registry.events.MoneyDeposited!, type: 'Renamed', aggregateType: 'Other' } } },
      });
      await other.appendToStream('BankAccount', id, [opened()], { expectedVersion: 0 });
      await other.appendToStream('Other', id, [{ type: 'Renamed', data: { amount: 1 } }], { expectedVersion: 0 });
      expect(await other.streamVersion('BankAccount', id)).toBe(1);
      expect(await other.streamVersion('Other', id)).toBe(1);
    });
  });

  describe('aggregate ids', () => {
    const uuidRegistry = { ...registry, aggregates: { BankAccount: { ...registry.aggregates.BankAccount!, idType: 'uuid' as const } } };

    it.each([
      ['an empty id', registry, ''],
      ['a non-UUID id when the spec says `id: uuid`', uuidRegistry, 'not-a-uuid'],
    ])('refuses %s with InvalidAggregateId and writes nothing', async (_name, withRegistry, id) => {
      const strict = createEventStore({ client: db.client, registry: withRegistry, schema: db.schema });
      const before = await countRows();
      const error = await strict.appendToStream('BankAccount', id, [opened()], { expectedVersion: 'no_stream' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidAggregateId);
      expect(error).toMatchObject({ code: 'ESG210', aggregateId: id });
      expect(() => strict.repository('BankAccount').create(id)).toThrow(InvalidAggregateId);
      expect(await countRows()).toBe(before);
    });

    it('accepts a UUID when the spec says `id: uuid`', async () => {
      const strict = createEventStore({ client: db.client, registry: uuidRegistry, schema: db.schema });
      const id = randomUUID();
      await strict.appendToStream('BankAccount', id, [opened()], { expectedVersion: 'no_stream' });
      expect(await countRows(id)).toBe(1);
    });
  });

  describe.runIf(onServer)('concurrent appends (server)', () => {
    it("appends every event of 8 writers racing on one stream with expectedVersion 'any', versions 1..n without gaps", async () => {
      const id = newId();
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let i = 0; i < 10; i++) {
            const events = w === 0 && i === 0 ? [opened()] : [deposited(1), deposited(2)].slice(0, 1 + (i % 2));
            await store.appendToStream('BankAccount', id, events, { expectedVersion: 'any' });
          }
        }),
      );
      const versions = (await store.getEventsByAggregate('BankAccount', id)).map((e) => e.version);
      const expected = 1 + 8 * 10 * 1.5 - 1;
      expect(versions).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
    });

    it("retries the whole transaction, hook included, when 'any' appends with an onAppend hook collide", async () => {
      const id = newId();
      const hookCalls: number[] = [];
      const hooked = createEventStore({
        client: db.client,
        registry,
        schema: db.schema,
        onAppend: async (tx, appended) => {
          hookCalls.push(appended[0]!.version);
          await tx.query('SELECT pg_sleep(0.002)');
        },
      });
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          for (let i = 0; i < 5; i++) await hooked.appendToStream('BankAccount', id, [deposited(1)], { expectedVersion: 'any' });
        }),
      );
      const versions = (await store.getEventsByAggregate('BankAccount', id)).map((e) => e.version);
      expect(versions).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      // Every committed version went through the hook once; rolled-back attempts may add repeats.
      expect(new Set(hookCalls)).toEqual(new Set(versions));
    });

    it('lets exactly one of 8 writers with the same expected version win; the others get ConcurrencyError', async () => {
      const id = newId();
      await store.appendToStream('BankAccount', id, [opened()], { expectedVersion: 0 });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, w) => store.appendToStream('BankAccount', id, w % 2 ? [deposited(w + 1)] : [deposited(w + 1), deposited(w + 1)], { expectedVersion: 1 })),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(7);
      for (const error of lost) expect(error).toMatchObject({ code: 'ESG201', expectedVersion: 1 });
      const versions = (await store.getEventsByAggregate('BankAccount', id)).map((e) => e.version);
      expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
    });
  });

  describe('appendMany', () => {
    it('appends to several aggregates in one transaction', async () => {
      const [a, b] = [newId(), newId()];
      const results = await store.appendMany([
        { aggregateType: 'BankAccount', aggregateId: a, events: [opened(), deposited(1)], expectedVersion: 0 },
        { aggregateType: 'BankAccount', aggregateId: b, events: [opened('Bob')], expectedVersion: 'no_stream' },
      ]);
      expect(results.map((r) => r.nextVersion)).toEqual([2, 1]);
      expect(new Set(results.flatMap((r) => r.envelopes.map((e) => e.transactionId))).size).toBe(1);
    });

    it('writes nothing for any aggregate when one stream conflicts', async () => {
      const [a, b] = [newId(), newId()];
      await store.appendToStream('BankAccount', b, [opened()], { expectedVersion: 0 });
      const before = await countRows();
      const error = await store
        .appendMany([
          { aggregateType: 'BankAccount', aggregateId: a, events: [opened()], expectedVersion: 0 },
          { aggregateType: 'BankAccount', aggregateId: b, events: [deposited(3)], expectedVersion: 0 },
        ])
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ESG201', aggregateId: b, expectedVersion: 0, actualVersion: 1 });
      expect(await countRows()).toBe(before);
    });

    it('writes nothing when one stream has an invalid event', async () => {
      const before = await countRows();
      const error = await store
        .appendMany([
          { aggregateType: 'BankAccount', aggregateId: newId(), events: [opened()], expectedVersion: 0 },
          { aggregateType: 'BankAccount', aggregateId: newId(), events: [opened(''), deposited(1)], expectedVersion: 0 },
        ])
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ESG202', path: '/owner' });
      expect(await countRows()).toBe(before);
    });
  });

  describe('onAppend', () => {
    it('runs inside the append transaction with the appended envelopes; a throw rolls the append back', async () => {
      const seen: Array<{ types: string[]; visible: number }> = [];
      const hooked = createEventStore({
        client: db.client,
        registry,
        schema: db.schema,
        async onAppend(tx, appended) {
          // The hook sees the rows it is called for: same transaction.
          const visible = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${db.schema}.events WHERE aggregate_id = $1`, [
            appended[0]!.aggregateId,
          ]);
          seen.push({ types: appended.map((e) => e.type), visible: visible.rows[0]!.n });
          if (appended.some((e) => (e.data as { amount?: number }).amount === 13)) throw new Error('unlucky');
        },
      });
      const id = newId();
      await hooked.appendToStream('BankAccount', id, [opened(), deposited(1)], { expectedVersion: 0 });
      await expect(hooked.appendToStream('BankAccount', id, [deposited(13)], { expectedVersion: 2 })).rejects.toThrow('unlucky');
      expect(seen).toEqual([
        { types: ['AccountOpened', 'MoneyDeposited'], visible: 2 },
        { types: ['MoneyDeposited'], visible: 3 },
      ]);
      expect(await countRows(id)).toBe(2);
      // A conflict inside the hooked path is still a ConcurrencyError.
      const conflict = await hooked.appendToStream('BankAccount', id, [deposited(2)], { expectedVersion: 1 }).catch((e: unknown) => e);
      expect(conflict).toMatchObject({ code: 'ESG201', actualVersion: 2 });
    });
  });

  describe('notifications', () => {
    it('wakes listeners on the schema channel once per committed append, not for conflicts', async () => {
      const payloads: string[] = [];
      const stop = await db.client.listen(eventsChannel(db.schema), (payload) => payloads.push(payload));
      try {
        const id = newId();
        await store.appendToStream('BankAccount', id, [opened(), deposited(1), deposited(2)], { expectedVersion: 0 });
        await store.appendToStream('BankAccount', id, [deposited(3)], { expectedVersion: 0 }).catch(() => undefined);
        const quiet = createEventStore({ client: db.client, registry, schema: db.schema, notify: false });
        await quiet.appendToStream('BankAccount', id, [deposited(3)], { expectedVersion: 3 });
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(payloads).toEqual(['']);
      } finally {
        await stop();
      }
    });

    it('names channels per schema, within PostgreSQL’s 63-byte identifier limit', () => {
      expect(eventsChannel()).toBe('esgen_events');
      expect(eventsChannel('billing')).toBe('esgen_events_billing');
      const long = eventsChannel('s'.repeat(63));
      expect(long.length).toBeLessThanOrEqual(63);
      expect(long).not.toBe(eventsChannel(`${'s'.repeat(62)}t`));
    });
  });

  describe('reads', () => {
    let id: string;
    const times = ['2025-01-10T10:00:00Z', '2025-01-10T10:15:00Z', '2025-01-11T14:30:00Z', '2025-01-12T09:00:00Z'].map((t) => new Date(t));
    beforeAll(async () => {
      id = newId();
      await store.appendToStream(
        'BankAccount',
        id,
        [opened(), deposited(10), { type: 'MoneyWithdrawn', data: { amount: 4, reason: 'rent' } }, deposited(7)].map((e, i) => ({ ...e, occurredAt: times[i] })),
        { expectedVersion: 0 },
      );
    });

    it('getEventsByAggregate reads a version range', async () => {
      const events = await store.getEventsByAggregate('BankAccount', id, { fromVersion: 2, toVersion: 3 });
      expect(events.map((e) => [e.version, e.type])).toEqual([
        [2, 'MoneyDeposited'],
        [3, 'MoneyWithdrawn'],
      ]);
    });

    it('getEventsByAggregate reads up to a point in time', async () => {
      const events = await store.getEventsByAggregate('BankAccount', id, { until: new Date('2025-01-11T00:00:00Z') });
      expect(events.map((e) => e.version)).toEqual([1, 2]);
      const exact = await store.getEventsByAggregate('BankAccount', id, { until: times[2] });
      expect(exact.map((e) => e.version)).toEqual([1, 2, 3]);
    });

    it('getEventsByAggregate returns nothing for an unknown stream', async () => {
      expect(await store.getEventsByAggregate('BankAccount', 'nobody')).toEqual([]);
    });

    it('getEventsByTimeRange returns events in [from, to] in time order', async () => {
      const events = await store.getEventsByTimeRange(new Date('2025-01-10T10:15:00Z'), new Date('2025-01-11T14:30:00Z'));
      expect(events.filter((e) => e.aggregateId === id).map((e) => e.version)).toEqual([2, 3]);
    });

    it('getEventsByType filters by type in global order and pages by position', async () => {
      const all = (await store.getEventsByType(['MoneyWithdrawn', 'AccountOpened'])).filter((e) => e.aggregateId === id);
      expect(all.map((e) => e.type)).toEqual(['AccountOpened', 'MoneyWithdrawn']);
      const withdrawals = await store.getEventsByType('MoneyWithdrawn', { afterPosition: all[0]!.position, limit: 1 });
      expect(withdrawals).toHaveLength(1);
      expect(withdrawals[0]!.type).toBe('MoneyWithdrawn');
    });
  });

  describe('upcasting', () => {
    it('loads a v1 event inserted with plain SQL as the current version with the upcaster’s values', async () => {
      const id = newId();
      await db.client.query(
        `INSERT INTO ${db.schema}.events (event_id, aggregate_type, aggregate_id, version, event_type, event_version, event_data, occurred_at)
         VALUES ($1, 'BankAccount', $2, 1, 'AccountOpened', 1, '{"owner": "Grace"}', now())`,
        [randomUUID(), id],
      );
      const [event] = await store.getEventsByAggregate('BankAccount', id);
      expect(event).toMatchObject({ type: 'AccountOpened', storedVersion: 1, data: { owner: 'Grace', currency: 'EUR' } });
      // A row inserted without event_version is version 1 by the column default.
      const other = newId();
      await db.client.query(
        `INSERT INTO ${db.schema}.events (event_id, aggregate_type, aggregate_id, version, event_type, event_data, occurred_at)
         VALUES ($1, 'BankAccount', $2, 1, 'AccountOpened', '{"owner": "Linus"}', now())`,
        [randomUUID(), other],
      );
      const page = await store.getEventsByType('AccountOpened', { limit: 10_000 });
      expect(page.find((e) => e.aggregateId === other)).toMatchObject({ storedVersion: 1, data: { owner: 'Linus', currency: 'EUR' } });
    });

    it('fails a read of an event type the registry does not know with UnknownEventType', async () => {
      const id = newId();
      await db.client.query(
        `INSERT INTO ${db.schema}.events (event_id, aggregate_type, aggregate_id, version, event_type, event_data, occurred_at)
         VALUES ($1, 'BankAccount', $2, 1, 'AccountClosedFromTheFuture', '{}', now())`,
        [randomUUID(), id],
      );
      const error = await store.getEventsByAggregate('BankAccount', id).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ESG204', eventType: 'AccountClosedFromTheFuture' });
      await db.client.query(`DELETE FROM ${db.schema}.events WHERE aggregate_id = $1`, [id]);
    });
  });

  describe('schemas', () => {
    it('keeps each schema’s events apart', async () => {
      const otherSchema = `${db.schema}_b`;
      await migrate(db.client, { schema: otherSchema });
      try {
        const other = createEventStore({ client: db.client, registry, schema: otherSchema });
        const id = newId();
        await other.appendToStream('BankAccount', id, [opened()], { expectedVersion: 0 });
        expect(await other.streamVersion('BankAccount', id)).toBe(1);
        expect(await store.streamVersion('BankAccount', id)).toBe(0);
        // The same stream can start independently in the other schema.
        await store.appendToStream('BankAccount', id, [opened(), deposited(1)], { expectedVersion: 0 });
        expect((await other.getEventsByAggregate('BankAccount', id)).length).toBe(1);
      } finally {
        await db.client.query(`DROP SCHEMA ${otherSchema} CASCADE`);
      }
    });

    it.each([['Public'], ['a-b'], ['x"; drop schema public; --'], ['9lives']])('rejects the schema name %j with InvalidIdentifier (ESG205)', (schema) => {
      expect(() => createEventStore({ client: db.client, registry, schema })).toThrow(expect.objectContaining({ code: 'ESG205' }));
    });
  });

  describe('pg type parsers', () => {
    it('leaves node-postgres’s process-wide parsers as they were after loading and using esgen', async () => {
      // int8 (20), numeric (1700), timestamptz (1184), date (1082), jsonb (3802): pg's defaults.
      expect(pg.types.getTypeParser(20)('9007199254740993')).toBe('9007199254740993');
      expect(pg.types.getTypeParser(1700)('1.50')).toBe('1.50');
      expect(pg.types.getTypeParser(1082)('2025-01-10')).toBeInstanceOf(Date);
      expect(pg.types.getTypeParser(3802)('{"a":1}')).toEqual({ a: 1 });
      if (db.backend === 'server') {
        const result = await db.client.query<{ big: unknown; at: unknown }>(`SELECT 9007199254740993::int8 AS big, '2025-01-10'::date AS at`);
        expect(result.rows[0]).toEqual({ big: '9007199254740993', at: new Date(2025, 0, 10) });
      }
    });
  });
});
