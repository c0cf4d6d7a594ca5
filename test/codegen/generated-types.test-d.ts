/**
 * What the generated types allow and forbid, checked by the compiler: vitest runs `*.test-d.ts`
 * files through tsc (`typecheck` in vitest.config.ts), so a wrong expectation fails `npm test`
 * (test/codegen/type-tests.test.ts shows that it does).
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { EventConsumer, Envelopes, EventEnvelope, EventSourcedRepository, PublishedEvent, RepositoryTarget } from 'esgen/runtime';
import type { NatsConnection } from '@nats-io/transport-node';
import { consumeOrderEvents, OrderSubjects, type OrderPublicEvents } from '../../examples/orders/src/generated/order/bus.js';
import { Order } from '../../examples/orders/src/domain/order.js';
import type { OrderCreated, OrderCreatedV1, OrderEvent, OrderEvents } from '../../examples/orders/src/generated/order/events.js';
import { OrderBase, type OrderState } from '../../examples/orders/src/generated/order/order.base.js';
import type { OrderListRow } from '../../examples/orders/src/generated/order/read-models.js';
import type { OrderStatus } from '../../examples/orders/src/generated/order/types.js';

describe('generated types', () => {
  it('name the current payload plainly and older versions with their number', () => {
    expectTypeOf<OrderEvents['OrderCreated']>().toEqualTypeOf<OrderCreated>();
    expectTypeOf<OrderCreatedV1>().not.toExtend<OrderCreated>(); // v1 lacks `currency`
  });

  it('discriminate the event union by type', () => {
    expectTypeOf<OrderEvent['type']>().toEqualTypeOf<'OrderCreated' | 'OrderPaid' | 'OrderShipped' | 'OrderDelivered' | 'OrderCancelled'>();
    const event = {} as OrderEvent;
    if (event.type === 'OrderPaid') expectTypeOf(event.data.paidAmount).toEqualTypeOf<number>();
    expectTypeOf<Envelopes<OrderEvents>['OrderPaid']>().toEqualTypeOf<EventEnvelope<'OrderPaid', OrderEvents['OrderPaid']>>();
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

describe('raise and repositories', () => {
  class Probe extends Order {
    probe(): void {
      this.raise('OrderPaid', { paymentId: 'p', paidAmount: 1 });
      // @ts-expect-error an event of another aggregate (or a typo) is not raised
      this.raise('OrderPayed', { paymentId: 'p', paidAmount: 1 });
      // @ts-expect-error a payload of an older version is not the current one
      this.raise('OrderCreated', { userId: 'u', items: [], totalAmount: 0 });
      // @ts-expect-error a payload-less event takes exactly {}
      this.raise('OrderDelivered', { note: 'x' });
    }
  }
  it('type raise by the spec', () => {
    expectTypeOf(Probe).toExtend<RepositoryTarget<Probe>>();
  });

  it('open a repository of the user class, never of the abstract generated base', () => {
    expectTypeOf(Order).toExtend<RepositoryTarget<Order>>();
    expectTypeOf(OrderBase).not.toExtend<RepositoryTarget<Order>>();
    expectTypeOf<EventSourcedRepository<Order>['load']>().returns.resolves.toEqualTypeOf<Order>();
  });
});

describe('the generated bus module (public events only)', () => {
  it('lists the public events with their current payloads, and no internal one', () => {
    expectTypeOf<keyof OrderPublicEvents>().toEqualTypeOf<'OrderCreated' | 'OrderPaid' | 'OrderShipped' | 'OrderCancelled'>();
    expectTypeOf<OrderPublicEvents['OrderCreated']>().toEqualTypeOf<OrderCreated>();
    expectTypeOf(OrderSubjects).toEqualTypeOf<{ readonly OrderCreated: 'Order.OrderCreated'; readonly OrderPaid: 'Order.OrderPaid'; readonly OrderShipped: 'Order.OrderShipped'; readonly OrderCancelled: 'Order.OrderCancelled' }>();
  });

  it('hands each handler its typed event, upcast to the current version', () => {
    const connection = {} as NatsConnection;
    const consumer = consumeOrderEvents({
      connection,
      stream: 'SHOP',
      subjectPrefix: 'shop',
      name: 'billing',
      handlers: {
        OrderCreated: (event) => {
          expectTypeOf(event).toEqualTypeOf<PublishedEvent<'OrderCreated', OrderCreated>>();
          expectTypeOf(event.data.currency).toEqualTypeOf<string>(); // version 2's field, present on upcast v1 events too
        },
        OrderPaid: async (event, { tx }) => {
          expectTypeOf(event.data.paidAmount).toEqualTypeOf<number>();
          void tx;
        },
      },
    });
    expectTypeOf(consumer).resolves.toEqualTypeOf<EventConsumer>();
  });

  it('refuses handlers of internal events, typos and wrong payloads, and a consumer without the subject prefix', () => {
    const base = { connection: {} as NatsConnection, stream: 'SHOP', subjectPrefix: 'shop', name: 'billing' };
    // @ts-expect-error OrderDelivered is internal (`publish: false`): no handler, it is never published
    void consumeOrderEvents({ ...base, handlers: { OrderDelivered: () => undefined } });
    // @ts-expect-error a typo is not an event
    void consumeOrderEvents({ ...base, handlers: { OrderPayed: () => undefined } });
    // @ts-expect-error OrderPaid has no trackingNumber
    void consumeOrderEvents({ ...base, handlers: { OrderPaid: (event) => event.data.trackingNumber } });
    // @ts-expect-error the prefix decides the subjects the consumer reads
    void consumeOrderEvents({ connection: base.connection, stream: 'SHOP', name: 'billing', handlers: {} });
  });
});
