import type { EventContext } from 'esgen/runtime';
import type { MoneyWithdrawn } from '../generated/bank-account/events.js';
import { BankAccountBase } from '../generated/bank-account/bank-account.base.js';
import type { Address, Holder } from '../generated/bank-account/types.js';

/** A command the account's rules refuse; nothing was raised. */
export class AccountRuleViolation extends Error {
  override readonly name = 'AccountRuleViolation';
}

/**
 * BankAccount: the business rules of the bank-account example. esgen scaffolded this file once
 * and never overwrites it; state, raise methods and the apply dispatcher are in BankAccountBase.
 *
 * The balance changes through the spec's apply rules (`add`, `subtract`); `withdraw` refuses to go
 * beyond balance + overdraft limit. `onMoneyWithdrawn` runs after the rules (`handler: true`).
 */
export class BankAccount extends BankAccountBase {
  open(command: { holder: Holder; address: Address; currency: string; overdraftLimit?: number }): void {
    if (this.version > 0) throw new AccountRuleViolation(`account ${this.id} is already open`);
    const limit = command.overdraftLimit ?? 0;
    if (limit < 0) throw new AccountRuleViolation('an overdraft limit cannot be negative');
    this.raise('AccountOpened', { holder: command.holder, address: command.address, currency: command.currency, initialOverdraftLimit: limit });
  }

  deposit(amount: number, channel: string, reference?: string): void {
    this.#mustBeOpen();
    if (!(amount > 0)) throw new AccountRuleViolation('a deposit must be a positive amount');
    this.raise('MoneyDeposited', { amount, channel, ...(reference !== undefined ? { reference } : {}) });
  }

  withdraw(amount: number, reference?: string): void {
    this.#mustBeOpen();
    if (!(amount > 0)) throw new AccountRuleViolation('a withdrawal must be a positive amount');
    const available = this.state.balance + this.state.overdraftLimit;
    if (amount > available) {
      throw new AccountRuleViolation(`withdrawing ${amount} exceeds the available ${available} (balance ${this.state.balance}, overdraft ${this.state.overdraftLimit})`);
    }
    this.raise('MoneyWithdrawn', { amount, ...(reference !== undefined ? { reference } : {}) });
  }

  changeOverdraftLimit(limit: number, approvedBy: string): void {
    this.#mustBeOpen();
    if (limit < 0) throw new AccountRuleViolation('an overdraft limit cannot be negative');
    if (this.state.balance < -limit) throw new AccountRuleViolation(`the balance ${this.state.balance} is already below -${limit}`);
    this.raise('OverdraftLimitChanged', { limit, approvedBy });
  }

  tag(key: string, value: unknown): void {
    this.raise('AccountTagged', { key, value });
  }

  untag(key: string): void {
    if (!Object.hasOwn(this.state.tags, key)) throw new AccountRuleViolation(`account ${this.id} has no tag ${key}`);
    this.raise('AccountUntagged', { key });
  }

  freeze(reason: string): void {
    this.#mustBeOpen();
    this.raise('AccountFrozen', { reason });
  }

  close(): void {
    if (this.state.status === 'closed') throw new AccountRuleViolation(`account ${this.id} is already closed`);
    if (this.state.balance !== 0) throw new AccountRuleViolation(`pay out the balance of ${this.state.balance} before closing`);
    this.raise('AccountClosed', {});
  }

  /** After the spec's rule took the amount off the balance: the largest single withdrawal so far. */
  protected override onMoneyWithdrawn(data: MoneyWithdrawn, _context: EventContext): void {
    this.patchState({ largestWithdrawal: Math.max(this.state.largestWithdrawal, data.amount) });
  }

  #mustBeOpen(): void {
    if (this.version === 0) throw new AccountRuleViolation(`account ${this.id} is not open`);
    if (this.state.status !== 'open') throw new AccountRuleViolation(`account ${this.id} is ${this.state.status}`);
  }
}
