/**
 * Generated code agrees with PostgreSQL and with itself: what the generated checks accept is
 * stored and read back unchanged, what PostgreSQL cannot store (or would store as something
 * else) is refused as InvalidEvent before anything is written, and an aggregate's state after
 * `save` is the state a reload gives, down to the event ids its apply rules read.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../runtime/migrations/migrate.js';
import { createEventStore, type PostgresEventStore } from '../../runtime/store/event-store.js';
import { testVault } from '../support/personal-data.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { Cart } from '../codegen/fixtures/shop/src/domain/cart.js';
import { registry as shopRegistry } from '../codegen/fixtures/shop/src/generated/registry.js';
import { BankAccount } from '../../examples/bank-account/src/domain/bank-account.js';
import { registry as bankRegistry } from '../../examples/bank-account/src/generated/registry.js';

const registry = { aggregates: { ...shopRegistry.aggregates, ...bankRegistry.aggregates }, events: { ...shopRegistry.events, ...bankRegistry.events }, readModels: { ...shopRegistry.readModels, ...bankRegistry.readModels } };
const customerId = '0b7c3a52-3c8e-4a8e-9a57-1f0d2b9c6e11';
const cartOpened = (openedOn: string, attributes: Record<string, string> = {}) => ({ customerId, channel: 'web', openedOn, attributes });

let db: TestDatabase;
let store: PostgresEventStore;

beforeAll(async () => {
  db = await openTestDatabase();
  await migrate(db.client, { schema: db.schema });
  // Both domains have `pii` fields: the store needs a master key (docs/personal-data.md).
  store = createEventStore({ client: db.client, registry, schema: db.schema, personalData: testVault(db.client, db.schema) });
});
afterAll(() => db.dispose());

describe('payloads the generated checks accept, on PostgreSQL', () => {
  async function roundTrip(type: 'Cart' | 'BankAccount', event: string, data: unknown): Promise<unknown> {
    const id = randomUUID();
    await store.appendToStream(type, id, [{ type: event, data }], { expectedVersion: 'no_stream' });
    const [stored] = await store.getEventsByAggregate(type, id);
    return stored!.data;
  }

  const accepted: [string, { type: 'Cart' | 'BankAccount'; event: string; data: unknown }][] = [
    ['a date in year 0001', { type: 'Cart', event: 'CartOpened', data: cartOpened('0001-01-01') }],
    ['a date in year 0099 (Date.UTC would read it as 1999)', { type: 'Cart', event: 'CartOpened', data: cartOpened('0099-12-31') }],
    ['a leap day of year 0004', { type: 'Cart', event: 'CartOpened', data: cartOpened('0004-02-29') }],
    ['a datetime in year 0050 with an offset', { type: 'Cart', event: 'CartCheckedOut', data: { total: { amount: 1, currency: 'EUR' }, checkedOutAt: '0050-06-01T12:00:00+02:00' } }],
    ['map keys and strings outside the BMP (surrogate pairs)', { type: 'Cart', event: 'CartOpened', data: cartOpened('2024-01-01', { '😀 key': 'value 𝄞' }) }],
    ['nested json with every JSON type', { type: 'BankAccount', event: 'AccountTagged', data: { key: 'k', value: { list: [1, -2.5, 'x', true, null, { deep: [] }], empty: {} } } }],
  ];
  for (const [name, { type, event, data }] of accepted) {
    it(`stores and reads back ${name} unchanged`, async () => {
      expect(registry.events[event]!.validate(registry.events[event]!.version, data)).toEqual({ ok: true });
      expect(await roundTrip(type, event, data)).toStrictEqual(data);
    });
  }

  const refused: [string, { type: 'Cart' | 'BankAccount'; event: string; data: unknown; path: string; message: RegExp }][] = [
    ['a NUL in a string', { type: 'Cart', event: 'ItemRemoved', data: { sku: 'a\u0000b' }, path: '/sku', message: /NUL/ }],
    ['a lone high surrogate in a string', { type: 'Cart', event: 'ItemRemoved', data: { sku: 'a\ud800' }, path: '/sku', message: /lone UTF-16 surrogate/ }],
    ['a lone low surrogate in a map value', { type: 'Cart', event: 'CartOpened', data: cartOpened('2024-01-01', { k: '\udc00x' }), path: '/attributes/k', message: /lone UTF-16 surrogate/ }],
    ['a NUL in a map key', { type: 'Cart', event: 'CartOpened', data: cartOpened('2024-01-01', { 'k\u0000': 'v' }), path: '/attributes/k\u0000', message: /NUL/ }],
    ['a NUL inside a json value', { type: 'BankAccount', event: 'AccountTagged', data: { key: 'k', value: { note: ['ok', 'x\u0000'] } }, path: '/value/note/1', message: /NUL/ }],
    ['a lone surrogate in a json object key', { type: 'BankAccount', event: 'AccountTagged', data: { key: 'k', value: { '\ud83d': 1 } }, path: '/value/\ud83d', message: /lone UTF-16 surrogate/ }],
    ['NaN inside a json array', { type: 'BankAccount', event: 'AccountTagged', data: { key: 'k', value: [1, Number.NaN] }, path: '/value/1', message: /finite number/ }],
    ['Infinity as a json value', { type: 'BankAccount', event: 'AccountTagged', data: { key: 'k', value: Number.POSITIVE_INFINITY }, path: '/value', message: /finite number/ }],
    ['undefined inside a json array', { type: 'BankAccount', event: 'AccountTagged', data: { key: 'k', value: [1, undefined] }, path: '/value/1', message: /JSON value/ }],
    ['undefined as a json object property', { type: 'BankAccount', event: 'AccountTagged', data: { key: 'k', value: { a: undefined } }, path: '/value/a', message: /JSON value/ }],
    ['a Date inside a json value', { type: 'BankAccount', event: 'AccountTagged', data: { key: 'k', value: { at: new Date(0) } }, path: '/value/at', message: /JSON value/ }],
    ['year 0000 (PostgreSQL has no year 0)', { type: 'Cart', event: 'CartOpened', data: cartOpened('0000-01-01'), path: '/openedOn', message: /date/ }],
    ['February 29 of a year that is not a leap year (0100)', { type: 'Cart', event: 'CartOpened', data: cartOpened('0100-02-29'), path: '/openedOn', message: /date/ }],
  ];
  for (const [name, { type, event, data, path, message }] of refused) {
    it(`refuses ${name} as InvalidEvent and writes nothing`, async () => {
      const id = randomUUID();
      const appending = store.appendToStream(type, id, [{ type: event, data }], { expectedVersion: 'no_stream' });
      await expect(appending).rejects.toMatchObject({ code: 'ESG202', issues: [expect.objectContaining({ path, message: expect.stringMatching(message) })] });
      expect(await store.streamVersion(type, id)).toBe(0);
    });
  }
});

describe('an aggregate saved and reloaded', () => {
  it('has the same state after save as after load, with apply rules reading $eventId and $occurredAt', async () => {
    const carts = store.repository(Cart);
    const cart = carts.create(randomUUID());
    cart.open(customerId, 'web', '0042-03-01');
    cart.addItem('sku-1', 2, { amount: 5, currency: 'EUR' });
    cart.checkOut('2024-03-01T12:00:00+01:00');
    const raisedIds = cart.uncommittedEvents().map((pending) => pending.eventId);
    await carts.save(cart, { correlationId: randomUUID(), metadata: { user: 'u-1' } });
    const loaded = await carts.load(cart.id);
    expect(loaded.state).toStrictEqual(cart.state);
    expect(cart.state.checkoutEventId).toBe(raisedIds[2]);
    // The ids created at raise are the stored event ids.
    expect((await store.getEventsByAggregate('Cart', cart.id)).map((event) => event.eventId)).toEqual(raisedIds);
  });

  it('keeps json state equal after a reload (the payload check refuses what JSON would change)', async () => {
    const accounts = store.repository(BankAccount);
    const account = accounts.create(randomUUID());
    account.open({ holder: { name: 'Ada' }, address: { street: 's', city: 'c', country: 'x' }, currency: 'EUR' });
    account.tag('profile', { tiers: [1, 2.5, null], flags: { vip: true }, note: '𝄞' });
    await accounts.save(account);
    expect((await accounts.load(account.id)).state).toStrictEqual(account.state);

    const broken = await accounts.load(account.id);
    broken.tag('bad', [1, Number.NaN]);
    await expect(accounts.save(broken)).rejects.toMatchObject({ code: 'ESG202' });
    expect(await store.streamVersion('BankAccount', account.id)).toBe(2);
  });
});
