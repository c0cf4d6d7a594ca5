import type { SqlExecutor } from '../sql-client.js';
import { prepared } from '../store/statement.js';
import type { ProjectionTables } from './projection-tables.js';

/** A row of the shared projections table as the runtime holds it. */
export interface StoredRow<TRow = unknown> {
  readonly data: TRow;
  /** How many changes were applied to the row since it was created. */
  readonly version: number;
}

/** The final state of one row after a batch: written with one statement per kind. */
export type RowWrite<TRow = unknown> =
  | { readonly kind: 'upsert'; readonly id: string; readonly data: TRow; readonly version: number }
  | { readonly kind: 'delete'; readonly id: string };

export interface RowStatements {
  readonly load: string;
  readonly loadForUpdate: string;
  readonly upsert: string;
  readonly delete: string;
}

/**
 * One statement per operation, whatever the batch size: rows are loaded with `id = ANY($2)` and
 * written with a single INSERT … SELECT FROM jsonb_to_recordset($2) … ON CONFLICT DO UPDATE (one
 * JSON parameter works the same on pg and PGlite, unlike typed array parameters of JSONB).
 */
export function rowStatements(tables: ProjectionTables): RowStatements {
  const load = `SELECT id, data, version FROM ${tables.projections} WHERE projection_name = $1 AND id = ANY($2::text[])`;
  return {
    load,
    loadForUpdate: `${load} FOR UPDATE`,
    upsert: `INSERT INTO ${tables.projections} AS p (id, projection_name, data, version)
SELECT r.id, $1, r.data, r.version FROM jsonb_to_recordset($2::jsonb) AS r(id text, data jsonb, version integer)
ON CONFLICT (id, projection_name) DO UPDATE SET data = EXCLUDED.data, version = EXCLUDED.version, updated_at = now()`,
    delete: `DELETE FROM ${tables.projections} WHERE projection_name = $1 AND id = ANY($2::text[])`,
  };
}

export async function loadRows<TRow>(
  executor: SqlExecutor,
  statements: RowStatements,
  projection: string,
  ids: readonly string[],
  forUpdate = false,
): Promise<Map<string, StoredRow<TRow>>> {
  const rows = new Map<string, StoredRow<TRow>>();
  if (ids.length === 0) return rows;
  const sql = forUpdate ? statements.loadForUpdate : statements.load;
  const result = await executor.query<{ id: string; data: TRow; version: number }>(sql, [projection, ids], prepared(sql));
  for (const row of result.rows) rows.set(row.id, { data: row.data, version: row.version });
  return rows;
}

export async function writeRows(executor: SqlExecutor, statements: RowStatements, projection: string, writes: Iterable<RowWrite>): Promise<void> {
  const upserts: { id: string; data: unknown; version: number }[] = [];
  const deletes: string[] = [];
  for (const write of writes) {
    if (write.kind === 'upsert') upserts.push({ id: write.id, data: write.data, version: write.version });
    else deletes.push(write.id);
  }
  if (upserts.length > 0) await executor.query(statements.upsert, [projection, JSON.stringify(upserts)], prepared(statements.upsert));
  if (deletes.length > 0) await executor.query(statements.delete, [projection, deletes], prepared(statements.delete));
}
