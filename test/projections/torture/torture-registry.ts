import type { Registry } from '../../../runtime/index.js';
import { accountSummary, dailyTotals, inlineBalance, ledgerRegistry } from '../fixtures/ledger-registry.js';

/** Three async read models (one per worker) plus the inline one the writers maintain. */
export const tortureRegistry: Registry = {
  ...ledgerRegistry,
  readModels: {
    AccountSummary: accountSummary,
    DailyTotals: dailyTotals,
    OwnerTotals: { ...accountSummary, name: 'OwnerTotals', projection: 'owner_totals', indexes: [], fingerprint: 'owner_totals-v1' },
    InlineBalance: inlineBalance,
  },
};
