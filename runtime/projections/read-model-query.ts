import type { IndexedFieldType, ReadModelDefinition } from '../contracts.js';
import { arrayOf, describeValue, optionsObject, plainJsonObject, storableDate, storableString } from '../argument-checks.js';
import { assertIdentifier } from '../identifiers.js';
import type { SqlExecutor } from '../sql-client.js';
import { assertFieldName, fieldExpression, parameterCast } from './field-expression.js';
import { InvalidReadModelQuery } from './projection-errors.js';
import { projectionTables, type ProjectionTables } from './projection-tables.js';
import { assertServableShape } from './read-model-shapes.js';

/** A condition on one field: a value (equality; null = IS NULL) or operators, combined with AND. */
export type FieldCondition<V> =
  | V
  | null
  | { readonly eq?: V; readonly ne?: V; readonly gt?: V; readonly gte?: V; readonly lt?: V; readonly lte?: V; readonly in?: readonly V[] };

/** Conditions on indexed fields of the row (and on the row id), combined with AND. */
export type Where<TRow> = { readonly [K in keyof TRow & string]?: FieldCondition<QueryValue<TRow[K]>> } & {
  readonly id?: FieldCondition<string>;
};

/** Dates may be given as Date or ISO string; everything else as the row holds it. */
type QueryValue<V> = V extends Date ? Date | string : V;

export type SortDirection = 'asc' | 'desc';
export type OrderBy<TRow> = readonly (readonly [(keyof TRow & string) | 'id', SortDirection])[];

export interface FindOptions<TRow> {
  readonly where?: Where<TRow>;
  /** Sort keys; the row id is always added last so pages are stable. */
  readonly orderBy?: OrderBy<TRow>;
  readonly limit?: number;
  readonly offset?: number;
  /** A cursor from a previous page's `nextCursor`: continue after that row (keyset pagination). */
  readonly after?: string;
}

/** A stored row as queries return it: the read model's fields plus the row id. */
export type ReadModelRow<TRow> = TRow & { readonly id: string };

export interface Page<TRow> {
  readonly rows: ReadModelRow<TRow>[];
  /** Pass as `after` for the next page; undefined when this page was the last. */
  readonly nextCursor: string | undefined;
}

export interface ReadModelQuery<TRow> {
  readonly definition: ReadModelDefinition<TRow>;
  /** The row with this id, or undefined. */
  get(id: string): Promise<ReadModelRow<TRow> | undefined>;
  find(options?: FindOptions<TRow>): Promise<ReadModelRow<TRow>[]>;
  /** As find, plus a cursor for the next page (needs `limit`). */
  findPage(options: FindOptions<TRow> & { readonly limit: number }): Promise<Page<TRow>>;
  count(where?: Where<TRow>): Promise<number>;
  /** Ad-hoc JSONB containment (`data @> partial`), served by the GIN index on data. */
  contains(partial: Partial<TRow> | Record<string, unknown>, options?: { readonly limit?: number }): Promise<ReadModelRow<TRow>[]>;
  /** The SQL and parameters `find` would run (for EXPLAIN and debugging). */
  toSql(options?: FindOptions<TRow>): { readonly sql: string; readonly params: unknown[] };
}

interface StoredRow<TRow> {
  readonly id: string;
  readonly data: TRow;
}

/** The id first, then the fields (spec validation forbids a read-model field named `id`). */
function withId<TRow>(row: StoredRow<TRow>): ReadModelRow<TRow> {
  return { id: row.id, ...row.data };
}

export interface ReadModelQueryOptions {
  readonly schema?: string;
}

interface FieldInfo {
  readonly expression: string;
  readonly cast: string;
  readonly type: IndexedFieldType;
}

/**
 * Typed queries over one read model, generic over the definition's row type, so a generated
 * ReadModelDefinition<Row> gives typed queries without generating any query code. Conditions and
 * sort keys may name the row id and the fields indexed in the spec (`index: true`): their SQL
 * expressions are the exact expressions of the partial expression indexes, so the planner uses
 * them. Values are always bound parameters; field names are checked against the definition.
 *
 * @example
 * const accounts = readModel(client, registry.readModels.AccountSummary, { schema });
 * await accounts.find({ where: { owner: 'ada', balance: { gte: 100 } }, orderBy: [['balance', 'desc']], limit: 20 });
 */
export function readModel<TRow>(executor: SqlExecutor, definition: ReadModelDefinition<TRow>, options: ReadModelQueryOptions = {}): ReadModelQuery<TRow> {
  const tables = projectionTables(options.schema);
  const projection = assertIdentifier('projection name', definition.projection);
  // The projection is a validated identifier inlined as a literal: the planner can then prove the
  // partial indexes' predicate (WHERE projection_name = '…') even for a generic plan.
  const base = `FROM ${tables.projections} WHERE projection_name = '${projection}'`;
  const fields = fieldMap(tables, definition);
  // Never rows of another shape under this row type (checked once per client, see read-model-shapes.ts).
  const servable = () => assertServableShape(executor, tables, definition);

  const build = (find: FindOptions<TRow>, select: string) => {
    checkFindOptions(find);
    const params: unknown[] = [];
    const conditions = whereClauses(fields, find.where, params);
    const order = orderKeys(fields, find.orderBy);
    if (find.after !== undefined) conditions.push(keysetCondition(order, decodeCursor(find.after, order.length), params));
    let sql = `SELECT ${select} ${base}${conditions.map((condition) => ` AND ${condition}`).join('')}`;
    sql += ` ORDER BY ${order.map((key) => `${key.info.expression} ${key.direction.toUpperCase()}`).join(', ')}`;
    if (find.limit !== undefined) sql += ` LIMIT ${param(params, nonNegative('limit', find.limit))}`;
    if (find.offset !== undefined) sql += ` OFFSET ${param(params, nonNegative('offset', find.offset))}`;
    return { sql, params, order };
  };
  const selectColumns = (order: ReturnType<typeof orderKeys>) =>
    ['id', 'data', ...order.map((key, index) => `(${key.info.expression})::text AS k${index}`)].join(', ');

  return {
    definition,
    async get(id) {
      storableString('id', id);
      await servable();
      const result = await executor.query<StoredRow<TRow>>(`SELECT id, data ${base} AND id = $1`, [id]);
      const row = result.rows[0];
      return row === undefined ? undefined : withId(row);
    },
    async find(find = {}) {
      const { sql, params } = build(find, 'id, data');
      await servable();
      const result = await executor.query<StoredRow<TRow>>(sql, params);
      return result.rows.map(withId);
    },
    async findPage(find) {
      const order = orderKeys(fields, find.orderBy);
      const { sql, params } = build(find, selectColumns(order));
      await servable();
      const result = await executor.query<Record<string, unknown> & StoredRow<TRow>>(sql, params);
      const last = result.rows[result.rows.length - 1];
      const full = result.rows.length === find.limit;
      const nextCursor = full && last !== undefined ? encodeCursor(order.map((_, index) => last[`k${index}`] as string | null)) : undefined;
      return { rows: result.rows.map(withId), nextCursor };
    },
    async count(where) {
      checkWhere(where);
      const params: unknown[] = [];
      const conditions = whereClauses(fields, where, params);
      await servable();
      const result = await executor.query<{ count: string | number }>(
        `SELECT count(*) AS count ${base}${conditions.map((condition) => ` AND ${condition}`).join('')}`,
        params,
      );
      return Number(result.rows[0]?.count ?? 0);
    },
    async contains(partial, containsOptions = {}) {
      plainJsonObject('partial', partial);
      optionsObject('options', containsOptions);
      const params: unknown[] = [JSON.stringify(partial)];
      let sql = `SELECT id, data ${base} AND data @> $1::jsonb ORDER BY id`;
      if (containsOptions.limit !== undefined) sql += ` LIMIT ${param(params, nonNegative('limit', containsOptions.limit))}`;
      await servable();
      const result = await executor.query<StoredRow<TRow>>(sql, params);
      return result.rows.map(withId);
    },
    toSql(find = {}) {
      const { sql, params } = build(find, 'id, data');
      return { sql, params };
    },
  };
}

function fieldMap(tables: ProjectionTables, definition: ReadModelDefinition<any>): Map<string, FieldInfo> {
  const fields = new Map<string, FieldInfo>([['id', { expression: 'id', cast: '::text', type: 'text' }]]);
  for (const index of definition.indexes) {
    fields.set(index.field, { expression: fieldExpression(tables, index.field, index.type), cast: parameterCast(index.type), type: index.type });
  }
  return fields;
}

function fieldInfo(fields: Map<string, FieldInfo>, field: string): FieldInfo {
  const info = fields.get(assertFieldName(field));
  if (info !== undefined) return info;
  const indexed = [...fields.keys()].filter((name) => name !== 'id');
  throw new InvalidReadModelQuery(
    `Cannot query on ${field}: only the row id and indexed fields (${indexed.join(', ') || 'none'}) can be used in where and orderBy. ` +
      'Mark the field `index: true` in the spec, or use contains() for an ad-hoc JSON match.',
  );
}

const NUMERIC = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

const OPERATORS = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

function whereClauses(fields: Map<string, FieldInfo>, where: Where<any> | undefined, params: unknown[]): string[] {
  const clauses: string[] = [];
  for (const [field, condition] of Object.entries(where ?? {})) {
    if (condition === undefined) continue;
    const info = fieldInfo(fields, field);
    if (condition === null) {
      clauses.push(`${info.expression} IS NULL`);
    } else if (isOperatorObject(condition)) {
      for (const [operator, value] of Object.entries(condition)) {
        if (value === undefined) continue;
        if (operator === 'in') {
          if (!Array.isArray(value)) throw new InvalidReadModelQuery(`${field}.in must be an array.`);
          clauses.push(`${info.expression} = ANY(${param(params, value.map((item) => sqlValue(info, field, item)))}${info.cast}[])`);
        } else if (operator in OPERATORS) {
          clauses.push(`${info.expression} ${OPERATORS[operator as keyof typeof OPERATORS]} ${param(params, sqlValue(info, field, value))}${info.cast}`);
        } else {
          throw new InvalidReadModelQuery(`Unknown operator ${operator} on ${field}: use eq, ne, gt, gte, lt, lte or in.`);
        }
      }
    } else {
      clauses.push(`${info.expression} = ${param(params, sqlValue(info, field, condition))}${info.cast}`);
    }
  }
  return clauses;
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof Date) && !Array.isArray(value);
}

/** Values travel as text and are cast in SQL to the field's type (exact for numeric and bigint). */
function sqlValue(info: FieldInfo, field: string, value: unknown): string {
  switch (info.type) {
    case 'timestamptz':
      if (value instanceof Date) return storableDate(field, value).toISOString();
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return storableString(field, value);
      break;
    case 'numeric':
      if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') return String(value);
      if (typeof value === 'string' && NUMERIC.test(value)) return value;
      break;
    case 'boolean':
      if (typeof value === 'boolean') return String(value);
      break;
    case 'text':
      if (typeof value === 'string') return storableString(field, value);
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      break;
  }
  throw new InvalidReadModelQuery(`The value ${JSON.stringify(value)} does not fit ${field} (${info.type}).`);
}

interface OrderKey {
  readonly info: FieldInfo;
  readonly direction: 'asc' | 'desc';
}

function orderKeys(fields: Map<string, FieldInfo>, orderBy: OrderBy<any> | undefined): OrderKey[] {
  const keys: OrderKey[] = [];
  let hasId = false;
  for (const [field, direction] of orderBy ?? []) {
    if (direction !== 'asc' && direction !== 'desc') throw new InvalidReadModelQuery(`Sort direction of ${field} must be 'asc' or 'desc'.`);
    keys.push({ info: fieldInfo(fields, field), direction });
    if (field === 'id') hasId = true;
  }
  if (!hasId) keys.push({ info: fields.get('id')!, direction: 'asc' });
  return keys;
}

/**
 * Rows strictly after the cursor in the sort order: (k1 > v1) OR (k1 = v1 AND k2 > v2) OR …,
 * with < for descending keys. Keys must be non-null for rows to page correctly (NULLs sort last
 * ascending and are not comparable).
 */
function keysetCondition(order: readonly OrderKey[], values: readonly (string | null)[], params: unknown[]): string {
  const alternatives: string[] = [];
  for (let i = 0; i < order.length; i++) {
    const parts: string[] = [];
    for (let j = 0; j < i; j++) parts.push(`${order[j]!.info.expression} = ${param(params, values[j])}${order[j]!.info.cast}`);
    const key = order[i]!;
    parts.push(`${key.info.expression} ${key.direction === 'asc' ? '>' : '<'} ${param(params, values[i])}${key.info.cast}`);
    alternatives.push(`(${parts.join(' AND ')})`);
  }
  return `(${alternatives.join(' OR ')})`;
}

function param(params: unknown[], value: unknown): string {
  params.push(value);
  return `$${params.length}`;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidReadModelQuery(`${name} must be a non-negative integer, got ${value}.`);
  return value;
}

function encodeCursor(values: readonly (string | null)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

function decodeCursor(cursor: string, length: number): (string | null)[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === length && values.every((value) => value === null || typeof value === 'string')) return values;
  } catch {
    // fall through to the error below
  }
  throw new InvalidReadModelQuery('The cursor does not belong to this query (its sort keys differ): start again without `after`.');
}

/** Find options: an object whose where is an object and orderBy a list of [field, direction] pairs. */
function checkFindOptions(find: unknown): void {
  const given = optionsObject('options', find as object | undefined) as { where?: unknown; orderBy?: unknown; after?: unknown };
  checkWhere(given.where);
  if (given.orderBy !== undefined) {
    arrayOf('options.orderBy', given.orderBy).forEach((entry, index) => {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string') throw new InvalidReadModelQuery(`orderBy[${index}] must be a [field, 'asc' | 'desc'] pair.`);
    });
  }
  if (given.after !== undefined && typeof given.after !== 'string') throw new InvalidReadModelQuery('after must be the nextCursor string of a previous page.');
}

function checkWhere(where: unknown): void {
  if (where !== undefined && (typeof where !== 'object' || where === null || Array.isArray(where))) {
    throw new InvalidReadModelQuery(`where must be an object of field conditions; got ${describeValue(where)}.`);
  }
}
