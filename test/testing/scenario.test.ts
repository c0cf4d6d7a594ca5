/** esgen/testing fails the way a test should: with what was expected and what happened. */
import { describe, expect, it } from 'vitest';
import { given, ScenarioFailed } from '../../runtime/testing/index.js';
import { Order, OrderRuleViolation } from '../../examples/orders/src/domain/order.js';
import { orderListReadModel } from '../../examples/orders/src/generated/index.js';

const created = { userId: 'alice', items: [{ sku: 'book', quantity: 2, unitPrice: 12.5 }], totalAmount: 25, currency: 'EUR' };
const past = [{ type: 'OrderCreated', data: created }] as const;

describe('given(Aggregate).when().then…', () => {
  it('then: fails on other events, other payloads, and a throwing command', () => {
    expect(() => given(Order, past).when((order) => order.pay('pay-1', 25)).then([])).toThrow(/expected the command to raise no events, but it raised \[OrderPaid\]/);
    expect(() =>
      given(Order, past)
        .when((order) => order.pay('pay-1', 25))
        .then([{ type: 'OrderPaid', data: { paymentId: 'pay-2', paidAmount: 25 } }]),
    ).toThrow(/raise \[OrderPaid\], but it raised \[OrderPaid\][\s\S]*pay-2/);
    expect(() =>
      given(Order)
        .when((order) => order.pay('pay-1', 25))
        .then([{ type: 'OrderPaid', data: { paymentId: 'pay-1', paidAmount: 25 } }]),
    ).toThrow(/but it threw OrderRuleViolation: payment of 25 does not match the order total 0/);
  });

  it('thenThrows: fails when nothing or something else is thrown, or the message differs', () => {
    expect(() => given(Order, past).when((order) => order.pay('pay-1', 25)).thenThrows(OrderRuleViolation)).toThrow('expected the command to throw OrderRuleViolation, but it raised [OrderPaid]');
    expect(() => given(Order, past).when(() => JSON.parse('{')).thenThrows(OrderRuleViolation)).toThrow(/but it threw SyntaxError/);
    expect(() => given(Order, past).when((order) => order.pay('pay-1', 1)).thenThrows(OrderRuleViolation, 'something else')).toThrow(/with a message matching something else/);
  });

  it('checks payloads with the generated validators, given and raised', () => {
    const bad = [{ type: 'OrderCreated', data: { ...created, totalAmount: 'lots' as unknown as number } }] as const;
    expect(() => given(Order, bad).thenState({})).toThrow('given event 1 (OrderCreated) has an invalid payload at /totalAmount');
    expect(() => given(Order).when((order) => order.place({ userId: 'alice', currency: 'EUR', items: [{ sku: 'x', quantity: 1.5, unitPrice: 1 }] })).then([])).toThrow(
      /raised event 1 \(OrderCreated\) has an invalid payload at \/items\/0\/quantity/,
    );
  });

  it('thenState compares the named fields only, and awaits async commands', async () => {
    given(Order, past).thenState({ status: 'pending', totalAmount: 25 });
    expect(() => given(Order, past).thenState({ status: 'paid' })).toThrow(ScenarioFailed);
    await given(Order, past)
      .when(async (order) => {
        await Promise.resolve();
        order.pay('pay-1', 25);
      })
      .then([{ type: 'OrderPaid', data: { paymentId: 'pay-1', paidAmount: 25 } }]);
    await expect(
      given(Order, past)
        .when(async () => {
          throw new OrderRuleViolation('later');
        })
        .thenThrows(OrderRuleViolation, 'sooner'),
    ).rejects.toThrow(/matching sooner/);
  });
});

describe('given(readModel, events).then…', () => {
  it('thenRows and thenRow fail on other rows', () => {
    const events = [{ type: 'OrderCreated', data: created, aggregateId: 'o-1', occurredAt: new Date('2026-03-01T10:00:00Z') }];
    expect(() => given(orderListReadModel, events).thenRows({})).toThrow(/OrderList holds other rows than expected/);
    expect(() => given(orderListReadModel, events).thenRow('o-1', { status: 'paid' })).toThrow(/row "o-1" differs/);
    expect(() => given(orderListReadModel, events).thenRow('o-2', { status: 'pending' })).toThrow('OrderList has no row "o-2" (rows: o-1)');
    expect(() => given(orderListReadModel, events).thenRow('o-1', undefined)).toThrow('has a row "o-1"; expected none');
    given(orderListReadModel, events).thenRow('o-2', undefined);
  });
});
