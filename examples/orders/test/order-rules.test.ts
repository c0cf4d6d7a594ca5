/**
 * The orders example's business rules, as given/when/then scenarios: in memory, no database. The
 * payloads are typed by the generated OrderEvents and checked by the generated validators.
 */
import { describe, it } from 'vitest';
import { given } from 'esgen/testing';
import { Order, OrderRuleViolation } from '../src/domain/order.js';
import { orderListReadModel, orderStatsReadModel } from '../src/generated/index.js';

const created = { userId: 'alice', items: [{ sku: 'book', quantity: 2, unitPrice: 12.5 }], totalAmount: 25, currency: 'EUR' };

describe('Order', () => {
  it('is placed with its total computed from the items', () => {
    given(Order)
      .when((order) => order.place({ userId: 'alice', currency: 'EUR', items: created.items }))
      .then([{ type: 'OrderCreated', data: created }]);
  });

  it('refuses an order without items, and a second placement', () => {
    given(Order).when((order) => order.place({ userId: 'alice', currency: 'EUR', items: [] })).thenThrows(OrderRuleViolation, 'at least one item');
    given(Order, [{ type: 'OrderCreated', data: created }])
      .when((order) => order.place({ userId: 'bob', currency: 'EUR', items: created.items }))
      .thenThrows(OrderRuleViolation, /already placed/);
  });

  it('is paid with the exact total, and not twice', () => {
    given(Order, [{ type: 'OrderCreated', data: created }])
      .when((order) => order.pay('pay-1', 25))
      .then([{ type: 'OrderPaid', data: { paymentId: 'pay-1', paidAmount: 25 } }]);
    given(Order, [{ type: 'OrderCreated', data: created }]).when((order) => order.pay('pay-1', 24)).thenThrows(OrderRuleViolation, 'does not match the order total 25');
    given(Order, [
      { type: 'OrderCreated', data: created },
      { type: 'OrderPaid', data: { paymentId: 'pay-1', paidAmount: 25 } },
    ])
      .when((order) => order.pay('pay-2', 25))
      .thenThrows(OrderRuleViolation, 'is paid, not pending');
  });

  it('ships only when paid, and is delivered only when shipped (a hand-written handler)', () => {
    given(Order, [{ type: 'OrderCreated', data: created }]).when((order) => order.ship('T-1')).thenThrows(OrderRuleViolation, 'only paid orders ship');
    const shipped = [
      { type: 'OrderCreated', data: created },
      { type: 'OrderPaid', data: { paymentId: 'pay-1', paidAmount: 25 } },
      { type: 'OrderShipped', data: { trackingNumber: 'T-1' } },
    ] as const;
    given(Order, shipped).thenState({ status: 'shipped', trackingNumber: 'T-1' });
    given(Order, shipped).when((order) => order.deliver()).then([{ type: 'OrderDelivered', data: {} }]);
    given(Order, shipped).when((order) => order.deliver()).thenState({ status: 'delivered' });
  });
});

describe('Order cancellation', () => {
  it('cancels a pending or paid order with a reason, never a shipped one', () => {
    given(Order, [{ type: 'OrderCreated', data: created }])
      .when((order) => order.cancel('changed my mind'))
      .then([{ type: 'OrderCancelled', data: { reason: 'changed my mind' } }]);
    given(Order, [{ type: 'OrderCreated', data: created }]).when((order) => order.cancel(' ')).thenThrows(OrderRuleViolation, 'needs a reason');
    given(Order, [
      { type: 'OrderCreated', data: created },
      { type: 'OrderPaid', data: { paymentId: 'pay-1', paidAmount: 25 } },
      { type: 'OrderShipped', data: { trackingNumber: 'T-1' } },
    ])
      .when((order) => order.cancel('too late'))
      .thenThrows(OrderRuleViolation, 'only pending or paid orders can be cancelled');
  });
});

describe('read models', () => {
  it('OrderList follows each order’s status', () => {
    given(orderListReadModel, [
      { type: 'OrderCreated', data: created, aggregateId: 'order-1', occurredAt: new Date('2026-03-01T10:00:00Z') },
      { type: 'OrderPaid', data: { paymentId: 'pay-1', paidAmount: 25 }, aggregateId: 'order-1', occurredAt: new Date('2026-03-01T10:30:00Z') },
      // A second payment (a retry) keeps the first payment time (setOnce) and lowers the balance again.
      { type: 'OrderPaid', data: { paymentId: 'pay-2', paidAmount: 5 }, aggregateId: 'order-1', occurredAt: new Date('2026-03-01T10:40:00Z') },
      { type: 'OrderCreated', data: { ...created, userId: 'bob' }, aggregateId: 'order-2', occurredAt: new Date('2026-03-01T11:00:00Z') },
    ]).thenRows({
      'order-1': { userId: 'alice', total: 25, status: 'paid', createdAt: '2026-03-01T10:00:00.000Z', paidAt: '2026-03-01T10:30:00.000Z', balance: -5 },
      'order-2': { userId: 'bob', total: 25, status: 'pending', createdAt: '2026-03-01T11:00:00.000Z', balance: 25 },
    });
  });

  it('OrderStats merges the items of every order into one entry per SKU (upsert each, sum quantity)', () => {
    const items = [{ sku: 'book', quantity: 2, unitPrice: 12.5 }, { sku: 'pen', quantity: 1, unitPrice: 2 }, { sku: 'book', quantity: 3, unitPrice: 12 }];
    given(orderStatsReadModel, [
      { type: 'OrderCreated', data: { ...created, items, totalAmount: 63 }, aggregateId: 'order-1', occurredAt: new Date('2026-03-01T09:00:00Z') },
      { type: 'OrderCreated', data: { ...created, items: [{ sku: 'pen', quantity: 4, unitPrice: 2 }], totalAmount: 8 }, aggregateId: 'order-2', occurredAt: new Date('2026-03-01T10:00:00Z') },
    ]).thenRow('2026-03-01', { units: [{ sku: 'book', quantity: 5, unitPrice: 12 }, { sku: 'pen', quantity: 5, unitPrice: 2 }] });
  });

  it('OrderStats sums each day’s orders', () => {
    const events = ['2026-03-01T09:00:00Z', '2026-03-01T23:00:00Z', '2026-03-02T01:00:00Z'].map((at, index) => ({
      type: 'OrderCreated',
      data: { ...created, totalAmount: 10 * (index + 1) },
      aggregateId: `order-${index}`,
      occurredAt: new Date(at),
    }));
    given(orderStatsReadModel, events).thenRow('2026-03-01', { dailyTotal: 30, orderCount: 2, dailyTotalCents: 3000, units: [{ ...created.items[0]!, quantity: created.items[0]!.quantity * 2 }] });
    given(orderStatsReadModel, events).thenRow('2026-03-02', { dailyTotal: 30, orderCount: 1, dailyTotalCents: 3000, units: created.items });
  });
});
