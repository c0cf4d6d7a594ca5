import type { ReadModelDefinition, Registry } from '../../runtime/contracts.js';
import { registry as bankRegistry } from '../../test/runtime/fixtures/bank-account.js';

interface Balance {
  readonly id: string;
  readonly balance: number;
  readonly events: number;
}

/** A per-aggregate async read model: what "async read models running" means in the benches. */
export const balances: ReadModelDefinition<Balance> = {
  name: 'BenchBalances',
  projection: 'bench_balances',
  aggregateType: 'BankAccount',
  mode: 'async',
  eventTypes: ['AccountOpened', 'MoneyDeposited', 'MoneyWithdrawn'],
  keyOf: (event) => event.aggregateId,
  apply(current, event) {
    const amount = (event.data as { amount?: number }).amount ?? 0;
    const base = current ?? { id: event.aggregateId, balance: 0, events: 0 };
    const sign = event.type === 'MoneyWithdrawn' ? -1 : 1;
    return { kind: 'upsert', row: { ...base, balance: base.balance + sign * amount, events: base.events + 1 } };
  },
  indexes: [],
  fingerprint: 'bench_balances-v1',
};

/** The bank-account fixture's registry with the balances read model. */
export const benchRegistry: Registry = { ...bankRegistry, readModels: { BenchBalances: balances } };
