import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/transport-node';
import { createNatsPublisher, EVENT_HEADERS, type Publisher } from '../../runtime/index.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { committedEvents, deleteStream, natsConnection, NATS_URL, prepareStore, readStream, registry, runWriters, uniqueStream } from './bus-test-kit.js';

describe('publisher (NATS JetStream)', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  const streams: string[] = [];

  beforeAll(async () => {
    db = await openTestDatabase();
    await prepareStore(db.client, db.schema);
    nc = await natsConnection();
  });
  afterAll(async () => {
    for (const stream of streams) await deleteStream(nc, stream);
    await nc.close();
    await db.dispose();
  });

  function publisher(stream: string, prefix: string, extra: { workerId?: string; batchSize?: number } = {}): Publisher {
    return createNatsPublisher(
      { client: db.client, registry, schema: db.schema },
      {
        name: 'orders_bus',
        servers: NATS_URL,
        subjectPrefix: prefix,
        stream: { name: stream, duplicateWindowSeconds: 600 },
        pollIntervalMs: 50,
        batchSize: 20,
        ...extra,
      },
    );
  }

  it('delivers every committed event exactly once, in order per aggregate, none of a rolled-back transaction, with its headers', async () => {
    const { stream, prefix } = uniqueStream();
    streams.push(stream);
    // Two processes' worth of publishers: one holds the lease, the other stands by.
    const first = publisher(stream, prefix, { workerId: 'first' });
    const second = publisher(stream, prefix, { workerId: 'second' });
    await first.start();
    await second.start();
    const written = await runWriters(db.client, db.schema, {
      writers: 6,
      appends: 30,
      seed: 3,
    });
    await first.waitForCatchUp({ timeoutMs: 30_000 });
    expect([first.isActive(), second.isActive()].filter(Boolean)).toHaveLength(1);
    await Promise.all([first.stop(), second.stop()]);

    const stored = await committedEvents(db.client, db.schema);
    expect(stored.length).toBe(written.committed);
    expect(written.rolledBack.size).toBeGreaterThan(0);
    const received = await readStream(nc, stream);
    const ids = received.map((message) => message.headers[EVENT_HEADERS.eventId]!);
    // Exactly once: as many messages as committed events, each id once, the same ids.
    expect(received.length).toBe(stored.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(stored.map((row) => row.event_id)));
    for (const id of written.rolledBack) expect(ids).not.toContain(id);
    // Order per aggregate: versions 1, 2, 3 … in stream order.
    const lastVersion = new Map<string, number>();
    for (const message of received) {
      const aggregate = message.headers[EVENT_HEADERS.aggregateId]!;
      const version = Number(message.headers[EVENT_HEADERS.aggregateVersion]);
      expect(version, `${aggregate} version after ${lastVersion.get(aggregate) ?? 0}`).toBe((lastVersion.get(aggregate) ?? 0) + 1);
      lastVersion.set(aggregate, version);
    }
    // Subject, headers and payload say what the store holds.
    const byId = new Map(stored.map((row) => [row.event_id, row]));
    for (const message of received) {
      const row = byId.get(message.headers[EVENT_HEADERS.eventId]!)!;
      expect(message.subject).toBe(`${prefix}.Order.${row.event_type}`);
      expect(message.headers['Nats-Msg-Id']).toBe(row.event_id);
      expect(message.headers[EVENT_HEADERS.eventType]).toBe(row.event_type);
      expect(message.headers[EVENT_HEADERS.eventVersion]).toBe(row.event_type === 'OrderCreated' ? '2' : '1');
      expect(message.headers[EVENT_HEADERS.aggregateType]).toBe('Order');
      expect(message.headers[EVENT_HEADERS.aggregateVersion]).toBe(String(row.version));
      expect(message.headers[EVENT_HEADERS.globalPosition]).toBe(row.position);
      expect(message.headers[EVENT_HEADERS.correlationId]).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number.isNaN(Date.parse(message.headers[EVENT_HEADERS.occurredAt]!))).toBe(false);
      expect(JSON.parse(message.payload)).toEqual(row.event_data);
    }
  });

  it('publishes only the selected events (never one the spec keeps internal), and resumes from its checkpoint without re-sending', async () => {
    const { stream, prefix } = uniqueStream();
    streams.push(stream);
    const only = (id: string) =>
      createNatsPublisher(
        { client: db.client, registry, schema: db.schema },
        {
          name: `created_${id}`,
          servers: NATS_URL,
          subjectPrefix: prefix,
          stream: { name: stream },
          events: ['OrderCreated'],
          pollIntervalMs: 50,
          from: 'now',
        },
      );
    const store = await prepareStore(db.client, db.schema);
    const before = await store.appendToStream(
      'Order',
      'sel-0',
      [
        {
          type: 'OrderCreated',
          data: { userId: 'u', items: [], totalAmount: 1, currency: 'EUR' },
        },
      ],
      { expectedVersion: 0 },
    );
    const firstRun = only('a');
    await firstRun.start();
    const appended = await store.appendToStream(
      'Order',
      'sel-1',
      [
        {
          type: 'OrderCreated',
          data: { userId: 'u', items: [], totalAmount: 1, currency: 'EUR' },
        },
        // Internal: the orders spec says `OrderDelivered: { publish: false }`.
        { type: 'OrderDelivered', data: {} },
      ],
      { expectedVersion: 0 },
    );
    await firstRun.waitFor(appended.envelopes[1]!.position, {
      timeoutMs: 20_000,
    });
    await firstRun.stop();
    const secondRun = only('a');
    await secondRun.start();
    const more = await store.appendToStream(
      'Order',
      'sel-2',
      [
        {
          type: 'OrderCreated',
          data: { userId: 'u', items: [], totalAmount: 2, currency: 'EUR' },
        },
      ],
      { expectedVersion: 0 },
    );
    await secondRun.waitFor(more.envelopes[0]!.position, { timeoutMs: 20_000 });
    await secondRun.stop();
    const received = await readStream(nc, stream);
    expect(received.map((message) => message.headers[EVENT_HEADERS.aggregateId])).toEqual(['sel-1', 'sel-2']);
    expect(received.every((message) => message.headers[EVENT_HEADERS.eventType] === 'OrderCreated')).toBe(true);
    expect(before.envelopes).toHaveLength(1);
  });
});
