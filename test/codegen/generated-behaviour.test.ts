/**
 * Runs the committed generated code: aggregates raise and apply events as the specs say, stored
 * old payload versions upcast to the current one, validators name the offending field, and every
 * declarative read-model mapping produces the expected rows.
 */
import { describe, expect, it } from 'vitest';
import { aggregateDefinition, type EventEnvelope, type ProjectionChange, type ReadModelDefinition } from 'esgen/runtime';
import { Cart } from './fixtures/shop/src/domain/cart.js';
import { Customer } from './fixtures/shop/src/domain/customer.js';
import { CartBase } from './fixtures/shop/src/generated/cart/cart.base.js';
import type { CartLinesRow } from './fixtures/shop/src/generated/cart/read-models.js';
import { registry as shopRegistry } from './fixtures/shop/src/generated/registry.js';
import { Order } from '../../examples/orders/src/domain/order.js';
import { registry as ordersRegistry } from '../../examples/orders/src/generated/registry.js';
import { registry as bankRegistry } from '../../examples/bank-account/src/generated/registry.js';
import { BankAccount } from '../../examples/bank-account/src/domain/bank-account.js';
import { registry as hotelRegistry } from '../../examples/hotel-booking/src/generated/registry.js';
import { Booking } from '../../examples/hotel-booking/src/domain/booking.js';

const customerId = '0b7c3a52-3c8e-4a8e-9a57-1f0d2b9c6e11';

let nextPosition = 1n;
function envelope(type: string, data: unknown, overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  const position = nextPosition++;
  return {
    eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    aggregateType: 'Cart',
    aggregateId: 'cart-1',
    version: 1,
    occurredAt: new Date('2024-03-01T10:00:00.000Z'),
    correlationId: null,
    causationId: null,
    metadata: {},
    type,
    data,
    storedVersion: 1,
    position,
    transactionId: 1n,
    ...overrides,
  };
}

/** Feeds events through keyOf/apply as the runtime does, keeping rows in a map by key. */
function cartLinesOf(rows: Map<string, unknown>): CartLinesRow {
  const row = rows.get('cart-1');
  if (!row) throw new Error('no CartLines row for cart-1');
  return row as CartLinesRow;
}

function project<Row>(definition: ReadModelDefinition<Row>, events: readonly EventEnvelope[]): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const event of events) {
    if (!definition.eventTypes.includes(event.type)) continue;
    const key = definition.keyOf(event);
    if (key === undefined) continue;
    const change: ProjectionChange<Row> = definition.apply(rows.get(key), event);
    if (change.kind === 'upsert') rows.set(key, change.row);
    else if (change.kind === 'delete') rows.delete(key);
  }
  return rows;
}

describe('generated aggregate base classes', () => {
  it('applies declarative rules and on<Event> handlers when events are raised', () => {
    const cart = new Cart('cart-1');
    expect(cart.state).toEqual({ status: 'open', lines: [], itemCount: 0, attributes: {}, quantities: {} });
    cart.open(customerId, 'web', '2024-03-01');
    cart.addItem('sku-1', 2, { amount: 5, currency: 'EUR' });
    cart.addItem('sku-2', 1, { amount: 7.5, currency: 'EUR' });
    cart.removeItem('sku-1');
    expect(cart.state).toMatchObject({ customerId, status: 'open', openedOn: '2024-03-01', itemCount: 1, lines: [{ sku: 'sku-2', quantity: 1 }] });
    expect(cart.state.lastChangedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    cart.checkOut('2024-03-01T14:00:00+02:00');
    expect(cart.state.status).toBe('checkedOut');
    // Stored in the one datetime form (UTC, milliseconds), whatever offset the payload had.
    expect(cart.state.lastChangedAt).toBe('2024-03-01T12:00:00.000Z');
    expect(cart.version).toBe(5);
    expect(cart.uncommittedEvents().map((pending) => pending.event.type)).toEqual(['CartOpened', 'ItemAdded', 'ItemAdded', 'ItemRemoved', 'CartCheckedOut']);
  });

  it('changes one map entry per apply rule, then runs the handler (handler: true), without changing the previous state', () => {
    const cart = new Cart('cart-map');
    cart.open(customerId, 'web', '2024-03-01');
    cart.addItem('sku-1', 2, { amount: 5, currency: 'EUR' });
    const before = cart.state;
    const quantitiesBefore = cart.state.quantities;
    cart.addItem('sku-1', 3, { amount: 4.5, currency: 'EUR' });
    cart.addItem('sku-2', 1, { amount: 7, currency: 'EUR' });
    // add: a missing entry counts as 0; set: replaces the entry (an unset optional map counts as empty).
    expect(cart.state.quantities).toEqual({ 'sku-1': 5, 'sku-2': 1 });
    expect(cart.state.prices).toEqual({ 'sku-1': 4.5, 'sku-2': 7 });
    // The rules ran (itemCount: { add }) and the handler after them (lines).
    expect(cart.state.itemCount).toBe(6);
    expect(cart.state.lines.map((line) => line.sku)).toEqual(['sku-1', 'sku-1', 'sku-2']);
    // Immutable: the earlier state and its map are untouched.
    expect(quantitiesBefore).toEqual({ 'sku-1': 2 });
    expect(before.itemCount).toBe(2);
    cart.removeItem('sku-1');
    expect(cart.state.quantities).toEqual({ 'sku-2': 1 });
    expect(cart.state.itemCount).toBe(1);
    // Keys are data, never paths: an entry named like a prototype member is just an entry.
    cart.addItem('__proto__', 1, { amount: 1, currency: 'EUR' });
    expect(Object.keys(cart.state.quantities)).toEqual(['sku-2', '__proto__']);
    expect(JSON.parse(JSON.stringify(cart.state.quantities))).toEqual(JSON.parse('{"sku-2":1,"__proto__":1}'));
  });

  it('adds to and subtracts from one map entry, a missing entry counting as 0 (hotel-booking minibar)', () => {
    const booking = new Booking('b-minibar');
    booking.request({ roomId: '101', guest: { name: 'Ada', email: 'ada@example.org' }, stay: { checkIn: '2026-06-01', checkOut: '2026-06-03' }, pricePerNight: 100 });
    booking.confirm('C-1');
    booking.checkIn();
    booking.takeFromMinibar('water', 2);
    booking.takeFromMinibar('nuts', 1);
    booking.takeFromMinibar('water', 1);
    booking.returnToMinibar('water', 3);
    expect(booking.state.minibar).toEqual({ water: 0, nuts: 1 });
    expect(() => booking.returnToMinibar('nuts', 2)).toThrow(/1 taken/);
  });

  it('rebuilds the same state by replaying the raised events, and from a snapshot', () => {
    const original = new Cart('cart-2');
    original.open(customerId, 'mobile', '2024-03-02');
    original.addItem('sku-9', 3, { amount: 2, currency: 'EUR' });
    const replayed = new Cart('cart-2');
    original.uncommittedEvents().forEach((pending, index) =>
      replayed.replay(pending.event, { eventId: `e${index}`, aggregateType: 'Cart', aggregateId: 'cart-2', version: index + 1, occurredAt: pending.occurredAt, correlationId: null, causationId: null, metadata: {} }),
    );
    expect(replayed.state).toEqual(original.state);
    expect(replayed.persistedVersion).toBe(2);

    const snapshot = JSON.parse(JSON.stringify(original.snapshotState())) as unknown;
    const restored = new Cart('cart-2');
    restored.restoreSnapshot(snapshot, 2);
    expect(restored.state).toEqual(original.state);
    expect(restored.version).toBe(2);
  });

  it('publishes a state fingerprint that changes with the state shape only', () => {
    const fingerprint = CartBase.definition.stateFingerprint;
    expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(shopRegistry.aggregates.Cart?.stateFingerprint).toBe(fingerprint);
    expect(shopRegistry.aggregates.Customer?.stateFingerprint).not.toBe(fingerprint);
  });

  it('runs the business methods of the examples on the generated base', () => {
    const order = new Order('order-1');
    order.place({ userId: 'u-1', items: [{ sku: 'a', quantity: 2, unitPrice: 10 }], currency: 'EUR' });
    expect(order.state).toMatchObject({ userId: 'u-1', totalAmount: 20, status: 'pending' });
    order.pay('pay-1', 20);
    order.ship('TRACK-1');
    expect(order.state).toMatchObject({ status: 'shipped', trackingNumber: 'TRACK-1' });
    order.deliver(); // OrderDelivered has no apply rules: Order.onOrderDelivered sets the status
    expect(order.state.status).toBe('delivered');

    const account = new BankAccount('acc-1');
    account.open({ holder: { name: 'Ada' }, address: { street: 'Main 1', city: 'Bern', country: 'CH' }, currency: 'CHF', overdraftLimit: 100 });
    account.deposit(50, 'web');
    account.withdraw(120);
    expect(account.state).toMatchObject({ balance: -70, overdraftLimit: 100, status: 'open' });
    expect(() => account.withdraw(100)).toThrow(/exceeds the available 30/);
  });

  it('creates instances of the user class through the definition its base carries', () => {
    const customer = aggregateDefinition(Customer).create('cus-1');
    expect(customer).toBeInstanceOf(Customer);
    expect(Customer.definition).toBe(shopRegistry.aggregates.Customer);
    expect(customer?.aggregateType).toBe('Customer');
    expect(ordersRegistry.aggregates.Order?.snapshotEvery).toBe(100);
    expect(ordersRegistry.aggregates.Order?.eventTypes).toEqual(['OrderCreated', 'OrderPaid', 'OrderShipped', 'OrderDelivered', 'OrderCancelled']);
  });
});

describe('generated upcasters', () => {
  it('takes a stored v1 CartOpened through rename, remove, add and a custom step to v3', () => {
    const cartOpened = shopRegistry.events.CartOpened!;
    const v1 = { customer: customerId, source: ' App ', openedOn: '2024-01-31', legacyFlag: true };
    expect(cartOpened.validate(1, v1)).toEqual({ ok: true });
    const current = cartOpened.upcast(1, v1);
    expect(current).toEqual({ customerId, channel: 'mobile', openedOn: '2024-01-31', attributes: {} });
    expect(cartOpened.validate(3, current)).toEqual({ ok: true });
    expect(cartOpened.upcast(2, { customerId, channel: 'SHOP', openedOn: '2024-01-31', attributes: { a: 'b' } })).toEqual({
      customerId,
      channel: 'store',
      openedOn: '2024-01-31',
      attributes: { a: 'b' },
    });
    const v3 = { customerId, channel: 'web', openedOn: '2024-01-31', attributes: {} };
    expect(cartOpened.upcast(3, v3)).toBe(v3);
    expect(() => cartOpened.upcast(4, v3)).toThrow(/CartOpened has no payload version 4 \(known: 1\.\.3\)/);
  });

  it('upcasts the stored v1 payloads of the examples with the values the specs give', () => {
    expect(ordersRegistry.events.OrderCreated!.upcast(1, { userId: 'u-1', items: [], totalAmount: 5 })).toEqual({ userId: 'u-1', items: [], totalAmount: 5, currency: 'USD' });
    expect(bankRegistry.events.MoneyDeposited!.upcast(1, { amount: 10, branchCode: 'B-7', reference: 'r' })).toEqual({ amount: 10, reference: 'r', channel: 'branch' });
    // An absent optional field stays absent (no `reference: undefined`).
    expect(Object.keys(bankRegistry.events.MoneyDeposited!.upcast(1, { amount: 10, branchCode: 'B-7' }) as object)).toEqual(['amount', 'channel']);
    expect(bankRegistry.events.AccountOpened!.upcast(1, { holderName: 'Ada', currency: 'CHF' })).toEqual({
      holder: { name: 'Ada' },
      address: { street: '', city: '', country: '' },
      currency: 'CHF',
      initialOverdraftLimit: 0,
    });
    expect(hotelRegistry.events.BookingRequested!.upcast(1, { room: '101', guest: { name: 'G', email: 'g@x' }, stay: { checkIn: '2024-05-01', checkOut: '2024-05-03' }, nights: 2, priceQuoted: 200, promoCode: 'X' })).toEqual({
      roomId: '101',
      guest: { name: 'G', email: 'g@x' },
      stay: { checkIn: '2024-05-01', checkOut: '2024-05-03' },
      nights: 2,
      priceQuoted: 200,
    });
  });
});

describe('generated validators', () => {
  const itemAdded = { sku: 'sku-1', quantity: 2, price: { amount: 5, currency: 'EUR' }, tags: ['a'] };
  const cartOpened = { customerId, channel: 'web', openedOn: '2024-02-29', attributes: { source: 'ad' } };
  const cases: [string, { event: string; version: number; data: unknown; path: string; message: RegExp }][] = [
    ['a missing required field', { event: 'CartOpened', version: 3, data: { ...cartOpened, customerId: undefined }, path: '/customerId', message: /is required by CartOpened v3/ }],
    ['a property the spec does not declare', { event: 'CartOpened', version: 3, data: { ...cartOpened, coupon: 'X' }, path: '/coupon', message: /is not a field of CartOpened v3/ }],
    ['a malformed uuid', { event: 'CartOpened', version: 3, data: { ...cartOpened, customerId: 'not-a-uuid' }, path: '/customerId', message: /must be a UUID/ }],
    ['an impossible date', { event: 'CartOpened', version: 3, data: { ...cartOpened, openedOn: '2023-02-29' }, path: '/openedOn', message: /must be a date/ }],
    ['a value outside the enum', { event: 'CartOpened', version: 3, data: { ...cartOpened, channel: 'fax' }, path: '/channel', message: /one of SalesChannel: web, mobile, store/ }],
    ['a map value of the wrong type', { event: 'CartOpened', version: 3, data: { ...cartOpened, attributes: { 'a/b': 1 } }, path: '/attributes/a~1b', message: /must be a string/ }],
    ['a fractional integer', { event: 'ItemAdded', version: 1, data: { ...itemAdded, quantity: 1.5 }, path: '/quantity', message: /must be an integer/ }],
    ['a nested value type field', { event: 'ItemAdded', version: 1, data: { ...itemAdded, price: { amount: '5', currency: 'EUR' } }, path: '/price/amount', message: /must be a finite number/ }],
    ['an array element', { event: 'ItemAdded', version: 1, data: { ...itemAdded, tags: ['a', 2] }, path: '/tags/1', message: /must be a string/ }],
    ['a datetime without offset', { event: 'CartCheckedOut', version: 1, data: { total: { amount: 1, currency: 'EUR' }, checkedOutAt: '2024-03-01T10:00:00' }, path: '/checkedOutAt', message: /ISO 8601 date-time with offset/ }],
    ['a payload that is not an object', { event: 'ItemRemoved', version: 1, data: null, path: '', message: /must be an object \(ItemRemoved v1\), got null/ }],
    ['an unknown payload version', { event: 'ItemRemoved', version: 2, data: { sku: 'x' }, path: '', message: /ItemRemoved has no payload version 2 \(known: 1\.\.1\)/ }],
    ['an old version missing its own field', { event: 'CartOpened', version: 1, data: { customer: customerId, source: 'web', openedOn: '2024-01-01' }, path: '/legacyFlag', message: /is required by CartOpened v1/ }],
  ];
  for (const [name, { event, version, data, path, message }] of cases) {
    it(`rejects ${name} and names the field`, () => {
      const result = shopRegistry.events[event]!.validate(version, data);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]!.path).toBe(path);
      expect(result.errors[0]!.message).toMatch(message);
    });
  }

  it('accepts valid payloads, optional fields absent or present', () => {
    expect(shopRegistry.events.CartOpened!.validate(3, cartOpened)).toEqual({ ok: true });
    expect(shopRegistry.events.CartOpened!.validate(3, { ...cartOpened, email: 'a@b.c' })).toEqual({ ok: true });
    expect(shopRegistry.events.ItemAdded!.validate(1, { sku: 's', quantity: 1, price: { amount: 0, currency: 'EUR' } })).toEqual({ ok: true });
    expect(shopRegistry.events.CartCheckedOut!.validate(1, { total: { amount: 1, currency: 'EUR' }, checkedOutAt: '2024-03-01T10:00:00.123+02:00' })).toEqual({ ok: true });
  });

  it('checks value types that refer to a type declared later, and to themselves', () => {
    const contact = { address: { street: 'Main St 1', city: 'Ghent' }, referredBy: { address: { street: 'Side St 2', city: 'Bruges' } } };
    expect(shopRegistry.events.ContactChanged!.validate(1, { contact })).toEqual({ ok: true });
    const result = shopRegistry.events.ContactChanged!.validate(1, { contact: { ...contact, referredBy: { address: { street: 'Side St 2' } } } });
    expect(result).toEqual({ ok: false, errors: [{ path: '/contact/referredBy/address/city', message: 'is required by Address' }] });
  });

  it('reports every problem of a payload at once', () => {
    const result = shopRegistry.events.ItemAdded!.validate(1, { quantity: -0.5, price: {}, extra: 1 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((issue) => issue.path)).toEqual(['/sku', '/quantity', '/price/amount', '/price/currency', '/extra']);
  });

  it('lists the pii fields of the current version', () => {
    expect(shopRegistry.events.CartOpened!.piiFields).toEqual(['email']);
    expect(shopRegistry.events.CustomerRegistered!.piiFields).toEqual(['email']);
    expect(shopRegistry.events.ItemAdded!.piiFields).toEqual([]);
    // Where each version's personal values sit and whose they are (docs/personal-data.md).
    expect(shopRegistry.events.CartOpened!.personalData).toEqual({ subject: ['customerId'], versions: [[], [], [{ path: ['email'] }]] });
    expect(shopRegistry.events.CustomerRegistered!.personalData).toEqual({ subject: '$aggregateId', versions: [[{ path: ['email'], redacted: '' }]] });
    expect(shopRegistry.events.ItemAdded!.personalData).toBeUndefined();
  });
});

describe('generated read-model mappers', () => {
  const opened = (id: string, channel: string, at: string) =>
    envelope('CartOpened', { customerId, channel, openedOn: at.slice(0, 10), attributes: {} }, { aggregateId: id, version: 1, occurredAt: new Date(at) });
  const added = (id: string, version: number, sku: string, quantity: number) =>
    envelope('ItemAdded', { sku, quantity, price: { amount: 3, currency: 'EUR' } }, { aggregateId: id, version });
  const checkedOut = (id: string, version: number, amount: number, at: string, occurredAt = at) =>
    envelope('CartCheckedOut', { total: { amount, currency: 'EUR' }, checkedOutAt: at }, { aggregateId: id, version, occurredAt: new Date(occurredAt) });

  it('copies (from), sets constants, adds, increments, appends and reads envelope fields (CartSummary)', () => {
    const rows = project(shopRegistry.readModels.CartSummary!, [
      opened('cart-1', 'web', '2024-03-01T09:00:00.000Z'),
      added('cart-1', 2, 'sku-1', 2),
      added('cart-1', 3, 'sku-2', 5),
      envelope('ItemRemoved', { sku: 'sku-1' }, { aggregateId: 'cart-1', version: 4 }),
    ]);
    expect(rows.get('cart-1')).toEqual({
      customerId,
      channel: 'web',
      status: 'open',
      openedAt: '2024-03-01T09:00:00.000Z',
      itemCount: 6, // 2 + 5 added, increment of -1 on removal
      skus: ['sku-1', 'sku-2'],
      lastVersion: 4,
    });
  });

  it('calls the custom mapper after the declarative rules, and deletes on deleteOn events', () => {
    const definition = shopRegistry.readModels.CartSummary!;
    const rows = project(definition, [opened('cart-1', 'web', '2024-03-01T09:00:00.000Z'), checkedOut('cart-1', 2, 12, '2024-03-01T10:00:00Z')]);
    expect(rows.get('cart-1')).toMatchObject({ status: 'checkedOut', total: 12 });
    // The user's mapper ignores a zero checkout of an existing row.
    expect(definition.apply(rows.get('cart-1'), checkedOut('cart-1', 3, 0, '2024-03-01T11:00:00Z'))).toEqual({ kind: 'unchanged' });
    const afterAbandon = project(definition, [opened('cart-2', 'web', '2024-03-01T09:00:00.000Z'), envelope('CartAbandoned', {}, { aggregateId: 'cart-2', version: 2 })]);
    expect(afterAbandon.has('cart-2')).toBe(false);
  });

  it('buckets rows by UTC day of an event datetime and keeps min/max (DailySales)', () => {
    const rows = project(shopRegistry.readModels.DailySales!, [
      checkedOut('a', 5, 30, '2024-03-01T23:30:00-02:00', '2024-03-02T01:30:00Z'), // 01:30 UTC on the 2nd
      checkedOut('b', 4, 10, '2024-03-02T08:00:00Z'),
      checkedOut('c', 7, 50, '2024-03-02T20:00:00Z'),
      checkedOut('d', 2, 99, '2024-03-01T12:00:00Z'),
    ]);
    expect([...rows.keys()].sort()).toEqual(['2024-03-01', '2024-03-02']);
    const constants = { reportedSince: '2024-01-01T00:00:00.000Z', auditedAt: '2024-05-01T10:00:00.500Z' };
    expect(rows.get('2024-03-02')).toEqual({
      revenue: 90,
      carts: 3,
      biggestSale: 50,
      smallestSale: 10,
      firstSaleAt: '2024-03-02T01:30:00.000Z',
      lastSaleAt: '2024-03-02T20:00:00.000Z',
      lastCheckoutAt: '2024-03-02T20:00:00.000Z',
      checkouts: ['2024-03-02T01:30:00.000Z', '2024-03-02T08:00:00.000Z', '2024-03-02T20:00:00.000Z'],
      ...constants,
    });
    expect(rows.get('2024-03-01')).toEqual({
      revenue: 99,
      carts: 1,
      biggestSale: 99,
      smallestSale: 99,
      firstSaleAt: '2024-03-01T12:00:00.000Z',
      lastSaleAt: '2024-03-01T12:00:00.000Z',
      lastCheckoutAt: '2024-03-01T12:00:00.000Z',
      checkouts: ['2024-03-01T12:00:00.000Z'],
      ...constants,
    });
  });

  // Issue 12: one datetime format in rows and state, whichever operation wrote the value.
  const canonical = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
  it.each([
    ['from (a payload datetime)', 'lastCheckoutAt', '2024-03-02T00:00:00.000Z'],
    ['min', 'firstSaleAt', '2024-03-02T00:00:00.000Z'],
    ['max of $occurredAt', 'lastSaleAt', '2024-03-02T00:00:00.000Z'],
    ['append', 'checkouts', ['2024-03-02T00:00:00.000Z']],
    ['a constant (`const`)', 'auditedAt', '2024-05-01T10:00:00.500Z'],
    ['a default', 'reportedSince', '2024-01-01T00:00:00.000Z'],
    ['from (a list of payload datetimes)', 'reminders', ['2024-03-02T00:00:00.000Z', '2024-03-03T00:00:00.000Z']],
  ])('writes datetimes as UTC with milliseconds: %s', (_op, field, want) => {
    // The same instant spelled with an offset and with microseconds.
    const event = checkedOut('a', 2, 5, '2024-03-02T02:00:00.000000+02:00', '2024-03-02T02:00:00+02:00');
    const withReminders = { ...event, data: { ...(event.data as object), remindersAt: ['2024-03-02T02:00:00+02:00', '2024-03-02T19:00:00-05:00'] } };
    const rows = project(shopRegistry.readModels.DailySales!, [withReminders]);
    const row = rows.get('2024-03-02') as Record<string, unknown>;
    expect(row[field]).toEqual(want);
    for (const value of [row[field]].flat()) expect(value).toMatch(canonical);
  });

  it('writes aggregate state datetimes as UTC with milliseconds (apply from a payload and from $occurredAt), dates as YYYY-MM-DD', () => {
    const cart = new Cart('cart-9');
    cart.open(customerId, 'web', '2024-03-01');
    expect(cart.state.openedOn).toBe('2024-03-01');
    expect(cart.state.lastChangedAt).toMatch(canonical);
    cart.addItem('sku-1', 1, { amount: 5, currency: 'EUR' });
    cart.checkOut('2024-03-01T23:30:00.1-02:00');
    expect(cart.state.lastChangedAt).toBe('2024-03-02T01:30:00.100Z');
  });

  it('keys rows by an event field and ignores events outside the key (ChannelStats)', () => {
    const definition = shopRegistry.readModels.ChannelStats!;
    const rows = project(definition, [opened('a', 'web', '2024-03-01T09:00:00Z'), opened('b', 'store', '2024-03-01T09:00:00Z'), opened('c', 'web', '2024-03-01T09:00:00Z')]);
    expect(Object.fromEntries(rows)).toEqual({ web: { opened: 2 }, store: { opened: 1 } });
    expect(definition.keyOf(added('a', 2, 'x', 1))).toBeUndefined();
    expect(definition.apply(undefined, added('a', 2, 'x', 1))).toEqual({ kind: 'unchanged' });
  });

  it('buckets by month of a nested date field and copies $aggregateId (hotel-booking)', () => {
    const requested = (id: string, roomId: string, checkIn: string, priceQuoted: number) =>
      envelope('BookingRequested', { roomId, guest: { name: 'G', email: 'g@x' }, stay: { checkIn, checkOut: '2024-12-31' }, nights: 2, priceQuoted }, { aggregateId: id, aggregateType: 'Booking' });
    const events = [requested('b-1', '101', '2024-05-30', 200), requested('b-2', '101', '2024-06-02', 300), requested('b-3', '102', '2024-05-01', 100)];
    expect(Object.fromEntries(project(hotelRegistry.readModels.CheckInsByMonth!, events))).toEqual({ '2024-05': { count: 2, revenue: 300 }, '2024-06': { count: 1, revenue: 300 } });
    expect(project(hotelRegistry.readModels.RoomDemand!, events).get('101')).toEqual({
      bookings: 2,
      nightsBooked: 4,
      latestCheckIn: '2024-06-02',
      lastBookingId: 'b-2',
      firstRequestedAt: '2024-03-01T10:00:00.000Z',
      stays: [
        { checkIn: '2024-05-30', checkOut: '2024-12-31' },
        { checkIn: '2024-06-02', checkOut: '2024-12-31' },
      ],
    });
    // pricePerNight is computed (priceQuoted / nights); with 0 nights there is no value.
    expect(project(hotelRegistry.readModels.BookingDetails!, events).get('b-1')).toMatchObject({ pricePerNight: 100 });
    const free = envelope('BookingRequested', { roomId: '9', guest: { name: 'G', email: 'g@x' }, stay: { checkIn: '2024-01-01', checkOut: '2024-01-01' }, nights: 0, priceQuoted: 0 }, { aggregateId: 'b-9', aggregateType: 'Booking' });
    expect(project(hotelRegistry.readModels.BookingDetails!, [free]).get('b-9')).not.toHaveProperty('pricePerNight');
  });

  it('reads metadata and envelope ids into rows and subtracts in the custom mapper (bank-account)', () => {
    const account = (type: string, data: unknown, version: number, extra: Partial<EventEnvelope> = {}) => envelope(type, data, { aggregateId: 'acc-1', aggregateType: 'BankAccount', version, ...extra });
    const deposit = account('MoneyDeposited', { amount: 100, channel: 'web' }, 2);
    const rows = project(bankRegistry.readModels.AccountSummary!, [
      account('AccountOpened', { holder: { name: 'Ada' }, address: { street: 's', city: 'Bern', country: 'CH' }, currency: 'CHF', initialOverdraftLimit: 0 }, 1, { metadata: { userId: 'clerk-7' } }),
      deposit,
      account('MoneyWithdrawn', { amount: 30 }, 3),
      account('MoneyWithdrawn', { amount: 20 }, 4),
    ]);
    expect(rows.get('acc-1')).toMatchObject({ holderName: 'Ada', city: 'Bern', openedBy: 'clerk-7', balance: 50, depositCount: 1, largestDeposit: 100, smallestWithdrawal: 20, depositIds: [deposit.eventId] });
  });

  it('adds deposits and subtracts withdrawals per UTC day (bank-account DailyMovements)', () => {
    const movement = (type: string, amount: number, at: string) => envelope(type, { amount, channel: 'web' }, { aggregateId: 'acc-1', aggregateType: 'BankAccount', occurredAt: new Date(at) });
    const rows = project(bankRegistry.readModels.DailyMovements!, [
      movement('MoneyDeposited', 100, '2024-03-01T08:00:00Z'),
      envelope('MoneyWithdrawn', { amount: 30 }, { aggregateId: 'acc-1', aggregateType: 'BankAccount', occurredAt: new Date('2024-03-01T09:00:00Z') }),
      envelope('MoneyWithdrawn', { amount: 45.5 }, { aggregateId: 'acc-1', aggregateType: 'BankAccount', occurredAt: new Date('2024-03-02T09:00:00Z') }),
    ]);
    expect(rows.get('2024-03-01')).toMatchObject({ deposited: 100, withdrawn: 30, net: 70 });
    expect(rows.get('2024-03-02')).toMatchObject({ deposited: 0, withdrawn: 45.5, net: -45.5 });
  });

  describe('CartLines: computed values, setOnce and keyed list operations', () => {
    const at = (iso: string) => ({ occurredAt: new Date(iso) });
    const added = (sku: string, quantity: number, amount: number, when: string) => envelope('ItemAdded', { sku, quantity, price: { amount, currency: 'EUR' } }, at(when));
    const removed = (sku: string, when: string) => envelope('ItemRemoved', { sku }, at(when));
    const checkedOut = (amount: number, checkedOutAt: string) => envelope('CartCheckedOut', { total: { amount, currency: 'EUR' }, checkedOutAt }, at('2024-03-05T00:00:00Z'));
    const lines = () => cartLinesOf(project(shopRegistry.readModels.CartLines!, [
      added('A', 2, 1.5, '2024-03-01T10:00:00Z'),
      added('B', 1, 10, '2024-03-01T11:00:00Z'),
      added('A', 3, 2, '2024-03-01T12:00:00Z'),
      removed('B', '2024-03-01T13:00:00Z'),
    ]));

    it('upserts by key: given fields replace, sum fields add, keep fields keep the first value; removeBy drops the element', () => {
      expect(lines().lines).toEqual([{ sku: 'A', quantity: 5, unitPrice: 2, lineTotal: 9, firstAddedAt: '2024-03-01T10:00:00.000Z' }]);
    });

    it('decrements a number field of the matching element and removes it at zero when declared', () => {
      expect(lines().units).toEqual([{ sku: 'A', quantity: 5, unitPrice: 2, lineTotal: 0, firstAddedAt: '2024-03-01T12:00:00.000Z' }]);
      const row = cartLinesOf(project(shopRegistry.readModels.CartLines!, [added('A', 2, 1, '2024-03-01T10:00:00Z'), removed('A', '2024-03-01T11:00:00Z'), removed('Z', '2024-03-01T11:30:00Z')]));
      expect(row.units).toEqual([{ sku: 'A', quantity: 1, unitPrice: 1, lineTotal: 0, firstAddedAt: '2024-03-01T10:00:00.000Z' }]);
      expect(cartLinesOf(project(shopRegistry.readModels.CartLines!, [added('A', 1, 1, '2024-03-01T10:00:00Z'), removed('A', '2024-03-01T11:00:00Z')])).units).toEqual([]);
    });

    it('computes values with + - * / over payload fields and literals; integer stays integer', () => {
      const row = lines();
      expect(row.value).toBe(19); // 2 × 1.5 + 1 × 10 + 3 × 2
      expect(row.netUnits).toBe(5); // 2 + 1 + 3 − 1 (`add: "-1"`)
      expect(row.lastUnitPrice).toBeCloseTo(2 / 3);
      expect(cartLinesOf(project(shopRegistry.readModels.CartLines!, [added('A', 1, 1, '2024-03-01T10:00:00Z'), checkedOut(10.5, '2024-03-01T10:00:00Z')])).value).toBe(20); // (10.5 − 0.5) × 2
    });

    it('gives no value for a division by zero: set clears the optional field, nothing is NaN or Infinity', () => {
      const row = cartLinesOf(project(shopRegistry.readModels.CartLines!, [added('A', 2, 4, '2024-03-01T10:00:00Z'), added('B', 0, 4, '2024-03-01T11:00:00Z')]));
      expect(row).not.toHaveProperty('lastUnitPrice');
      expect(row.value).toBe(8);
      expect(JSON.stringify(row)).not.toMatch(/null|NaN|Infinity/);
    });

    it('refuses an overflowing computed value with ESG228 rather than store Infinity', () => {
      expect(() => project(shopRegistry.readModels.CartLines!, [added('A', 10, 1e308, '2024-03-01T10:00:00Z')])).toThrow(expect.objectContaining({ code: 'ESG228' }));
    });

    it('keeps the first value by event order with setOnce (not the earliest time), datetimes in canonical UTC', () => {
      const row = cartLinesOf(project(shopRegistry.readModels.CartLines!, [
        added('B', 1, 1, '2024-03-02T10:00:00+02:00'),
        added('A', 1, 1, '2024-03-01T10:00:00Z'),
        checkedOut(1, '2024-03-01T10:00:00.123+02:00'),
        checkedOut(1, '2024-02-01T00:00:00+01:00'),
      ]));
      expect(row.firstSku).toBe('B');
      expect(row.firstItemAt).toBe('2024-03-02T08:00:00.000Z');
      expect(row.firstCheckoutAt).toBe('2024-03-01T08:00:00.123Z');
    });
  });

  it('exposes the index list and a fingerprint of the mapping rules', () => {
    expect(shopRegistry.readModels.CartSummary!.indexes).toEqual([
      { field: 'customerId', type: 'text', unique: false },
      { field: 'openedAt', type: 'timestamptz', unique: false },
    ]);
    expect(shopRegistry.readModels.CustomerDirectory!.indexes).toContainEqual({ field: 'email', type: 'text', unique: true });
    const fingerprints = Object.values(shopRegistry.readModels).map((definition) => definition.fingerprint);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
    expect(shopRegistry.readModels.CartSummary!.mode).toBe('inline');
  });
});
