/**
 * Typed read-model queries, checked by the compiler (vitest runs `*.test-d.ts` through tsc):
 * rows have the definition's type, and `where` / `orderBy` accept exactly what the runtime serves:
 * any operator and sorting on the row id and indexed fields, equality on every other scalar field
 * (`null` only when it is optional), nothing on lists, records or json.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { ReadModelDefinition, SqlClient } from '../../runtime/index.js';
import { readModel, type ReadModelRow } from '../../runtime/index.js';
import { cartSummaryReadModel } from '../codegen/fixtures/shop/src/generated/cart/read-models.js';
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

/** What a generated read model declares: its row and, as the second type parameter, its indexed fields. */
interface TicketRow {
  readonly title: string;
  readonly priority: number;
  readonly urgent: boolean;
  readonly status: 'new' | 'done';
  readonly openedAt: string;
  readonly closedAt?: string;
  readonly assignee?: string;
  readonly tags: readonly string[];
  readonly details: unknown;
  readonly owner: { readonly name: string };
}
declare const tickets: ReadModelDefinition<TicketRow, 'priority' | 'closedAt'>;
const ticketQuery = readModel(client, tickets);

describe('queries on a generated definition: ranges and sorting on indexed fields, equality on the others', () => {
  it('accept any operator and sorting on indexed fields and the id', () => {
    void ticketQuery.find({ where: { priority: { gte: 2, lt: 5 }, closedAt: { gt: '2024-01-01T00:00:00.000Z' }, id: { ne: 'x' } }, orderBy: [['priority', 'desc'], ['id', 'asc']] });
    void ticketQuery.count({ priority: { in: [1, 2] }, closedAt: null });
  });

  it('accept equality on every scalar field without an index: a value, eq, in, and null when optional', () => {
    void ticketQuery.find({ where: { title: 'Printer on fire', urgent: true, status: 'new', openedAt: '2024-05-01T10:00:00.000Z' } });
    void ticketQuery.find({ where: { status: { in: ['new', 'done'] }, title: { eq: 'x' }, assignee: null } });
    void ticketQuery.findPage({ where: { assignee: 'ada' }, orderBy: [['closedAt', 'asc']], limit: 10 });
  });

  it('refuse ranges, ne and sorting on fields without an index', () => {
    // @ts-expect-error a range on a field without an index
    void ticketQuery.find({ where: { title: { gt: 'a' } } });
    // @ts-expect-error ne needs an index
    void ticketQuery.find({ where: { status: { ne: 'done' } } });
    // @ts-expect-error sorting needs an index
    void ticketQuery.find({ orderBy: [['title', 'asc']] });
    // @ts-expect-error a range in count too
    void ticketQuery.count({ urgent: { lte: true } });
  });

  it('refuse null on required fields, values of the wrong type and non-scalar fields', () => {
    // @ts-expect-error title is required: never unset
    void ticketQuery.find({ where: { title: null } });
    // @ts-expect-error not a member of the enum
    void ticketQuery.find({ where: { status: 'gone' } });
    // @ts-expect-error a number field compared with a string
    void ticketQuery.find({ where: { priority: '2' } });
    // @ts-expect-error lists are not filterable (containment is not equality)
    void ticketQuery.find({ where: { tags: ['a'] } });
    // @ts-expect-error records are not filterable
    void ticketQuery.find({ where: { owner: { name: 'ada' } } });
    // @ts-expect-error json fields are not filterable
    void ticketQuery.find({ where: { details: 1 } });
  });

  it('type the generated code the same way (the shop fixture: customerId and openedAt are indexed)', () => {
    const carts = readModel(client, cartSummaryReadModel);
    void carts.find({ where: { customerId: { in: ['c1'] }, status: 'open', itemCount: 2 }, orderBy: [['openedAt', 'desc']] });
    // @ts-expect-error itemCount has no index: equality only (today this compiled and failed at run time with ESG222)
    void carts.find({ where: { itemCount: { gte: 2 } } });
    // @ts-expect-error sorting on a field without an index
    void carts.find({ orderBy: [['itemCount', 'desc']] });
    // @ts-expect-error skus is a list
    void carts.find({ where: { skus: 'a' } });
  });
});
