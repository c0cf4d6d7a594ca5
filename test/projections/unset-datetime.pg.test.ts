/**
 * A required datetime field that no event has set yet holds its zero value `''` (as generated
 * initial rows do). When the field is indexed, the row must still be written, and queries treat it
 * as unset: no range matches it, and it sorts after every set value (found by the runtime fuzz,
 * seed 81: `''::timestamptz` failed the whole append).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModel, type ReadModelDefinition, type Registry } from '../../runtime/index.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';
import { ledgerRegistry } from './fixtures/ledger-registry.js';
import { prepareLedger } from './projection-test-kit.js';

interface Closing {
  readonly owner: string;
  readonly closedAt: string;
}

const closings: ReadModelDefinition<Closing> = {
  name: 'Closings',
  projection: 'closings',
  aggregateType: 'Account',
  mode: 'inline',
  eventTypes: ['AccountOpened', 'AccountClosed'],
  keyOf: (event) => event.aggregateId,
  apply(current, event) {
    const row = current ?? { owner: '', closedAt: '' };
    if (event.type === 'AccountOpened') return { kind: 'upsert', row: { ...row, owner: (event.data as { owner: string }).owner } };
    return { kind: 'upsert', row: { ...row, closedAt: event.occurredAt.toISOString() } };
  },
  indexes: [{ field: 'closedAt', type: 'timestamptz', unique: false }],
  fingerprint: 'closings-v1',
};
const registry: Registry = { ...ledgerRegistry, readModels: { Closings: closings } };

describe('an indexed datetime field not set yet', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.dispose());

  it('is written as unset, matches no range and sorts after the set ones', async () => {
    const store = await prepareLedger(db, registry);
    await store.appendToStream('Account', 'open', [{ type: 'AccountOpened', data: { owner: 'ada' } }], { expectedVersion: 'no_stream' });
    await store.appendToStream('Account', 'closed', [{ type: 'AccountOpened', data: { owner: 'bob' } }, { type: 'AccountClosed', data: {} }], { expectedVersion: 'no_stream' });
    const rows = readModel(db.client, closings, { schema: db.schema });
    expect(await rows.get('open')).toMatchObject({ owner: 'ada', closedAt: '' });
    const closedAt = (await rows.get('closed'))!.closedAt;
    expect(closedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect((await rows.find({ where: { closedAt: { gte: '2000-01-01T00:00:00.000Z' } } })).map((row) => row.id)).toEqual(['closed']);
    expect((await rows.find({ orderBy: [['closedAt', 'asc']] })).map((row) => row.id)).toEqual(['closed', 'open']);
  });
});
