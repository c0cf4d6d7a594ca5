/**
 * The read-model operations of issue 12 on the database: computed values, `setOnce` and keyed list
 * operations (`upsert`, `removeBy`, `decrement`) of the shop fixture's CartLines, run by the
 * projection worker over events appended out of time order, equal to the rows written out by
 * hand here and to a replay, also after a rebuild. Datetimes land in canonical UTC.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createReadModelManager } from '../../runtime/index.js';
import { createEventReplayer } from '../../runtime/admin.js';
import { registry } from '../codegen/fixtures/shop/src/generated/registry.js';
import { openTestDatabase } from '../support/database.js';
import { allEvents, expectedRows, prepareLedger, projectionRows } from './projection-test-kit.js';

// CartSummary (inline, with a timestamptz index on openedAt) needs every cart opened first.
const opened = { type: 'CartOpened', data: { customerId: '0b7c3a52-3c8e-4a8e-9a57-1f0d2b9c6e11', channel: 'web', openedOn: '2024-03-01', attributes: {} } };
const item = (sku: string, quantity: number, amount: number, at: string) => ({ type: 'ItemAdded', data: { sku, quantity, price: { amount, currency: 'EUR' } }, occurredAt: new Date(at) });
const removal = (sku: string, at: string) => ({ type: 'ItemRemoved', data: { sku }, occurredAt: new Date(at) });
const checkout = (amount: number, checkedOutAt: string) => ({ type: 'CartCheckedOut', data: { total: { amount, currency: 'EUR' }, checkedOutAt }, occurredAt: new Date('2024-03-05T00:00:00Z') });

describe('computed values, setOnce and keyed list operations (CartLines)', () => {
  it('are applied by the worker as written, equal a replay, and survive a rebuild', async () => {
    const db = await openTestDatabase();
    try {
      const store = await prepareLedger(db, registry);
      const manager = createReadModelManager({ client: db.client, registry, schema: db.schema, pollIntervalMs: 50, batchSize: 3, personalData: store.personalData, projections: ['cart_lines'] });
      await manager.start();
      const first = randomUUID();
      const second = randomUUID();
      await store.appendToStream('Cart', first, [opened, item('A', 2, 1.5, '2024-03-01T12:00:00+02:00'), item('B', 1, 10, '2024-03-01T11:00:00Z')], { expectedVersion: 'no_stream' });
      await store.appendToStream('Cart', second, [opened, item('Z', 0, 4, '2024-03-01T09:00:00Z')], { expectedVersion: 'no_stream' });
      await store.appendToStream('Cart', first, [item('A', 3, 2, '2024-03-01T08:00:00Z'), removal('B', '2024-03-01T13:00:00Z'), removal('A', '2024-03-01T13:30:00Z')], { expectedVersion: 3 });
      // A later event with an earlier time: setOnce keeps the first by event order.
      await store.appendToStream('Cart', first, [checkout(10.5, '2024-03-04T10:00:00.5+02:00'), checkout(3, '2024-03-01T00:00:00-05:00')], { expectedVersion: 6 });
      await manager.waitForCatchUp({ timeoutMs: 20_000 });
      await manager.stop();

      const rows = await projectionRows(db.client, db.schema, 'cart_lines');
      expect(rows.get(first)).toEqual({
        // Removed by ItemRemoved A (removeBy); B went the same way before.
        lines: [],
        // A: 2 + 3 units, minus one (decrement); B: 1 − 1 = 0 → removed (removeAtZero).
        units: [{ sku: 'A', quantity: 4, unitPrice: 2, lineTotal: 0, firstAddedAt: '2024-03-01T08:00:00.000Z' }],
        value: 5, // (3 − 0.5) × 2, from the last checkout
        netUnits: 4, // 2 + 1 + 3 − 1 − 1
        lastUnitPrice: 2 / 3,
        firstItemAt: '2024-03-01T10:00:00.000Z', // 12:00+02:00, the first event's time
        firstSku: 'A',
        firstCheckoutAt: '2024-03-04T08:00:00.500Z',
      });
      // quantity 0: the division has no value (the field stays unset), the product is 0.
      expect(rows.get(second)).toEqual({ lines: [{ sku: 'Z', quantity: 0, unitPrice: 4, lineTotal: 0, firstAddedAt: '2024-03-01T09:00:00.000Z' }], units: [{ sku: 'Z', quantity: 0, unitPrice: 4, lineTotal: 0, firstAddedAt: '2024-03-01T09:00:00.000Z' }], value: 0, netUnits: 0, firstItemAt: '2024-03-01T09:00:00.000Z', firstSku: 'Z' });

      const definition = registry.readModels.CartLines!;
      const events = await allEvents(store);
      expect(rows).toEqual(expectedRows(definition, events));
      await createEventReplayer({ client: db.client, registry, schema: db.schema, batchSize: 2, personalData: store.personalData }).rebuild('cart_lines');
      expect(await projectionRows(db.client, db.schema, 'cart_lines')).toEqual(expectedRows(definition, events));
    } finally {
      await db.dispose();
    }
  });

  it('merges lines into the existing element when a cart is upserted twice for one SKU in one batch', async () => {
    const db = await openTestDatabase();
    try {
      const store = await prepareLedger(db, registry);
      const cart = randomUUID();
      const manager = createReadModelManager({ client: db.client, registry, schema: db.schema, pollIntervalMs: 50, batchSize: 100, personalData: store.personalData, projections: ['cart_lines'] });
      await store.appendToStream('Cart', cart, [opened, item('A', 1, 1, '2024-03-01T10:00:00Z'), item('B', 2, 1, '2024-03-01T10:01:00Z'), item('A', 4, 1.25, '2024-03-01T10:02:00Z')], { expectedVersion: 'no_stream' });
      await manager.start();
      await manager.waitForCatchUp({ timeoutMs: 20_000 });
      await manager.stop();
      const row = (await projectionRows(db.client, db.schema, 'cart_lines')).get(cart) as { lines: unknown[] };
      expect(row.lines).toEqual([
        { sku: 'A', quantity: 5, unitPrice: 1.25, lineTotal: 6, firstAddedAt: '2024-03-01T10:00:00.000Z' },
        { sku: 'B', quantity: 2, unitPrice: 1, lineTotal: 2, firstAddedAt: '2024-03-01T10:01:00.000Z' },
      ]);
    } finally {
      await db.dispose();
    }
  });
});
