/** What esgen/testing's types allow and refuse: the generated event map decides. */
import { describe, it } from 'vitest';
import { given } from '../../runtime/testing/index.js';
import { Order } from '../../examples/orders/src/domain/order.js';

const created = { userId: 'alice', items: [{ sku: 'book', quantity: 2, unitPrice: 12.5 }], totalAmount: 25, currency: 'EUR' };

describe('given(Order, …) types', () => {
  it('takes the aggregate’s events with their payloads, and refuses others', () => {
    given(Order, [{ type: 'OrderCreated', data: created }]);
    // @ts-expect-error: not an event of Order
    given(Order, [{ type: 'OrderArchived', data: {} }]);
    // @ts-expect-error: OrderPaid's payload needs paidAmount
    given(Order, [{ type: 'OrderPaid', data: { paymentId: 'p' } }]);
    given(Order).when((order) => order.pay('p', 1)).then([{ type: 'OrderPaid', data: { paymentId: 'p', paidAmount: 1 } }]);
    // @ts-expect-error: paidAmount is a number
    given(Order).when((order) => order.pay('p', 1)).then([{ type: 'OrderPaid', data: { paymentId: 'p', paidAmount: '1' } }]);
    // @ts-expect-error: status is an OrderStatus
    given(Order).thenState({ status: 'lost' });
  });
});
