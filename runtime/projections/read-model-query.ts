import type { IndexedFieldType, ReadModelDefinition } from '../contracts.js';
import { arrayOf, describeValue, optionsObject, plainJsonObject, storableDate, storableString } from '../argument-checks.js';
import { assertIdentifier } from '../identifiers.js';
import type { SqlExecutor } from '../sql-client.js';
import { prepared } from '../store/statement.js';
import { assertFieldName, fieldExpression, parameterCast } from './field-expression.js';
import { InvalidReadModelQuery } from './projection-errors.js';
import { projectionTables, type ProjectionTables } from './projection-tables.js';
import { assertServableShape } from './read-model-shapes.js';

/** A condition on one indexed field: a value (equality; null = IS NULL) or operators, combined with AND. */
export type FieldCondition<V> =
  | V
  | null
  | { readonly eq?: V; readonly ne?: V; readonly gt?: V; readonly gte?: V; readonly lt?: V; readonly lte?: V; readonly in?: readonly V[] };

/**
 * A condition on a field without an index: equality only (a value, `eq` or `in`), served by the
 * GIN index on `data`; `null` (the field is unset) only for optional fields.
 */
export type EqualityCondition<V, TNullable extends boolean> = V | (TNullable extends true ? null : never) | { readonly eq?: V; readonly in?: readonly V[] };

type Scalar = string | number | boolean;

/** Fields of the row whose values are scalars (strings, enums, dates, numbers, booleans): the ones equality can filter on. */
export type ScalarField<TRow> = { [K in keyof TRow & string]-?: [NonNullable<TRow[K]>] extends [never] ? never : NonNullable<TRow[K]> extends Scalar ? K : never }[keyof TRow & string];

/**
 * Conditions combined with AND: on the row id and indexed fields (`TIndexed`) any operator, on
 * every other scalar field equality only. What the types allow is what the runtime serves; it
 * refuses the rest (ESG222) for callers without types.
 */
export type Where<TRow, TIndexed extends string = string> = {
  readonly [K in ScalarField<TRow> | (TIndexed & keyof TRow & string)]?: K extends TIndexed
    ? FieldCondition<QueryValue<TRow[K]>>
    : EqualityCondition<QueryValue<NonNullable<TRow[K]>>, undefined extends TRow[K] ? true : false>;
} & {
  readonly id?: FieldCondition<string>;
};

/** Dates may be given as Date or ISO string; everything else as the row holds it. */
type QueryValue<V> = V extends Date ? Date | string : V;

export type SortDirection = 'asc' | 'desc';
/** Sort keys: the row id and indexed fields only (sorting needs the expression index). */
export type OrderBy<TRow, TIndexed extends string = string> = readonly (readonly [(TIndexed & keyof TRow & string) | 'id', SortDirection])[];

export interface FindOptions<TRow, TIndexed extends string = string> {
  readonly where?: Where<TRow, TIndexed>;
  /** Sort keys; the row id is always added last so pages are stable. */
  readonly orderBy?: OrderBy<TRow, TIndexed>;
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

export interface ReadModelQuery<TRow, TIndexed extends string = string> {
  readonly definition: ReadModelDefinition<TRow, TIndexed>;
  /** The row with this id, or undefined. */
  get(id: string): Promise<ReadModelRow<TRow> | undefined>;
  find(options?: FindOptions<TRow, TIndexed>): Promise<ReadModelRow<TRow>[]>;
  /** As find, plus a cursor for the next page (needs `limit`). */
  findPage(options: FindOptions<TRow, TIndexed> & { readonly limit: number }): Promise<Page<TRow>>;
  count(where?: Where<TRow, TIndexed>): Promise<number>;
  /** Ad-hoc JSONB containment (`data @> partial`), served by the GIN index on data. */
  contains(partial: Partial<TRow> | Record<string, unknown>, options?: { readonly limit?: number }): Promise<ReadModelRow<TRow>[]>;
  /** The SQL and parameters `find` would run (for EXPLAIN and debugging). */
  toSql(options?: FindOptions<TRow, TIndexed>): { readonly sql: string; readonly params: unknown[] };
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
 * Typed queries over one read model, generic over the definition's row type and indexed fields,
 * so a generated ReadModelDefinition<Row, Indexed> gives typed queries without generating any
 * query code. Conditions of any kind and sort keys may name the row id and the fields indexed in
 * the spec (`index: true`): their SQL expressions are the exact expressions of the partial
 * expression indexes, so the planner uses them. Every other scalar field filters by equality
 * only, as JSONB containment (`data @> {"field": value}`), which the GIN index on `data` serves.
 * Values are always bound parameters; field names are checked against the definition.
 *
 * @example
 * const accounts = readModel(client, registry.readModels.AccountSummary, { schema });
 * await accounts.find({ where: { owner: 'ada', balance: { gte: 100 } }, orderBy: [['balance', 'desc']], limit: 20 });
 */
export function readModel<TRow, TIndexed extends string = string>(
  executor: SqlExecutor,
  definition: ReadModelDefinition<TRow, TIndexed>,
  options: ReadModelQueryOptions = {},
): ReadModelQuery<TRow, TIndexed> {
  const tables = projectionTables(options.schema);
  const projection = assertIdentifier('projection name', definition.projection);
  // The projection is a validated identifier inlined as a literal: the planner can then prove the
  // partial indexes' predicate (WHERE projection_name = '…') even for a generic plan.
  const base = `FROM ${tables.projections} WHERE projection_name = '${projection}'`;
  // A row by id is the hot read of most applications: one text per read model, prepared by name.
  // Other queries vary in shape with their conditions and stay unnamed.
  const byId = `SELECT id, data ${base} AND id = $1`;
  const fields = fieldMap(tables, definition);
  // Never rows of another shape under this row type (checked once per client, see read-model-shapes.ts).
  const servable = () => assertServableShape(executor, tables, definition);

  const build = (find: FindOptions<TRow, TIndexed>, select: string) => {
    checkFindOptions(find);
    const params: unknown[] = [];
    const conditions = whereClauses(fields, definition, find.where, params);
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
      const result = await executor.query<StoredRow<TRow>>(byId, [id], prepared(byId));
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
      const conditions = whereClauses(fields, definition, where, params);
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

function fieldInfo(fields: Map<string, FieldInfo>, field: string, use: string): FieldInfo {
  const info = fields.get(assertFieldName(field));
  if (info !== undefined) return info;
  const indexed = [...fields.keys()].filter((name) => name !== 'id');
  throw new InvalidReadModelQuery(
    `Cannot ${use} ${field}: only the row id and indexed fields (${indexed.join(', ') || 'none'}) allow ranges, ne and orderBy; other scalar fields allow equality only (a value, eq, in, or null when optional). ` +
      'Mark the field `index: true` in the spec.',
  );
}

const NUMERIC = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

const OPERATORS = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

function whereClauses(fields: Map<string, FieldInfo>, definition: ReadModelDefinition<any, string>, where: Where<any> | undefined, params: unknown[]): string[] {
  const clauses: string[] = [];
  for (const [field, condition] of Object.entries(where ?? {})) {
    if (condition === undefined) continue;
    if (!fields.has(assertFieldName(field))) {
      clauses.push(...equalityClauses(fields, definition, field, condition, params));
      continue;
    }
    const info = fieldInfo(fields, field, 'query on');
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

/**
 * Equality on a field without an index: `data @> {"field": value}` (one containment per `in`
 * value, OR-ed), so the GIN index on data serves it. Values are compared as the row stores them:
 * datetimes as canonical UTC strings with milliseconds, numbers by value. `null` matches rows
 * where the field is unset (rows never store null for a scalar).
 */
function equalityClauses(fields: Map<string, FieldInfo>, definition: ReadModelDefinition<any, string>, field: string, condition: unknown, params: unknown[]): string[] {
  const type = definition.scalars === undefined ? 'any' : Object.hasOwn(definition.scalars, field) ? definition.scalars[field]! : undefined;
  if (type === undefined) {
    const scalars = Object.keys(definition.scalars ?? {});
    throw new InvalidReadModelQuery(`Cannot query on ${field}: it is not a scalar field of ${definition.name} (fields that filter: id, ${scalars.join(', ') || 'none'}).`);
  }
  const contains = (value: unknown) => `data @> ${param(params, JSON.stringify({ [field]: jsonValue(type, field, value) }))}::jsonb`;
  const unset = () => `coalesce(data -> ${param(params, field)}, 'null'::jsonb) = 'null'::jsonb`;
  if (condition === null) return [unset()];
  if (!isOperatorObject(condition)) return [contains(condition)];
  const clauses: string[] = [];
  for (const [operator, value] of Object.entries(condition)) {
    if (value === undefined) continue;
    if (operator === 'eq') {
      clauses.push(value === null ? unset() : contains(value));
    } else if (operator === 'in') {
      if (!Array.isArray(value)) throw new InvalidReadModelQuery(`${field}.in must be an array.`);
      clauses.push(value.length === 0 ? 'false' : `(${value.map(contains).join(' OR ')})`);
    } else if (operator in OPERATORS) {
      fieldInfo(fields, field, `use ${operator} on`);
    } else {
      throw new InvalidReadModelQuery(`Unknown operator ${operator} on ${field}: use eq or in (the field has no index).`);
    }
  }
  return clauses;
}

/** A value as the row's JSON holds it, for containment. */
function jsonValue(type: IndexedFieldType | 'any', field: string, value: unknown): string | number | boolean {
  switch (type) {
    case 'timestamptz':
      // Rows hold datetimes in one form, UTC with milliseconds: compare in that form.
      if (value instanceof Date) return storableDate(field, value).toISOString();
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return storableDate(field, new Date(storableString(field, value))).toISOString();
      break;
    case 'numeric':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      break;
    case 'text':
      if (typeof value === 'string') return storableString(field, value);
      break;
    case 'any':
      if (value instanceof Date) return storableDate(field, value).toISOString();
      if (typeof value === 'string') return storableString(field, value);
      if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return value;
      break;
  }
  throw new InvalidReadModelQuery(`The value ${describeValue(value)} does not fit ${field} (${type === 'any' ? 'a JSON scalar' : type}).`);
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
    keys.push({ info: fieldInfo(fields, field, 'sort on'), direction });
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
