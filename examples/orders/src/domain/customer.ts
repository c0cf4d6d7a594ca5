import { CustomerBase } from '../generated/customer/customer.base.js';

/**
 * Customer: the business methods of the orders example's customers. esgen scaffolded this file
 * once and never overwrites it; the generated part is CustomerBase. Orders name their customer by
 * `userId`: the CustomerOrders read model (domain/customer-orders.esgen.yaml) joins both.
 */
export class Customer extends CustomerBase {
  register(name: string, email: string): void {
    if (this.version > 0) throw new Error(`customer ${this.id} is already registered`);
    if (name.trim() === '' || !email.includes('@')) throw new Error('a customer needs a name and an email address');
    this.raise('CustomerRegistered', { name, email });
  }

  rename(name: string): void {
    if (this.version === 0) throw new Error(`customer ${this.id} is not registered`);
    if (name.trim() === '') throw new Error('a customer needs a name');
    if (name !== this.state.name) this.raise('CustomerRenamed', { name });
  }
}
