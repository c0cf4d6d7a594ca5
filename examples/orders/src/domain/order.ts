import type { EventContext } from 'esgen/runtime';
import type { OrderDelivered } from '../generated/order/events.js';
import { OrderBase } from '../generated/order/order.base.js';
import type { OrderItem } from '../generated/order/types.js';

/** A business rule refused a command; nothing was raised. */
export class OrderRuleViolation extends Error {
  override readonly name = 'OrderRuleViolation';
}

/**
 * Order: the business methods of the orders example. esgen scaffolded this file once and never
 * overwrites it; the generated part (state, raise methods, apply dispatcher) is OrderBase.
 *
 * Each method checks its rules against `this.state`, then raises an event; the declarative
 * `apply` rules in domain/order.esgen.yaml change the state, except for OrderDelivered, which has
 * no rules and is applied by `onOrderDelivered` below.
 */
export class Order extends OrderBase {
  /** Places the order: at least one item, positive quantities; the total is computed here. */
  place(command: { userId: string; items: readonly OrderItem[]; currency: string }): void {
    if (this.version > 0) throw new OrderRuleViolation(`order ${this.id} was already placed`);
    if (command.items.length === 0) throw new OrderRuleViolation('an order needs at least one item');
    const badItem = command.items.find((item) => item.quantity <= 0 || item.unitPrice < 0);
    if (badItem) throw new OrderRuleViolation(`item ${badItem.sku} needs a positive quantity and a price of at least 0`);
    const totalAmount = command.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
    this.raise('OrderCreated', { userId: command.userId, items: command.items, totalAmount, currency: command.currency });
  }

  /** Records the payment; the amount must match the order total. */
  pay(paymentId: string, paidAmount: number): void {
    if (this.state.status !== 'pending') throw new OrderRuleViolation(`order ${this.id} is ${this.state.status}, not pending`);
    if (paidAmount !== this.state.totalAmount) {
      throw new OrderRuleViolation(`payment of ${paidAmount} does not match the order total ${this.state.totalAmount}`);
    }
    this.raise('OrderPaid', { paymentId, paidAmount });
  }

  ship(trackingNumber: string): void {
    if (this.state.status !== 'paid') throw new OrderRuleViolation(`order ${this.id} is ${this.state.status}; only paid orders ship`);
    if (trackingNumber.trim() === '') throw new OrderRuleViolation('a shipment needs a tracking number');
    this.raise('OrderShipped', { trackingNumber });
  }

  deliver(): void {
    if (this.state.status !== 'shipped') throw new OrderRuleViolation(`order ${this.id} is ${this.state.status}; only shipped orders are delivered`);
    this.raise('OrderDelivered', {});
  }

  /** Cancels a pending or paid order (a paid one is refunded elsewhere); shipped orders cannot be cancelled. */
  cancel(reason: string): void {
    if (this.state.status !== 'pending' && this.state.status !== 'paid') throw new OrderRuleViolation(`order ${this.id} is ${this.state.status}; only pending or paid orders can be cancelled`);
    if (reason.trim() === '') throw new OrderRuleViolation('a cancellation needs a reason');
    this.raise('OrderCancelled', { reason });
  }

  /** OrderDelivered has no `apply` rules in the spec: the order is delivered from now on. */
  protected override onOrderDelivered(_data: OrderDelivered, _context: EventContext): void {
    this.patchState({ status: 'delivered' });
  }
}
