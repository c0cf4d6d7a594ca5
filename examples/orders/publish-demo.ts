/**
 * The orders example publishing to NATS JetStream: places, pays and ships orders (embedded PGlite
 * in memory unless DATABASE_URL is set) while a publisher forwards the public events (the spec
 * marks Order `publish: true`, OrderDelivered `publish: false`) to the stream, then waits until
 * JetStream acknowledged them all. Run consume-demo.ts beside it.
 *
 *   npx tsx examples/orders/publish-demo.ts      # NATS_URL (default 127.0.0.1:4222), ORDERS_STREAM (default ORDERS)
 */
import { createEventSourcing } from 'esgen/runtime';
import { Order } from './src/domain/order.js';
import { registry } from './src/generated/index.js';

const stream = process.env.ORDERS_STREAM ?? 'ORDERS';
const subjectPrefix = process.env.ORDERS_SUBJECT_PREFIX ?? 'shop';
const databaseUrl = process.env.DATABASE_URL || undefined;
const es = await createEventSourcing({ registry, ...(databaseUrl ? { databaseUrl, schema: process.env.ESGEN_EXAMPLE_SCHEMA ?? 'esgen_bus_example' } : {}) });
try {
  const publisher = es.publisher({
    name: 'orders_bus',
    servers: process.env.NATS_URL ?? '127.0.0.1:4222',
    subjectPrefix,
    stream: { name: stream, duplicateWindowSeconds: 600 },
    // No `events`/`aggregates`: the spec's public events. Lists here would add to them.
  });
  await publisher.start();

  const orders = es.repository(Order);
  const order = orders.create(`order-${Date.now()}`);
  order.place({ userId: 'alice', currency: 'EUR', items: [{ sku: 'book', quantity: 2, unitPrice: 12.5 }] });
  await orders.save(order, { correlationId: crypto.randomUUID() });
  const loaded = await orders.load(order.id);
  loaded.pay('pay-77', 25);
  await orders.save(loaded);
  loaded.ship('TRACK-123');
  const { envelopes } = await orders.save(loaded);
  const position = envelopes.at(-1)!.position;

  await publisher.waitFor(position, { timeoutMs: 30_000 });
  console.log(`published ${order.id}: OrderCreated, OrderPaid, OrderShipped on ${subjectPrefix}.Order.* (stream ${stream})`);
} finally {
  await es.close();
}
