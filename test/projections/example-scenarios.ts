/**
 * Scenarios for the examples' read-model check: each drives an example domain through its own
 * (user-owned) aggregate class and the repository, as an application would.
 */
import type { AggregateRootLike, PostgresEventStore, Registry, RepositoryTarget } from '../../runtime/index.js';
import { registry as bankRegistry } from '../../examples/bank-account/src/generated/registry.js';
import { BankAccount } from '../../examples/bank-account/src/domain/bank-account.js';
import { registry as orderRegistry } from '../../examples/orders/src/generated/registry.js';
import { Order } from '../../examples/orders/src/domain/order.js';
import { Customer } from '../../examples/orders/src/domain/customer.js';
import { registry as bookingRegistry } from '../../examples/hotel-booking/src/generated/registry.js';
import { Booking } from '../../examples/hotel-booking/src/domain/booking.js';

export interface ExampleScenario {
  readonly example: string;
  readonly registry: Registry;
  run(store: PostgresEventStore): Promise<void>;
}

async function change<T extends AggregateRootLike>(store: PostgresEventStore, type: RepositoryTarget<T>, id: string, work: (aggregate: T) => void, userId = 'u-1'): Promise<void> {
  const repository = store.repository(type);
  const aggregate = (await repository.exists(id)) ? await repository.load(id) : repository.create(id);
  work(aggregate);
  await repository.save(aggregate, { metadata: { userId } });
}

export const exampleScenarios: readonly ExampleScenario[] = [
  {
    example: 'bank-account',
    registry: bankRegistry,
    async run(store) {
      const cities = ['Lisbon', 'Porto', 'Faro'];
      for (let n = 0; n < 9; n++) {
        const id = `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`; // the spec says `id: uuid`
        await change(store, BankAccount, id, (account) =>
          account.open({ holder: { name: `Holder ${n}` }, address: { street: `${n} Main St`, city: cities[n % 3]!, country: 'PT' }, currency: 'EUR', overdraftLimit: 50 }),
        `teller-${n % 2}`);
        for (let k = 1; k <= 4; k++) await change(store, BankAccount, id, (account) => account.deposit(10 * k + n, k % 2 ? 'branch' : 'online', `ref-${k}`));
        await change(store, BankAccount, id, (account) => account.withdraw(5 + n));
        if (n % 3 === 0) await change(store, BankAccount, id, (account) => account.freeze('audit'));
        if (n % 4 === 1) await change(store, BankAccount, id, (account) => account.tag('segment', { tier: n }));
      }
    },
  },
  {
    example: 'orders',
    registry: orderRegistry,
    async run(store) {
      // Customers user-0..user-3 register (user-3 after its first orders, user-4 never), so
      // CustomerOrders joins rows from both aggregates in either order.
      for (let c = 0; c < 3; c++) await change(store, Customer, `user-${c}`, (customer) => customer.register(`Customer ${c}`, `c${c}@example.com`));
      for (let n = 0; n < 12; n++) {
        if (n === 6) await change(store, Customer, 'user-3', (customer) => customer.register('Late Customer', 'late@example.com'));
        if (n === 8) await change(store, Customer, 'user-1', (customer) => customer.rename('Customer One'));
        const id = `order-${n}`;
        const items = [{ sku: `sku-${n % 4}`, quantity: 1 + (n % 3), unitPrice: 10 + n }];
        await change(store, Order, id, (order) => order.place({ userId: `user-${n % 5}`, items, currency: 'EUR' }));
        const total = items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
        if (n % 4 !== 3) await change(store, Order, id, (order) => order.pay(`pay-${n}`, total));
        if (n % 4 === 0 || n % 4 === 1) await change(store, Order, id, (order) => order.ship(`track-${n}`));
        if (n % 4 === 0) await change(store, Order, id, (order) => order.deliver());
      }
    },
  },
  {
    example: 'hotel-booking',
    registry: bookingRegistry,
    async run(store) {
      for (let n = 0; n < 10; n++) {
        const id = `00000000-0000-4000-9000-${String(n).padStart(12, "0")}`; // the spec says `id: uuid`
        const stay = { checkIn: `2026-07-${String(1 + n).padStart(2, '0')}`, checkOut: `2026-07-${String(3 + n).padStart(2, '0')}` };
        await change(store, Booking, id, (booking) =>
          booking.request({ roomId: `room-${n % 3}`, guest: { name: `Guest ${n}`, email: `g${n}@example.com` }, stay, pricePerNight: 80 + n }),
        );
        if (n % 5 === 4) {
          await change(store, Booking, id, (booking) => booking.cancel('changed plans'));
          continue;
        }
        await change(store, Booking, id, (booking) => booking.confirm(`C-${n}`));
        if (n % 2 === 0) await change(store, Booking, id, (booking) => booking.addNote('late arrival'));
        if (n % 3 !== 2) {
          await change(store, Booking, id, (booking) => booking.checkIn());
          await change(store, Booking, id, (booking) => booking.checkOut(n * 3));
        }
      }
    },
  },
];
