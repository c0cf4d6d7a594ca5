/**
 * A read model across aggregates (the orders example's CustomerOrders, declared in
 * domain/customer-orders.esgen.yaml) end to end: Customer and Order events, appended one stream at
 * a time and together in one transaction, out of order (orders before the registration), reach one
 * row per customer. Inline (in the append's transaction, whichever aggregate appends) and async
 * (the projection worker), then rebuilt: every time equal to a replay written here by hand, in
 * global order, that shares no code with the generated mappers.
 */
import { describe, expect, it } from 'vitest';
import { createEventReplayer } from '../../runtime/admin.js';
import { createReadModelManager, type EventEnvelope, type ReadModelDefinition, type Registry } from '../../runtime/index.js';
import { customerOrdersReadModel } from '../../examples/orders/src/generated/read-models/customer-orders.js';
import { registry as ordersRegistry } from '../../examples/orders/src/generated/registry.js';
import { openTestDatabase } from '../support/database.js';
import { allEvents, prepareLedger, projectionRows } from './projection-test-kit.js';

const inline: ReadModelDefinition<any> = { ...customerOrdersReadModel, name: 'CustomerOrdersInline', projection: 'customer_orders_inline', mode: 'inline' };
const registry: Registry = { ...ordersRegistry, readModels: { CustomerOrders: customerOrdersReadModel, CustomerOrdersInline: inline } };

interface Row {
  name?: string;
  orderCount: number;
  totalSpent: number;
  lastOrderAt?: string;
}

/** The rows by customer id, computed from the events in global order. */
function replayByHand(events: readonly EventEnvelope[]): Map<string, Row> {
  const rows = new Map<string, Row>();
  const row = (id: string) => rows.get(id) ?? { orderCount: 0, totalSpent: 0 };
  for (const event of events) {
    const data = event.data as { name?: string; userId?: string; totalAmount?: number };
    if (event.type === 'CustomerRegistered' || event.type === 'CustomerRenamed') rows.set(event.aggregateId, { ...row(event.aggregateId), name: data.name! });
    if (event.type === 'OrderCreated') {
      const current = row(data.userId!);
      const at = event.occurredAt.toISOString();
      rows.set(data.userId!, {
        ...current,
        orderCount: current.orderCount + 1,
        totalSpent: current.totalSpent + data.totalAmount!,
        lastOrderAt: current.lastOrderAt === undefined || at > current.lastOrderAt ? at : current.lastOrderAt,
      });
    }
  }
  return new Map([...rows].sort(([a], [b]) => (a < b ? -1 : 1)));
}

const order = (userId: string, amount: number, occurredAt: Date) => ({
  type: 'OrderCreated',
  data: { userId, items: [{ sku: 'sku-1', quantity: 1, unitPrice: amount }], totalAmount: amount, currency: 'EUR' },
  occurredAt,
});

describe('a read model across aggregates', () => {
  it('joins Customer and Order events by customer id, inline and async, equal to a replay by hand, also after a rebuild', async () => {
    const db = await openTestDatabase();
    try {
      const store = await prepareLedger(db, registry);
      const day = (n: number) => new Date(Date.UTC(2026, 2, n, 9, 30, 0, 250));
      // An order before its customer registers: the row starts from the Order side.
      await store.appendToStream('Order', 'o-1', [order('c-1', 30, day(3))], { expectedVersion: 'no_stream' });
      await store.appendToStream('Customer', 'c-1', [{ type: 'CustomerRegistered', data: { name: 'Ada', email: 'ada@example.com' } }], { expectedVersion: 'no_stream' });
      await store.appendToStream('Customer', 'c-2', [{ type: 'CustomerRegistered', data: { name: 'Bob', email: 'bob@example.com' } }], { expectedVersion: 'no_stream' });
      // Both aggregates in one transaction: the inline read model sees them in commit order.
      await store.appendMany([
        { aggregateType: 'Customer', aggregateId: 'c-2', events: [{ type: 'CustomerRenamed', data: { name: 'Robert' } }], expectedVersion: 1 },
        { aggregateType: 'Order', aggregateId: 'o-2', events: [order('c-2', 12.5, day(5))], expectedVersion: 'no_stream' },
        { aggregateType: 'Order', aggregateId: 'o-3', events: [order('c-1', 7, day(1))], expectedVersion: 'no_stream' },
      ]);
      // Concurrent appends of the two aggregates to the same row: the inline row locks serialise them.
      await Promise.all([
        store.appendToStream('Customer', 'c-1', [{ type: 'CustomerRenamed', data: { name: 'Ada L.' } }], { expectedVersion: 1 }),
        ...[4, 5, 6].map((n) => store.appendToStream('Order', `o-${n}`, [order('c-1', n, day(n + 2))], { expectedVersion: 'no_stream' })),
        store.appendToStream('Order', 'o-7', [order('c-3', 99, day(9))], { expectedVersion: 'no_stream' }),
      ]);
      // Order events that do not touch the read model.
      await store.appendToStream('Order', 'o-1', [{ type: 'OrderPaid', data: { paymentId: 'p-1', paidAmount: 30 } }], { expectedVersion: 1 });

      const events = await allEvents(store);
      const expected = replayByHand(events);
      expect([...expected.keys()]).toEqual(['c-1', 'c-2', 'c-3']);
      expect(expected.get('c-1')).toMatchObject({ name: 'Ada L.', orderCount: 5, totalSpent: 30 + 7 + 4 + 5 + 6 });

      expect(await projectionRows(db.client, db.schema, 'customer_orders_inline'), 'inline, right after the appends').toEqual(expected);

      const manager = createReadModelManager({ client: db.client, registry, schema: db.schema, pollIntervalMs: 20, batchSize: 3 });
      await manager.start();
      try {
        await manager.waitForCatchUp({ timeoutMs: 20_000 });
      } finally {
        await manager.stop();
      }
      expect(await projectionRows(db.client, db.schema, 'customer_orders'), 'async, after catch-up').toEqual(expected);

      const replayer = createEventReplayer({ client: db.client, registry, schema: db.schema, batchSize: 4 });
      for (const projection of ['customer_orders', 'customer_orders_inline']) {
        await replayer.rebuild(projection);
        expect(await projectionRows(db.client, db.schema, projection), `${projection} after a rebuild`).toEqual(expected);
      }
    } finally {
      await db.dispose();
    }
  });
});
