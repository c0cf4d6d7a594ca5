/**
 * Typed read-model queries, checked by the compiler (vitest runs `*.test-d.ts` through tsc):
 * rows have the definition's type, and `where` / `orderBy` accept only its fields and values.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { SqlClient } from '../../runtime/index.js';
import { readModel, type ReadModelRow } from '../../runtime/index.js';
import { accountSummary, type AccountSummary } from './fixtures/ledger-registry.js';

declare const client: SqlClient;
const query = readModel(client, accountSummary);

describe('readModel queries are typed by the definition', () => {
  it('return rows of the definition, with their id', () => {
    expectTypeOf(query.get).returns.resolves.toEqualTypeOf<ReadModelRow<AccountSummary> | undefined>();
    expectTypeOf(query.find).returns.resolves.toEqualTypeOf<ReadModelRow<AccountSummary>[]>();
  });

  it('refuse unknown fields, values of the wrong type and unknown sort keys', () => {
    // @ts-expect-error unknown field
    void query.find({ where: { nope: 1 } });
    // @ts-expect-error wrong value type
    void query.find({ where: { balance: 'x' } });
    // @ts-expect-error unknown sort key
    void query.find({ orderBy: [['nope', 'asc']] });
    void query.find({ where: { balance: { gte: 10 } }, orderBy: [['balance', 'desc']] });
  });
});
