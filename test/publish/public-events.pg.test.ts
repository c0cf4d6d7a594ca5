import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { createMemoryDedupStore, createNatsPublisher, EVENT_HEADERS, isEsgenError, type PublishedEvent } from '../../runtime/index.js';
import { consumeOrderEvents, OrderSubjects, type OrderPublicEvents } from '../../examples/orders/src/generated/order/bus.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { deleteStream, natsConnection, NATS_URL, prepareStore, readStream, registry, uniqueStream } from './bus-test-kit.js';

/**
 * The orders spec marks `Order` public and `OrderDelivered` internal (`publish: false`): what the
 * stream holds and what the generated consumer hands to its handlers follow the spec.
 */
describe('public and internal events on the bus (orders spec)', () => {
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

  it('publishes the public events and never the internal one; the generated consumer receives them typed and upcast', async () => {
    const { stream, prefix } = uniqueStream();
    streams.push(stream);
    // Customer says nothing about publishing: its events are internal (Order's are public).
    expect(Object.entries(registry.events).map(([type, event]) => [type, event.publish])).toEqual([
      ['CustomerRegistered', undefined],
      ['CustomerRenamed', undefined],
      ['OrderCreated', true],
      ['OrderPaid', true],
      ['OrderShipped', true],
      ['OrderDelivered', false],
      ['OrderCancelled', true],
    ]);
    const publisher = createNatsPublisher(
      { client: db.client, registry, schema: db.schema },
      { name: `spec_${prefix}`, servers: NATS_URL, subjectPrefix: prefix, stream: { name: stream }, pollIntervalMs: 50 },
    );
    const store = await prepareStore(db.client, db.schema);
    // Written by an older release: OrderCreated version 1, without `currency`.
    const legacy = `legacy-${prefix}`;
    await db.client.query(
      `INSERT INTO "${db.schema}".events (event_id, aggregate_type, aggregate_id, version, event_type, event_version, event_data, occurred_at)
       VALUES ($1, 'Order', $2, 1, 'OrderCreated', 1, $3::jsonb, now())`,
      [randomUUID(), legacy, JSON.stringify({ userId: 'old', items: [], totalAmount: 12 })],
    );
    await publisher.start();
    const id = `pub-${prefix}`;
    const { envelopes } = await store.appendToStream(
      'Order',
      id,
      [
        { type: 'OrderCreated', data: { userId: 'u', items: [], totalAmount: 3, currency: 'EUR' } },
        { type: 'OrderPaid', data: { paymentId: 'p', paidAmount: 3 } },
        { type: 'OrderShipped', data: { trackingNumber: 'T-1' } },
        { type: 'OrderDelivered', data: {} },
      ],
      { expectedVersion: 0 },
    );
    // The checkpoint passes the internal event too: waiting for its position resolves.
    await publisher.waitFor(envelopes[3]!.position, { timeoutMs: 20_000 });
    await publisher.stop();

    const received = await readStream(nc, stream);
    expect(received.map((message) => [message.subject, message.headers[EVENT_HEADERS.aggregateVersion]])).toEqual([
      [`${prefix}.${OrderSubjects.OrderCreated}`, '1'], // the legacy order
      [`${prefix}.${OrderSubjects.OrderCreated}`, '1'],
      [`${prefix}.${OrderSubjects.OrderPaid}`, '2'],
      [`${prefix}.${OrderSubjects.OrderShipped}`, '3'],
    ]);

    const seen: PublishedEvent<keyof OrderPublicEvents & string, unknown>[] = [];
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const record = (event: PublishedEvent<keyof OrderPublicEvents & string, unknown>) => {
      seen.push(event);
      if (seen.length === 4) finish();
    };
    const errors: unknown[] = [];
    const consumer = await consumeOrderEvents({
      connection: nc,
      stream,
      subjectPrefix: prefix,
      name: `typed_${prefix}`,
      dedup: createMemoryDedupStore(),
      handlers: {
        OrderCreated: (event) => record(event),
        OrderPaid: (event) => record(event),
        OrderShipped: (event) => record(event),
      },
      onError: (error) => errors.push(error),
    });
    await done;
    await consumer.stop();
    // A durable consumer of the aggregate's subjects only.
    const info = await (await jetstreamManager(nc)).consumers.info(stream, `typed_${prefix}`);
    expect(info.config.filter_subject).toBe(`${prefix}.Order.>`);
    expect(errors).toEqual([]);
    expect(seen.map((event) => [event.type, event.aggregateId, event.version, event.storedVersion, event.data])).toEqual([
      ['OrderCreated', legacy, 1, 1, { userId: 'old', items: [], totalAmount: 12, currency: 'USD' }], // upcast by the generated step
      ['OrderCreated', id, 1, 2, { userId: 'u', items: [], totalAmount: 3, currency: 'EUR' }],
      ['OrderPaid', id, 2, 1, { paymentId: 'p', paidAmount: 3 }],
      ['OrderShipped', id, 3, 1, { trackingNumber: 'T-1' }],
    ]);
    expect(consumer.counts).toMatchObject({ handled: 4, terminated: 0, failed: 0 });
  });

  it('refuses at construction a publisher whose config names the internal event (ESG235), before touching the broker', () => {
    let thrown: unknown;
    try {
      createNatsPublisher(
        { client: db.client, registry, schema: db.schema },
        { name: 'delivered_bus', servers: NATS_URL, subjectPrefix: 'x', stream: { name: 'NEVER_CREATED' }, events: ['OrderDelivered'] },
      );
    } catch (error) {
      thrown = error;
    }
    expect(isEsgenError(thrown, 'ESG235')).toBe(true);
    expect((thrown as Error).message).toMatch(/event OrderDelivered is internal \(the spec says `publish: false`\)/);
  });
});
