import { describe, expect, it } from 'vitest';
import { bigintOf, toEnvelope, type EnvelopeRow } from '../../runtime/store/stored-event.js';
import { registry } from './fixtures/bank-account.js';

describe('bigintOf', () => {
  it.each([
    ['0', 0n],
    ['42', 42n],
    ['9007199254740991', 9007199254740991n],
    ['9007199254740993', 9007199254740993n],
    ['18446744073709551615', 18446744073709551615n],
  ])('reads %s exactly', (text, want) => {
    expect(bigintOf(text)).toBe(want);
  });
});

describe('toEnvelope', () => {
  const row: EnvelopeRow = {
    event_id: '7f1c1f3e-5a7b-4f0e-9a59-2f0c8a3b1d11',
    aggregate_type: 'BankAccount',
    aggregate_id: 'acc-1',
    version: 1,
    event_type: 'AccountOpened',
    event_version: 1,
    event_data: { owner: 'Ada' },
    metadata: null,
    occurred_at: new Date('2025-01-10T10:00:00Z'),
    correlation_id: null,
    causation_id: null,
    position: '9007199254740993',
    transaction_id: '12',
  };

  it('upcasts the payload, keeps the stored version and reads 64-bit positions exactly', () => {
    expect(toEnvelope(registry, row)).toEqual({
      type: 'AccountOpened',
      data: { owner: 'Ada', currency: 'EUR' },
      storedVersion: 1,
      eventId: row.event_id,
      aggregateType: 'BankAccount',
      aggregateId: 'acc-1',
      version: 1,
      occurredAt: row.occurred_at,
      correlationId: null,
      causationId: null,
      metadata: {},
      position: 9007199254740993n,
      transactionId: 12n,
    });
  });

  it('passes current-version payloads through without calling the upcaster', () => {
    const data = { amount: 5 };
    const envelope = toEnvelope(registry, { ...row, event_type: 'MoneyDeposited', event_version: 1, event_data: data });
    expect(envelope.data).toBe(data);
  });
});
