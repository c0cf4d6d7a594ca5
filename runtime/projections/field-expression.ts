import type { IndexedFieldType } from '../contracts.js';
import { InvalidReadModelQuery } from './projection-errors.js';
import type { ProjectionTables } from './projection-tables.js';

/** JSON field names usable in SQL text: checked here, then embedded as a string literal. */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function assertFieldName(field: string): string {
  if (!FIELD_NAME.test(field)) {
    throw new InvalidReadModelQuery(`The field name ${JSON.stringify(field)} is not valid: use letters, digits and underscores.`);
  }
  return field;
}

/**
 * The SQL expression for a JSON field of `data` with its typed cast. Expression indexes and typed
 * queries both come from here: PostgreSQL uses an expression index only when the query contains
 * the same expression (after parse), so the two must never be written separately.
 */
export function fieldExpression(tables: ProjectionTables, field: string, type: IndexedFieldType): string {
  const text = `(data ->> '${assertFieldName(field)}')`;
  switch (type) {
    case 'text':
      return text;
    case 'numeric':
      return `(${text}::numeric)`;
    case 'boolean':
      return `(${text}::boolean)`;
    case 'timestamptz':
      return `${tables.timestamptzCast}${text}`;
  }
}

/** The cast for a bound parameter compared with a field of that type. */
export function parameterCast(type: IndexedFieldType): string {
  return type === 'text' ? '::text' : `::${type}`;
}
