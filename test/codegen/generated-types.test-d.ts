/**
 * What the generated types allow and forbid, checked by the compiler: vitest runs `*.test-d.ts`
 * files through tsc (`typecheck` in vitest.config.ts), so a wrong expectation fails `npm test`
 * (test/codegen/type-tests.test.ts shows that it does).
 */
import { describe, expectTypeOf, it } from 'vitest';
import { isOrderPaid, orderCreated, type OrderCreated, type OrderCreatedV1, type OrderCreatedV2, type OrderEvent } from '../../examples/orders/src/generated/order/events.js';
import type { OrderState } from '../../examples/orders/src/generated/order/order.base.js';
import type { OrderListRow } from '../../examples/orders/src/generated/order/read-models.js';
import type { OrderStatus } from '../../examples/orders/src/generated/order/types.js';
import { upcastOrderCreatedV1ToV2 } from '../../examples/orders/src/generated/order/upcasters.js';

describe('generated types', () => {
  it('name the current payload version and type each upcast step from one version to the next', () => {
    expectTypeOf<OrderCreated>().toEqualTypeOf<OrderCreatedV2>();
    expectTypeOf(upcastOrderCreatedV1ToV2).parameter(0).toEqualTypeOf<OrderCreatedV1>();
    expectTypeOf(upcastOrderCreatedV1ToV2).returns.toEqualTypeOf<OrderCreatedV2>();
    expectTypeOf<OrderCreatedV1>().not.toExtend<OrderCreatedV2>(); // v1 lacks `currency`
  });

  it('discriminate the event union by type and narrow with guards', () => {
    expectTypeOf<OrderEvent['type']>().toEqualTypeOf<'OrderCreated' | 'OrderPaid' | 'OrderShipped' | 'OrderDelivered'>();
    expectTypeOf(orderCreated).parameter(0).toEqualTypeOf<OrderCreated>();
    const event = orderCreated({ userId: 'u', items: [], totalAmount: 0, currency: 'EUR' }) as OrderEvent;
    if (isOrderPaid(event)) expectTypeOf(event.data.paidAmount).toEqualTypeOf<number>();
    // @ts-expect-error a payload without `currency` is version 1, not the current one
    orderCreated({ userId: 'u', items: [], totalAmount: 0 });
  });

  it('type state and rows from the spec: enums as literal unions, datetimes as ISO strings, optional fields optional', () => {
    expectTypeOf<OrderState['status']>().toEqualTypeOf<OrderStatus>();
    expectTypeOf<OrderStatus>().toEqualTypeOf<'pending' | 'paid' | 'shipped' | 'delivered' | 'cancelled'>();
    expectTypeOf<OrderState['trackingNumber']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<OrderListRow['createdAt']>().toEqualTypeOf<string>();
  });

  it('make state readonly', () => {
    const state = {} as OrderState;
    // @ts-expect-error state changes only by applying events
    state.status = 'paid';
    // @ts-expect-error lists in state are readonly too
    state.items.push({ sku: 'x', quantity: 1, unitPrice: 1 });
  });
});
