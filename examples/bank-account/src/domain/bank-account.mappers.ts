import type { EventEnvelope, ProjectionChange } from 'esgen/runtime';
import type { MoneyWithdrawn } from '../generated/bank-account/events.js';
import type { AccountSummaryRow } from '../generated/bank-account/read-models.js';

// Custom read-model mappers of BankAccount (user-owned; esgen never overwrites this file).

/** AccountSummary on MoneyWithdrawn: the declarative rules tracked the smallest withdrawal; the balance goes down here. */
export function mapAccountSummaryOnMoneyWithdrawn(
  next: AccountSummaryRow,
  event: EventEnvelope<'MoneyWithdrawn', MoneyWithdrawn>,
  _current: AccountSummaryRow | undefined,
): ProjectionChange<AccountSummaryRow> {
  return { kind: 'upsert', row: { ...next, balance: next.balance - event.data.amount } };
}
