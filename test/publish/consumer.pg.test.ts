import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  createEventConsumer,
  createNatsPublisher,
  createPostgresDedupStore,
  decodeEvent,
  EVENT_HEADERS,
  InvalidPublishedEvent,
  isEsgenError,
  type PublishedEvent,
} from '../../runtime/index.js';
import type { OrderCreated, OrderEvents } from '../../examples/orders/src/generated/order/events.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { deleteStream, natsConnection, NATS_URL, prepareStore, registry, uniqueStream } from './bus-test-kit.js';

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const headersOf = (values: Record<string, string>) => ({
  subject: 'orders.Order.OrderCreated',
  header: (name: string) => values[name],
  text: () => '',
});

describe('typed consumers', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  const { stream, prefix } = uniqueStream();

  beforeAll(async () => {
    db = await openTestDatabase();
    await prepareStore(db.client, db.schema);
    nc = await natsConnection();
    await jetstreamManager(nc).then((jsm) => jsm.streams.add({ name: stream, subjects: [`${prefix}.>`] }));
  });
  afterAll(async () => {
    await deleteStream(nc, stream);
    await nc.close();
    await db.dispose();
  });

  it('a v1 event stored by an older release arrives upcast; a re-sent duplicate is handled once; a failing handler is retried', async () => {
    const store = await prepareStore(db.client, db.schema);
    // Written by an older release: OrderCreated version 1, without `currency`.
    const legacyId = randomUUID();
    await db.client.query(
      `INSERT INTO "${db.schema}".events (event_id, aggregate_type, aggregate_id, version, event_type, event_version, event_data, occurred_at)
       VALUES ($1, 'Order', 'legacy-1', 1, 'OrderCreated', 1, $2::jsonb, now())`,
      [legacyId, JSON.stringify({ userId: 'old', items: [], totalAmount: 12 })],
    );
    await store.appendToStream(
      'Order',
      'new-1',
      [
        {
          type: 'OrderCreated',
          data: {
            userId: 'new',
            items: [{ sku: 'a', quantity: 2, unitPrice: 3 }],
            totalAmount: 6,
            currency: 'EUR',
          },
        },
        { type: 'OrderPaid', data: { paymentId: 'pay-1', paidAmount: 6 } },
      ],
      { expectedVersion: 0 },
    );
    const publisher = createNatsPublisher(
      { client: db.client, registry, schema: db.schema },
      {
        name: 'typed_bus',
        servers: NATS_URL,
        subjectPrefix: prefix,
        stream: { name: stream },
        pollIntervalMs: 50,
      },
    );
    await publisher.start();
    await publisher.waitForCatchUp({ timeoutMs: 20_000 });
    await publisher.stop();

    // A re-publish outside the duplicate window: same event, new message id.
    const js = jetstream(nc);
    const paid = await jetstreamManager(nc).then((jsm) =>
      jsm.streams.getMessage(stream, {
        last_by_subj: `${prefix}.Order.OrderPaid`,
      }),
    );
    const copy = natsHeaders();
    for (const [key, values] of paid!.header) if (key !== 'Nats-Msg-Id') copy.set(key, values[0]!);
    await js.publish(paid!.subject, paid!.data, {
      headers: copy,
      msgID: randomUUID(),
    });

    await db.client.query(`CREATE TABLE "${db.schema}".payments (payment_id text PRIMARY KEY)`);
    const dedup = createPostgresDedupStore({
      client: db.client,
      consumer: 'billing',
      schema: db.schema,
    });
    await dedup.ensure();
    const created: PublishedEvent<'OrderCreated', OrderCreated>[] = [];
    const paidDeliveries: number[] = [];
    const errors: unknown[] = [];
    const consumer = await createEventConsumer<OrderEvents>({
      connection: nc,
      stream,
      name: 'billing',
      registry,
      dedup,
      maxRetryDelayMs: 200,
      onError: (error) => errors.push(error),
      handlers: {
        OrderCreated: (event) => {
          created.push(event);
        },
        OrderPaid: async (event, { tx, deliveryCount }) => {
          paidDeliveries.push(deliveryCount);
          await tx!.query(`INSERT INTO "${db.schema}".payments (payment_id) VALUES ($1)`, [event.data.paymentId]);
          if (paidDeliveries.length === 1) throw new Error('payment service unavailable');
        },
      },
    });
    await until(() => consumer.counts.handled === 3 && consumer.counts.duplicates === 1, 'three events handled and one duplicate');
    await consumer.stop();

    const legacy = created.find((event) => event.aggregateId === 'legacy-1')!;
    expect(legacy.storedVersion).toBe(1);
    expect(legacy.data).toEqual({
      userId: 'old',
      items: [],
      totalAmount: 12,
      currency: 'USD',
    });
    expect(legacy.eventId).toBe(legacyId);
    const current = created.find((event) => event.aggregateId === 'new-1')!;
    expect(current.storedVersion).toBe(2);
    expect(current.data.currency).toBe('EUR');
    expect(current.version).toBe(1);
    // The first attempt failed and rolled back its insert with the dedup record; the copy (a new
    // message of the same event) then committed both; the original's redelivery was a duplicate.
    expect(paidDeliveries).toEqual([1, 1]);
    expect((await db.client.query(`SELECT payment_id FROM "${db.schema}".payments`)).rows).toEqual([{ payment_id: 'pay-1' }]);
    expect(errors.map(String)).toEqual(['Error: payment service unavailable']);
  });

  it('terminates an invalid message with a clear error, never handles it, and carries on', async () => {
    const js = jetstream(nc);
    const base = (eventId: string): Record<string, string> => ({
      [EVENT_HEADERS.eventId]: eventId,
      [EVENT_HEADERS.eventType]: 'OrderCreated',
      [EVENT_HEADERS.eventVersion]: '2',
      [EVENT_HEADERS.aggregateType]: 'Order',
      [EVENT_HEADERS.aggregateId]: 'bad-1',
      [EVENT_HEADERS.aggregateVersion]: '1',
      [EVENT_HEADERS.globalPosition]: '99',
      [EVENT_HEADERS.occurredAt]: new Date().toISOString(),
    });
    const send = async (values: Record<string, string>, payload: string) => {
      const headers = natsHeaders();
      for (const [key, value] of Object.entries(values)) headers.set(key, value);
      await js.publish(`${prefix}.Order.OrderCreated`, payload, { headers });
    };
    const invalidId = randomUUID();
    await send(base(invalidId), JSON.stringify({ userId: 5, items: [], totalAmount: 1, currency: 'EUR' }));
    await send(base(randomUUID()), '{not json');
    const validId = randomUUID();
    await send(
      base(validId),
      JSON.stringify({
        userId: 'u',
        items: [],
        totalAmount: 1,
        currency: 'EUR',
      }),
    );
    const handled: string[] = [];
    const errors: unknown[] = [];
    const consumer = await createEventConsumer<OrderEvents>({
      connection: nc,
      stream,
      name: 'strict',
      registry,
      filterSubject: `${prefix}.Order.OrderCreated`,
      onError: (error) => errors.push(error),
      handlers: { OrderCreated: (event) => void handled.push(event.eventId) },
    });
    await until(() => handled.includes(validId), 'the valid event after the invalid ones');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await consumer.stop();
    expect(handled).not.toContain(invalidId);
    expect(consumer.counts.terminated).toBe(2);
    expect(errors).toHaveLength(2);
    expect(errors.every((error) => error instanceof InvalidPublishedEvent && isEsgenError(error, 'ESG234'))).toBe(true);
    expect(String((errors[0] as Error).message)).toMatch(new RegExp(`event ${invalidId}.*OrderCreated version 2 payload is invalid: /userId must be a string, got number 5\\.$`));
    expect(String((errors[1] as Error).message)).toMatch(/the payload is not JSON/);
    // Terminated, not redelivered: nothing is left pending on the consumer.
    const info = await jetstreamManager(nc).then((jsm) => jsm.consumers.info(stream, 'strict'));
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
  });

  it('decodeEvent says what is wrong with headers', () => {
    const complete = {
      [EVENT_HEADERS.eventId]: 'e-1',
      [EVENT_HEADERS.eventType]: 'OrderCreated',
      [EVENT_HEADERS.eventVersion]: '3',
      [EVENT_HEADERS.aggregateType]: 'Order',
      [EVENT_HEADERS.aggregateId]: 'o',
      [EVENT_HEADERS.aggregateVersion]: '1',
      [EVENT_HEADERS.globalPosition]: '1',
      [EVENT_HEADERS.occurredAt]: '2026-01-01T00:00:00Z',
    };
    const failure = (values: Record<string, string>) => {
      try {
        decodeEvent(registry, headersOf(values));
      } catch (error) {
        return (error as Error).message;
      }
      return 'decoded';
    };
    expect(failure(complete)).toMatch(/OrderCreated version 3 is newer than this service knows \(version 2\)/);
    expect(failure({ ...complete, [EVENT_HEADERS.eventType]: 'OrderLost' })).toMatch(/the event type OrderLost is not in this service's registry/);
    const { [EVENT_HEADERS.aggregateVersion]: _, ...noVersion } = complete;
    expect(failure({ ...noVersion, [EVENT_HEADERS.eventVersion]: '2' })).toMatch(/the payload is not JSON/); // payload is checked before the later headers
    expect(failure({ ...complete, [EVENT_HEADERS.eventVersion]: 'two' })).toMatch(/Esgen-Event-Version must be a positive integer/);
    const { [EVENT_HEADERS.eventType]: __, ...noType } = complete;
    expect(failure(noType)).toMatch(/the header Esgen-Event-Type is missing/);
  });
});
