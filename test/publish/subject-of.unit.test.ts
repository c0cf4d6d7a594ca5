import { describe, expect, it } from 'vitest';
import { isEsgenError, subjectOf } from '../../runtime/index.js';
import { OrderSubjects } from '../../examples/orders/src/generated/order/bus.js';

describe('subjectOf', () => {
  it('puts the deployment’s prefix before a generated subject', () => {
    expect(subjectOf('shop', OrderSubjects.OrderPaid)).toBe('shop.Order.OrderPaid');
    expect(subjectOf('acme.shop', OrderSubjects.OrderCreated)).toBe('acme.shop.Order.OrderCreated');
  });

  it.each(['', 'shop.', 'shop.>', 'sh op', 'a..b', '*'])('refuses the prefix %j with InvalidArgument (ESG206)', (prefix) => {
    let thrown: unknown;
    try {
      subjectOf(prefix, OrderSubjects.OrderPaid);
    } catch (error) {
      thrown = error;
    }
    expect(isEsgenError(thrown, 'ESG206')).toBe(true);
    expect((thrown as Error).message).toContain(`subject prefix must be dot-separated NATS tokens`);
  });
});
