/**
 * The orders example end to end: the generated code from domain/order.esgen.yaml on the esgen
 * runtime. Runs on embedded PGlite (in memory) unless DATABASE_URL points at a server.
 *
 *   npm run example          # esgen build on this folder, then this script
 */
import { ConcurrencyError, createEventSourcing, createPgClient, InvalidEvent } from 'esgen/runtime';
import { resolveSchema } from 'esgen/runtime/admin';
import { Order } from './src/domain/order.js';
import { orderListReadModel, orderStatsReadModel, registry } from './src/generated/index.js';

const databaseUrl = process.env.DATABASE_URL || undefined;
// On a server the example keeps to a schema of its own and starts it afresh on every run.
const schema = process.env.ESGEN_EXAMPLE_SCHEMA ?? 'esgen_example';
if (databaseUrl) {
  const client = await createPgClient({ connectionString: databaseUrl });
  await client.query(`DROP SCHEMA IF EXISTS ${resolveSchema(schema).quoted} CASCADE`);
  await client.close();
}
const es = await createEventSourcing({ registry, ...(databaseUrl ? { databaseUrl, schema } : {}) });
const orders = es.repository(Order);
const say = (line: string) => console.log(line);

try {
  say(`esgen orders example on ${databaseUrl ? 'PostgreSQL server' : 'embedded PGlite (in memory)'}\n`);

  // Commands: load (or create), call a business method, save. The events go to the store.
  const first = orders.create('order-1');
  first.place({ userId: 'alice', currency: 'EUR', items: [{ sku: 'book', quantity: 2, unitPrice: 12.5 }] });
  await orders.save(first, { correlationId: crypto.randomUUID() });

  const paid = await orders.load('order-1');
  paid.pay('pay-77', 25);
  await orders.save(paid);
  const afterPayment = new Date();
  await new Promise((resolve) => setTimeout(resolve, 5));

  const shipped = await orders.load('order-1');
  shipped.ship('TRACK-123');
  await orders.save(shipped);

  for (const [id, userId, quantity] of [['order-2', 'bob', 1], ['order-3', 'alice', 3]] as const) {
    const order = orders.create(id);
    order.place({ userId, currency: 'EUR', items: [{ sku: 'pen', quantity, unitPrice: 2 }] });
    await orders.save(order);
  }

  const current = await orders.load('order-1');
  say(`order-1 now:        status=${current.state.status} tracking=${current.state.trackingNumber} version=${current.version}`);
  const yesterdayish = await orders.loadAtTime('order-1', afterPayment);
  say(`order-1 after pay:  status=${yesterdayish.state.status} version=${yesterdayish.version}   (loadAtTime)`);

  say('\norder-1 history (getEventsByAggregate):');
  for (const event of await es.store.getEventsByAggregate('Order', 'order-1')) {
    say(`  v${event.version} ${event.type.padEnd(14)} at ${event.occurredAt.toISOString()}  ${JSON.stringify(event.data)}`);
  }

  // Optimistic concurrency: two copies of the same order, the second save loses.
  const a = await orders.load('order-2');
  const b = await orders.load('order-2');
  a.pay('pay-1', 2);
  b.pay('pay-2', 2);
  await orders.save(a);
  try {
    await orders.save(b);
  } catch (error) {
    if (!(error instanceof ConcurrencyError)) throw error;
    say(`\nsecond writer:      ${error.code} ${error.message}`);
  }

  // Every payload is validated by the generated validator before anything is written.
  const bad = orders.create('order-4');
  bad.place({ userId: 'carol', currency: 'EUR', items: [{ sku: 'cup', quantity: 1.5, unitPrice: 3 }] });
  try {
    await orders.save(bad);
  } catch (error) {
    if (!(error instanceof InvalidEvent)) throw error;
    say(`invalid payload:    ${error.code} ${error.message}`);
  }
  say(`order-4 stored:     ${await orders.exists('order-4')}`);

  // Read models are asynchronous here: a worker catches up from the events table.
  const worker = es.readModelManager();
  await worker.start();
  await worker.waitForCatchUp();
  const list = es.readModel(orderListReadModel);
  say('\nOrderList where userId = alice (typed query on an indexed field):');
  for (const row of await list.find({ where: { userId: 'alice' }, orderBy: [['status', 'asc']] })) {
    say(`  ${JSON.stringify(row)}`);
  }
  say('OrderStats (one row per day):');
  for (const row of await es.readModel(orderStatsReadModel).find()) say(`  ${JSON.stringify(row)}`);
  await worker.stop();

  if (!(current instanceof Order)) throw new Error('the repository must build the user-owned Order class');
  say('\ndone.');
} finally {
  await es.close();
}
