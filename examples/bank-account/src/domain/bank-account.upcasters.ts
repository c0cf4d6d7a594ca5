import type { AccountOpenedV1, AccountOpenedV2 } from '../generated/bank-account/events.js';

// Custom upcast steps of BankAccount (user-owned; esgen never overwrites this file).

/**
 * AccountOpened v1 → v2: v1 only knew the holder's name. The address was not recorded then, so
 * it upcasts to an empty address, and accounts opened before overdrafts existed have none.
 */
export function upcastAccountOpenedV1ToV2(data: AccountOpenedV1): AccountOpenedV2 {
  return {
    holder: { name: data.holderName },
    address: { street: '', city: '', country: '' },
    currency: data.currency,
    overdraft: 0,
  };
}
