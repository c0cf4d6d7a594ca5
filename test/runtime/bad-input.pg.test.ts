/**
 * Hostile arguments at every public runtime function: each is refused with a typed EsgenError and
 * its code, before a single statement reaches PostgreSQL (the client counts them), and no row of
 * any esgen table changes. Runs on PGlite and, with DATABASE_URL, on the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Registry } from '../../runtime/contracts.js';
import { isEsgenError, type EsgenErrorCode } from '../../runtime/errors.js';
import { createEventSourcing } from '../../runtime/event-sourcing.js';
import { migrate } from '../../runtime/migrations/migrate.js';
import { createEventReplayer } from '../../runtime/projections/event-replayer.js';
import { createInlineProjector } from '../../runtime/projections/inline-projector.js';
import { ensureReadModelIndexes } from '../../runtime/projections/read-model-indexes.js';
import { createReadModelManager } from '../../runtime/projections/read-model-manager.js';
import { readModel } from '../../runtime/projections/read-model-query.js';
import { projectionStatus, retryProjection, skipFailedEvent } from '../../runtime/projections/projection-status.js';
import { subscribe } from '../../runtime/projections/subscriptions.js';
import type { EventSourcedRepository } from '../../runtime/repository/event-sourced-repository.js';
import type { SqlClient } from '../../runtime/sql-client.js';
import { createEventStore, type PostgresEventStore } from '../../runtime/store/event-store.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { Account, accountSummary, ledgerRegistry } from '../projections/fixtures/ledger-registry.js';
import { BankAccount, moneyDeposited, registry as bankRegistry } from './fixtures/bank-account.js';

/** The bank registry plus an event of another aggregate (to append it to the wrong one). */
const registry: Registry = {
  ...bankRegistry,
  events: { ...bankRegistry.events, Transferred: { ...moneyDeposited, type: 'Transferred', aggregateType: 'Other' } },
};

const NUL = 'a\u0000b';
const HIGH = 'x\ud800';
const LOW = '\udc00y';
const LONG = 'x'.repeat(256);
const INVALID_DATE = new Date(Number.NaN);
const YEAR_10000 = new Date('+010000-01-01T00:00:00Z');
const YEAR_0 = new Date('0000-06-01T00:00:00Z');
const INT4_OVERFLOW = 2 ** 31;
const INT8_OVERFLOW = 2n ** 63n;
const circular = (): Record<string, unknown> => {
  const value: Record<string, unknown> = { a: 1 };
  value.self = value;
  return value;
};
const opened = (owner = 'Ada') => ({ type: 'AccountOpened', data: { owner, currency: 'EUR' } });
const deposit = (amount: unknown = 1) => ({ type: 'MoneyDeposited', data: { amount } });

interface World {
  readonly bank: PostgresEventStore;
  readonly ledger: PostgresEventStore;
  readonly accounts: EventSourcedRepository<BankAccount>;
  readonly client: SqlClient;
  readonly schema: string;
  /** An existing stream of each store. */
  readonly bankId: string;
  readonly ledgerId: string;
}

type Case = readonly [name: string, code: EsgenErrorCode, call: (world: World) => unknown];

const appendCases: Case[] = [
  ['an aggregate id with a NUL', 'ESG210', ({ bank }) => bank.appendToStream('BankAccount', NUL, [opened()], { expectedVersion: 0 })],
  ['an aggregate id with a lone high surrogate', 'ESG210', ({ bank }) => bank.appendToStream('BankAccount', HIGH, [opened()], { expectedVersion: 0 })],
  ['an aggregate id with a lone low surrogate', 'ESG210', ({ bank }) => bank.appendToStream('BankAccount', LOW, [opened()], { expectedVersion: 0 })],
  ['an aggregate id longer than its column', 'ESG210', ({ bank }) => bank.appendToStream('BankAccount', LONG, [opened()], { expectedVersion: 0 })],
  ['an empty aggregate id', 'ESG210', ({ bank }) => bank.appendToStream('BankAccount', '', [opened()], { expectedVersion: 0 })],
  ['an aggregate id that is a number', 'ESG210', ({ bank }) => bank.appendToStream('BankAccount', 42 as never, [opened()], { expectedVersion: 0 })],
  ['an aggregate id that is null', 'ESG210', ({ bank }) => bank.appendToStream('BankAccount', null as never, [opened()], { expectedVersion: 0 })],
  ['an aggregate type the registry does not know', 'ESG208', ({ bank }) => bank.appendToStream('Nope', 'a', [opened()], { expectedVersion: 0 })],
  ['the aggregate type __proto__', 'ESG208', ({ bank }) => bank.appendToStream('__proto__', 'a', [opened()], { expectedVersion: 0 })],
  ['an aggregate type with a NUL', 'ESG206', ({ bank }) => bank.appendToStream(NUL, 'a', [opened()], { expectedVersion: 0 })],
  ['an aggregate type longer than its column', 'ESG206', ({ bank }) => bank.appendToStream(LONG, 'a', [opened()], { expectedVersion: 0 })],
  ['the event type __proto__', 'ESG204', ({ bank }) => bank.appendToStream('BankAccount', 'a', [{ type: '__proto__', data: {} }], { expectedVersion: 0 })],
  ['the event type constructor', 'ESG204', ({ bank }) => bank.appendToStream('BankAccount', 'a', [{ type: 'constructor', data: {} }], { expectedVersion: 0 })],
  ['the event type toString', 'ESG204', ({ bank }) => bank.appendToStream('BankAccount', 'a', [{ type: 'toString', data: {} }], { expectedVersion: 0 })],
  ['an event type of another aggregate', 'ESG204', ({ bank }) => bank.appendToStream('BankAccount', 'a', [{ type: 'Transferred', data: { amount: 1 } }], { expectedVersion: 0 })],
  ['an event type with a NUL', 'ESG206', ({ bank }) => bank.appendToStream('BankAccount', 'a', [{ type: NUL, data: {} }], { expectedVersion: 0 })],
  ['events: [null]', 'ESG206', ({ bank }) => bank.appendToStream('BankAccount', 'a', [null as never], { expectedVersion: 0 })],
  ['events: [undefined]', 'ESG206', ({ bank }) => bank.appendToStream('BankAccount', 'a', [undefined as never], { expectedVersion: 0 })],
  ['an event that is a string', 'ESG206', ({ bank }) => bank.appendToStream('BankAccount', 'a', ['AccountOpened' as never], { expectedVersion: 0 })],
  ['events that are not an array', 'ESG206', ({ bank }) => bank.appendToStream('BankAccount', 'a', 'abc' as never, { expectedVersion: 0 })],
  ['events: null', 'ESG206', ({ bank }) => bank.appendToStream('BankAccount', 'a', null as never, { expectedVersion: 0 })],
  ['a payload string with a NUL', 'ESG202', ({ bank }) => bank.appendToStream('BankAccount', 'a', [opened(NUL)], { expectedVersion: 0 })],
  ['a payload string with a lone surrogate', 'ESG202', ({ bank }) => bank.appendToStream('BankAccount', 'a', [opened(HIGH)], { expectedVersion: 0 })],
  ['a payload key with a NUL', 'ESG202', ({ bank }) => bank.appendToStream('BankAccount', 'a', [{ type: 'AccountOpened', data: { owner: 'A', currency: 'EUR', [NUL]: 1 } }], { expectedVersion: 0 })],
  ['a circular payload', 'ESG202', ({ bank }) => bank.appendToStream('BankAccount', 'a', [{ type: 'AccountOpened', data: { owner: 'A', currency: 'EUR', loop: circular() } }], { expectedVersion: 0 })],
  ['a payload with a BigInt', 'ESG202', ({ bank }) => bank.appendToStream('BankAccount', 'a', [{ type: 'AccountOpened', data: { owner: 'A', currency: 'EUR', big: 1n } }], { expectedVersion: 0 })],
  ['a payload amount that is a BigInt', 'ESG202', ({ bank, bankId }) => bank.appendToStream('BankAccount', bankId, [deposit(5n)], { expectedVersion: 'any' })],
  ['an invalid occurredAt', 'ESG206', ({ bank }) => bank.appendToStream('BankAccount', 'a', [{ ...opened(), occurredAt: INVALID_DATE }], { expectedVersion: 0 })],
  ['an occurredAt in the year 10000', 'ESG206', ({ bank }) => bank.appendToStream('BankAccount', 'a', [{ ...opened(), occurredAt: YEAR_10000 }], { expectedVersion: 0 })],
  ['an occurredAt in the year 0', 'ESG206', ({ bank }) => bank.appendToStream('BankAccount', 'a', [{ ...opened(), occurredAt: YEAR_0 }], { expectedVersion: 0 })],
  ['an occurredAt that is a string', 'ESG206', ({ bank }) => bank.appendToStream('BankAccount', 'a', [{ ...opened(), occurredAt: '2025-01-01' as never }], { expectedVersion: 0 })],
  ['an eventId that is not a UUID', 'ESG206', ({ bank }) => bank.appendToStream('BankAccount', 'a', [{ ...opened(), eventId: 'e-1' }], { expectedVersion: 0 })],
  ['an eventId with a NUL', 'ESG206', ({ bank }) => bank.appendToStream('BankAccount', 'a', [{ ...opened(), eventId: `${randomUUID()}\u0000` }], { expectedVersion: 0 })],
  ['expectedVersion 2^31', 'ESG206', ({ bank, bankId }) => bank.appendToStream('BankAccount', bankId, [deposit()], { expectedVersion: INT4_OVERFLOW })],
  ['expectedVersion NaN', 'ESG206', ({ bank, bankId }) => bank.appendToStream('BankAccount', bankId, [deposit()], { expectedVersion: Number.NaN })],
  ['expectedVersion -1', 'ESG206', ({ bank, bankId }) => bank.appendToStream('BankAccount', bankId, [deposit()], { expectedVersion: -1 })],
  ['expectedVersion Infinity', 'ESG206', ({ bank, bankId }) => bank.appendToStream('BankAccount', bankId, [deposit()], { expectedVersion: Number.POSITIVE_INFINITY })],
  ['expectedVersion as a string', 'ESG206', ({ bank, bankId }) => bank.appendToStream('BankAccount', bankId, [deposit()], { expectedVersion: '2' as never })],
  ['no expectedVersion', 'ESG206', ({ bank, bankId }) => bank.appendToStream('BankAccount', bankId, [deposit()], {} as never)],
  ['options: null', 'ESG206', ({ bank, bankId }) => bank.appendToStream('BankAccount', bankId, [deposit()], null as never)],
  ['metadata that is a string', 'ESG206', ({ bank, bankId }) => bank.appendToStream('BankAccount', bankId, [deposit()], { expectedVersion: 'any', metadata: 'x' as never })],
  ['metadata that is an array', 'ESG206', ({ bank, bankId }) => bank.appendToStream('BankAccount', bankId, [deposit()], { expectedVersion: 'any', metadata: [1] as never })],
  ['circular metadata', 'ESG206', ({ bank, bankId }) => bank.appendToStream('BankAccount', bankId, [deposit()], { expectedVersion: 'any', metadata: circular() })],
  ['metadata with a BigInt', 'ESG206', ({ bank, bankId }) => bank.appendToStream('BankAccount', bankId, [deposit()], { expectedVersion: 'any', metadata: { n: 1n } })],
  ['metadata with a NUL string', 'ESG206', ({ bank, bankId }) => bank.appendToStream('BankAccount', bankId, [deposit()], { expectedVersion: 'any', metadata: { note: NUL } })],
  ['metadata with a lone-surrogate key', 'ESG206', ({ bank, bankId }) => bank.appendToStream('BankAccount', bankId, [deposit()], { expectedVersion: 'any', metadata: { [LOW]: 1 } })],
  ['metadata with a Date', 'ESG206', ({ bank, bankId }) => bank.appendToStream('BankAccount', bankId, [deposit()], { expectedVersion: 'any', metadata: { at: new Date() } })],
  ['metadata that is a Map', 'ESG206', ({ bank, bankId }) => bank.appendToStream('BankAccount', bankId, [deposit()], { expectedVersion: 'any', metadata: new Map() as never })],
  ['metadata with NaN', 'ESG206', ({ bank, bankId }) => bank.appendToStream('BankAccount', bankId, [deposit()], { expectedVersion: 'any', metadata: { n: Number.NaN } })],
  ['a correlationId that is not a UUID', 'ESG206', ({ bank, bankId }) => bank.appendToStream('BankAccount', bankId, [deposit()], { expectedVersion: 'any', correlationId: 'c-1' })],
  ['a causationId that is a number', 'ESG206', ({ bank, bankId }) => bank.appendToStream('BankAccount', bankId, [deposit()], { expectedVersion: 'any', causationId: 7 as never })],
];

const appendManyCases: Case[] = [
  ['streams that are not an array', 'ESG206', ({ bank }) => bank.appendMany('x' as never)],
  ['streams: [null]', 'ESG206', ({ bank }) => bank.appendMany([null as never])],
  [
    'a bad stream after a good one (nothing of either is written)',
    'ESG210',
    ({ bank }) =>
      bank.appendMany([
        { aggregateType: 'BankAccount', aggregateId: 'good-1', events: [opened()], expectedVersion: 0 },
        { aggregateType: 'BankAccount', aggregateId: NUL, events: [opened()], expectedVersion: 0 },
      ]),
  ],
  ['a stream without events but with a bad id', 'ESG210', ({ bank }) => bank.appendMany([{ aggregateType: 'BankAccount', aggregateId: '', events: [], expectedVersion: 0 }])],
];

const bulk = (overrides: Record<string, unknown>) => [{ aggregateType: 'BankAccount', aggregateId: 'bulk-1', ...opened(), ...overrides }];
const bulkCases: Case[] = [
  ['events: null', 'ESG206', ({ bank }) => bank.appendBulk(null as never)],
  ['chunkSize 0', 'ESG206', ({ bank }) => bank.appendBulk(bulk({}), { chunkSize: 0 })],
  ['an aggregate id with a NUL', 'ESG211', ({ bank }) => bank.appendBulk(bulk({ aggregateId: NUL }))],
  ['an invalid occurredAt', 'ESG211', ({ bank }) => bank.appendBulk(bulk({ occurredAt: INVALID_DATE }))],
  ['an occurredAt in the year 10000', 'ESG211', ({ bank }) => bank.appendBulk(bulk({ occurredAt: YEAR_10000 }))],
  ['metadata that is a string', 'ESG211', ({ bank }) => bank.appendBulk(bulk({ metadata: 'x' }))],
  ['an eventVersion of 2^31', 'ESG211', ({ bank }) => bank.appendBulk(bulk({ eventVersion: INT4_OVERFLOW }))],
  ['the event type __proto__', 'ESG211', ({ bank }) => bank.appendBulk(bulk({ type: '__proto__' }))],
  ['a stream version of 2^31', 'ESG211', ({ bank }) => bank.appendBulk(bulk({ version: INT4_OVERFLOW }))],
];

const readCases: Case[] = [
  ['getEventsByAggregate: fromVersion 2^31', 'ESG206', ({ bank, bankId }) => bank.getEventsByAggregate('BankAccount', bankId, { fromVersion: INT4_OVERFLOW })],
  ['getEventsByAggregate: fromVersion NaN', 'ESG206', ({ bank, bankId }) => bank.getEventsByAggregate('BankAccount', bankId, { fromVersion: Number.NaN })],
  ['getEventsByAggregate: toVersion -1', 'ESG206', ({ bank, bankId }) => bank.getEventsByAggregate('BankAccount', bankId, { toVersion: -1 })],
  ['getEventsByAggregate: an invalid until', 'ESG206', ({ bank, bankId }) => bank.getEventsByAggregate('BankAccount', bankId, { until: INVALID_DATE })],
  ['getEventsByAggregate: until in the year 10000', 'ESG206', ({ bank, bankId }) => bank.getEventsByAggregate('BankAccount', bankId, { until: YEAR_10000 })],
  ['getEventsByAggregate: an id with a NUL', 'ESG210', ({ bank }) => bank.getEventsByAggregate('BankAccount', NUL)],
  ['getEventsByAggregate: an id longer than its column', 'ESG210', ({ bank }) => bank.getEventsByAggregate('BankAccount', LONG)],
  ['getEventsByAggregate: an unknown aggregate type', 'ESG208', ({ bank, bankId }) => bank.getEventsByAggregate('Nope', bankId)],
  ['getEventsByAggregate: options that are a string', 'ESG206', ({ bank, bankId }) => bank.getEventsByAggregate('BankAccount', bankId, 'x' as never)],
  ['getEventsByTimeRange: an invalid from', 'ESG206', ({ bank }) => bank.getEventsByTimeRange(INVALID_DATE, new Date())],
  ['getEventsByTimeRange: a to that is a string', 'ESG206', ({ bank }) => bank.getEventsByTimeRange(new Date(0), '2030-01-01' as never)],
  ['getEventsByTimeRange: the year 10000', 'ESG206', ({ bank }) => bank.getEventsByTimeRange(new Date(0), YEAR_10000)],
  ['getEventsByTimeRange: limit 0', 'ESG206', ({ bank }) => bank.getEventsByTimeRange(new Date(0), new Date(), { limit: 0 })],
  ['getEventsByTimeRange: limit 2^31', 'ESG206', ({ bank }) => bank.getEventsByTimeRange(new Date(0), new Date(), { limit: INT4_OVERFLOW })],
  ['getEventsByTimeRange: limit NaN', 'ESG206', ({ bank }) => bank.getEventsByTimeRange(new Date(0), new Date(), { limit: Number.NaN })],
  ['getEventsByType: an unknown type', 'ESG204', ({ bank }) => bank.getEventsByType('Nope')],
  ['getEventsByType: __proto__', 'ESG204', ({ bank }) => bank.getEventsByType(['__proto__'])],
  ['getEventsByType: afterPosition -1n', 'ESG206', ({ bank }) => bank.getEventsByType('MoneyDeposited', { afterPosition: -1n })],
  ['getEventsByType: afterPosition 2^63', 'ESG206', ({ bank }) => bank.getEventsByType('MoneyDeposited', { afterPosition: INT8_OVERFLOW })],
  ['getEventsByType: afterPosition that is a number', 'ESG206', ({ bank }) => bank.getEventsByType('MoneyDeposited', { afterPosition: 5 as never })],
  ['readAllAfter: eventTypes that is a string', 'ESG206', ({ bank }) => bank.readAllAfter(null, { eventTypes: 'MoneyDeposited' as never })],
  ['readAllAfter: an unknown event type', 'ESG204', ({ bank }) => bank.readAllAfter(null, { eventTypes: ['Nope'] })],
  ['readAllAfter: eventTypes [null]', 'ESG206', ({ bank }) => bank.readAllAfter(null, { eventTypes: [null as never] })],
  ['readAllAfter: a negative position', 'ESG206', ({ bank }) => bank.readAllAfter({ transactionId: 0n, position: -1n })],
  ['readAllAfter: a position past 2^63', 'ESG206', ({ bank }) => bank.readAllAfter({ transactionId: 0n, position: INT8_OVERFLOW })],
  ['readAllAfter: a checkpoint that is a string', 'ESG206', ({ bank }) => bank.readAllAfter('abc' as never)],
  ['readAllAfter: a checkpoint of numbers', 'ESG206', ({ bank }) => bank.readAllAfter({ transactionId: 1, position: 5 } as never)],
  ['readAllAfter: limit 1.5', 'ESG206', ({ bank }) => bank.readAllAfter(null, { limit: 1.5 })],
  ['streamVersion: an id with a NUL', 'ESG210', ({ bank }) => bank.streamVersion('BankAccount', NUL)],
  ['readSnapshot: maxVersion 2^31', 'ESG206', ({ bank, bankId }) => bank.readSnapshot('BankAccount', bankId, 'f', INT4_OVERFLOW)],
];

const repositoryCases: Case[] = [
  ['load: an id with a NUL', 'ESG210', ({ accounts }) => accounts.load(NUL)],
  ['load: an empty id', 'ESG210', ({ accounts }) => accounts.load('')],
  ['load: an id longer than its column', 'ESG210', ({ accounts }) => accounts.load(LONG)],
  ['load: an id that is an object', 'ESG210', ({ accounts }) => accounts.load({} as never)],
  ['loadAtVersion: version 2^31', 'ESG206', ({ accounts, bankId }) => accounts.loadAtVersion(bankId, INT4_OVERFLOW)],
  ['loadAtVersion: version NaN', 'ESG206', ({ accounts, bankId }) => accounts.loadAtVersion(bankId, Number.NaN)],
  ['loadAtVersion: version 0', 'ESG206', ({ accounts, bankId }) => accounts.loadAtVersion(bankId, 0)],
  ['loadAtTime: an invalid Date', 'ESG206', ({ accounts, bankId }) => accounts.loadAtTime(bankId, INVALID_DATE)],
  ['loadAtTime: the year 10000', 'ESG206', ({ accounts, bankId }) => accounts.loadAtTime(bankId, YEAR_10000)],
  ['loadAtTime: a string', 'ESG206', ({ accounts, bankId }) => accounts.loadAtTime(bankId, 'yesterday' as never)],
  ['exists: an id with a lone surrogate', 'ESG210', ({ accounts }) => accounts.exists(HIGH)],
  ['create: an empty id', 'ESG210', ({ accounts }) => accounts.create('')],
  ['save: null', 'ESG206', ({ accounts }) => accounts.save(null as never)],
  [
    'save: an aggregate of another type',
    'ESG206',
    ({ accounts }) => {
      const other = new Account('ledger-x');
      other.open('Ada');
      return accounts.save(other as never);
    },
  ],
  [
    'save: metadata that is a string',
    'ESG206',
    ({ accounts }) => {
      const account = accounts.create('new-1');
      account.open('Ada', 'EUR');
      return accounts.save(account, { metadata: 'x' as never });
    },
  ],
  [
    'save: expectedVersion 2^31',
    'ESG206',
    ({ accounts }) => {
      const account = accounts.create('new-2');
      account.open('Ada', 'EUR');
      return accounts.save(account, { expectedVersion: INT4_OVERFLOW });
    },
  ],
  [
    'save: a raised event whose payload has a NUL',
    'ESG202',
    ({ accounts }) => {
      const account = accounts.create('new-3');
      account.open(NUL, 'EUR');
      return accounts.save(account);
    },
  ],
  ['withRetry: attempts 0', 'ESG206', ({ accounts, bankId }) => accounts.withRetry(bankId, () => undefined, { attempts: 0 })],
  ['withRetry: a command that is not a function', 'ESG206', ({ accounts, bankId }) => accounts.withRetry(bankId, 'deposit' as never)],
  ['withRetry: an id with a NUL', 'ESG210', ({ accounts }) => accounts.withRetry(NUL, () => undefined)],
  ['withRetry: a negative backoff', 'ESG206', ({ accounts, bankId }) => accounts.withRetry(bankId, () => undefined, { backoff: { initialMs: -1 } })],
  ['repository: a class without a generated definition', 'ESG206', ({ bank }) => bank.repository(BankAccount as never)],
  ['repository: an aggregate type the registry does not know', 'ESG208', ({ bank }) => bank.repository('Nope')],
];

const queries = (world: World) => readModel(world.client, accountSummary, { schema: world.schema });
const readModelCases: Case[] = [
  ['get: an id with a NUL', 'ESG206', (world) => queries(world).get(NUL)],
  ['get: an id that is a number', 'ESG206', (world) => queries(world).get(42 as never)],
  ['find: where that is a string', 'ESG222', (world) => queries(world).find({ where: 'owner = 1' as never })],
  ['find: limit -1', 'ESG222', (world) => queries(world).find({ limit: -1 })],
  ['find: limit NaN', 'ESG222', (world) => queries(world).find({ limit: Number.NaN })],
  ['find: a range on a field that is not indexed', 'ESG222', (world) => queries(world).find({ where: { nope: { gt: 1 } } as never })],
  ['find: sorting on a field that is not indexed', 'ESG222', (world) => queries(world).find({ orderBy: [['nope', 'asc']] as never })],
  ['find: a list compared with a field that is not indexed', 'ESG222', (world) => queries(world).find({ where: { nope: [1] } as never })],
  ['find: a text value with a NUL', 'ESG206', (world) => queries(world).find({ where: { owner: NUL } })],
  ['find: an invalid Date', 'ESG206', (world) => queries(world).find({ where: { openedAt: { gte: INVALID_DATE } } as never })],
  ['find: orderBy that is a string', 'ESG206', (world) => queries(world).find({ orderBy: 'owner' as never })],
  ['find: options null', 'ESG206', (world) => queries(world).find(null as never)],
  ['count: where that is an array', 'ESG222', (world) => queries(world).count([] as never)],
  ['contains: a string', 'ESG206', (world) => queries(world).contains('x' as never)],
  ['contains: a circular object', 'ESG206', (world) => queries(world).contains(circular())],
];

const adminCases: Case[] = [
  ['projectionStatus: options that are a string', 'ESG206', ({ client, schema }) => projectionStatus(client, ledgerRegistry, 'x' as never).then(() => schema)],
  ['retryProjection: a name with a NUL', 'ESG206', ({ client, schema }) => retryProjection(client, ledgerRegistry, NUL, { schema })],
  ['skipFailedEvent: position -1n', 'ESG206', ({ client, schema }) => skipFailedEvent(client, ledgerRegistry, 'account_summary', { schema, position: -1n })],
  ['skipFailedEvent: a position that is a number', 'ESG206', ({ client, schema }) => skipFailedEvent(client, ledgerRegistry, 'account_summary', { schema, position: 3 as never })],
  ['rebuild: an unknown read model', 'ESG223', ({ client, schema }) => createEventReplayer({ client, registry: ledgerRegistry, schema }).rebuild('nope')],
  ['rebuild: a name with a NUL', 'ESG206', ({ client, schema }) => createEventReplayer({ client, registry: ledgerRegistry, schema }).rebuild(NUL)],
  ['rebuild: until -1n', 'ESG206', ({ client, schema }) => createEventReplayer({ client, registry: ledgerRegistry, schema }).rebuild('account_summary', { until: -1n })],
  ['rebuild: catchUpTimeoutMs NaN', 'ESG206', ({ client, schema }) => createEventReplayer({ client, registry: ledgerRegistry, schema }).rebuild('account_summary', { catchUpTimeoutMs: Number.NaN })],
  ['resetTo: a position past 2^63', 'ESG206', ({ client, schema }) => createEventReplayer({ client, registry: ledgerRegistry, schema }).resetTo('account_summary', INT8_OVERFLOW)],
  ['createEventReplayer: batchSize 0', 'ESG206', ({ client, schema }) => createEventReplayer({ client, registry: ledgerRegistry, schema, batchSize: 0 })],
  ['createReadModelManager: projections that is a string', 'ESG206', ({ client, schema }) => createReadModelManager({ client, registry: ledgerRegistry, schema, projections: 'account_summary' as never })],
  ['createReadModelManager: an unknown projection', 'ESG223', ({ client, schema }) => createReadModelManager({ client, registry: ledgerRegistry, schema, projections: ['nope'] })],
  ['createReadModelManager: an unknown lock mode', 'ESG206', ({ client, schema }) => createReadModelManager({ client, registry: ledgerRegistry, schema, lock: 'table' as never })],
  ['createReadModelManager: pollIntervalMs -1', 'ESG206', ({ client, schema }) => createReadModelManager({ client, registry: ledgerRegistry, schema, pollIntervalMs: -1 })],
  ['waitForCatchUp: timeoutMs NaN', 'ESG206', ({ client, schema }) => createReadModelManager({ client, registry: ledgerRegistry, schema }).waitForCatchUp({ timeoutMs: Number.NaN })],
  ['waitFor: a position that is a number', 'ESG206', ({ client, schema }) => createReadModelManager({ client, registry: ledgerRegistry, schema }).waitFor(3 as never)],
  ['subscribe: eventTypes that is a string', 'ESG206', ({ client, schema }) => subscribe({ client, registry: ledgerRegistry, schema, name: 'sub_a', eventTypes: 'MoneyDeposited' as never }, () => undefined)],
  ['subscribe: an unknown event type', 'ESG204', ({ client, schema }) => subscribe({ client, registry: ledgerRegistry, schema, name: 'sub_b', eventTypes: ['Nope'] }, () => undefined)],
  ['subscribe: from -1n', 'ESG206', ({ client, schema }) => subscribe({ client, registry: ledgerRegistry, schema, name: 'sub_c', from: -1n }, () => undefined)],
  ['subscribe: from that is a number', 'ESG206', ({ client, schema }) => subscribe({ client, registry: ledgerRegistry, schema, name: 'sub_d', from: 3 as never }, () => undefined)],
  ['createEventSourcing: no registry', 'ESG206', () => createEventSourcing({ registry: undefined as never })],
  ['createEventSourcing: a registry without tables', 'ESG206', () => createEventSourcing({ registry: { events: {} } as never })],
  ['createEventSourcing: a dataDir that is a number', 'ESG206', () => createEventSourcing({ registry: ledgerRegistry, dataDir: 5 as never })],
  ['subscribe: a handler that is not a function', 'ESG206', ({ client, schema }) => subscribe({ client, registry: ledgerRegistry, schema, name: 'sub_e' }, null as never)],
];

/** A client that counts the statements and transactions that reach the database. */
function countingClient(client: SqlClient): { client: SqlClient; statements: () => number } {
  let count = 0;
  const counted = new Proxy(client, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (key === 'query' || key === 'transaction' || key === 'exec' || key === 'copyFrom' || key === 'listen') {
        return (...args: unknown[]) => {
          count += 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  return { client: counted, statements: () => count };
}

describe('bad input at the runtime API', () => {
  let db: TestDatabase;
  let world: World;
  let statements: () => number;
  let tables: string[];

  /** Every row of every esgen table, as text: equal before and after = nothing was written. */
  async function contents(): Promise<string> {
    const parts: string[] = [];
    for (const table of tables) {
      const result = await db.client.query<{ row: string }>(`SELECT t::text AS row FROM "${db.schema}"."${table}" AS t ORDER BY 1`);
      parts.push(`${table}:${result.rows.map((row) => row.row).join('\n')}`);
    }
    return parts.join('\n---\n');
  }

  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db.client, { schema: db.schema });
    await ensureReadModelIndexes(db.client, ledgerRegistry, db.schema);
    const counting = countingClient(db.client);
    statements = counting.statements;
    const bank = createEventStore({ client: counting.client, registry, schema: db.schema });
    const ledger = createEventStore({
      client: counting.client,
      registry: ledgerRegistry,
      schema: db.schema,
      onAppend: createInlineProjector(ledgerRegistry, { schema: db.schema }),
    });
    world = { bank, ledger, accounts: bank.repository<BankAccount>('BankAccount'), client: counting.client, schema: db.schema, bankId: 'acc-existing', ledgerId: 'ledger-existing' };
    await bank.appendToStream('BankAccount', world.bankId, [opened(), deposit(5)], { expectedVersion: 'no_stream' });
    await ledger.appendToStream('Account', world.ledgerId, [{ type: 'AccountOpened', data: { owner: 'Ada' } }], { expectedVersion: 'no_stream' });
    const listed = await db.client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1`,
      [db.schema],
    );
    tables = listed.rows.map((row) => row.table_name);
  });
  afterAll(() => db.dispose());

  const groups: readonly (readonly [string, readonly Case[]])[] = [
    ['appendToStream', appendCases],
    ['appendMany', appendManyCases],
    ['appendBulk', bulkCases],
    ['reads', readCases],
    ['repository', repositoryCases],
    ['read-model queries', readModelCases],
    ['projection admin, rebuilds, workers and subscriptions', adminCases],
  ];

  it('covers at least 86 hostile calls', () => {
    expect(groups.reduce((sum, [, cases]) => sum + cases.length, 0)).toBeGreaterThanOrEqual(86);
    expect(tables).toEqual(expect.arrayContaining(['events', 'snapshots', 'projections', 'projection_positions']));
  });

  for (const [group, cases] of groups) {
    describe(group, () => {
      it.each(cases)('refuses %s with %s, before any statement, writing nothing', async (_name, code, call) => {
        const before = await contents();
        const sent = statements();
        const outcome = await Promise.resolve()
          .then(() => call(world))
          .then(
            (value) => ({ resolved: value }),
            (error: unknown) => ({ error }),
          );
        expect('error' in outcome, 'the call succeeded').toBe(true);
        const error = (outcome as { error: unknown }).error;
        expect(isEsgenError(error), String(error)).toBe(true);
        expect(error).toMatchObject({ code });
        expect(statements() - sent, 'statements sent to PostgreSQL').toBe(0);
        expect(await contents()).toBe(before);
      });
    });
  }
});
