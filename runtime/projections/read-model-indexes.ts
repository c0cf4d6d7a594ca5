import { createHash } from 'node:crypto';
import type { IndexDefinition, ReadModelDefinition, Registry } from '../contracts.js';
import { assertIdentifier } from '../identifiers.js';
import type { SqlClient } from '../sql-client.js';
import { fieldExpression } from './field-expression.js';
import { projectionTables, type ProjectionTables } from './projection-tables.js';

/** Marks indexes this module manages, so stale ones can be found (and only ours are dropped). */
const COMMENT_PREFIX = 'esgen read model index:';

export interface ReadModelIndexPlan {
  readonly name: string;
  readonly projection: string;
  readonly sql: string;
}

export interface EnsureIndexesResult {
  readonly created: readonly string[];
  readonly dropped: readonly string[];
}

/**
 * Creates the expression indexes of every `index: true` field of the registry's read models,
 * partial to their projection (`WHERE projection_name = '…'`), UNIQUE where asked, and drops the
 * indexes this function created earlier for those projections that the definitions no longer ask
 * for (indexes of projections not in this registry, e.g. another service's, are left alone).
 * Idempotent; runs in one transaction under an advisory lock so two processes starting at once
 * do not race. The build holds a SHARE lock on `projections` (writes wait): on a large table create
 * the index by hand first with CREATE INDEX CONCURRENTLY under the same name, and this skips it.
 *
 * @example await ensureReadModelIndexes(client, registry, 'billing')
 */
export async function ensureReadModelIndexes(client: SqlClient, registry: Registry, schema?: string): Promise<EnsureIndexesResult> {
  const tables = projectionTables(schema);
  const plans = Object.values(registry.readModels).flatMap((definition) => planReadModelIndexes(tables, definition));
  const managedProjections = new Set(Object.values(registry.readModels).map((definition) => definition.projection));
  return client.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`esgen.read-model-indexes.${tables.schema}`]);
    const existing = await tx.query<{ name: string; comment: string | null; valid: boolean }>(
      `SELECT c.relname AS name, obj_description(c.oid, 'pg_class') AS comment, i.indisvalid AS valid
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = $1::regclass`,
      [tables.projections],
    );
    const byName = new Map(existing.rows.map((row) => [row.name, row]));
    const wanted = new Set(plans.map((plan) => plan.name));
    const dropped: string[] = [];
    for (const row of existing.rows) {
      const projection = row.comment?.startsWith(COMMENT_PREFIX) ? row.comment.slice(COMMENT_PREFIX.length).trim() : undefined;
      // A CREATE INDEX CONCURRENTLY that failed leaves an invalid index behind: rebuild it.
      const invalid = wanted.has(row.name) && !row.valid;
      if ((projection !== undefined && managedProjections.has(projection) && !wanted.has(row.name)) || invalid) {
        await tx.query(`DROP INDEX ${quotedIndex(tables, row.name)}`);
        byName.delete(row.name);
        if (!invalid) dropped.push(row.name);
      }
    }
    const created: string[] = [];
    for (const plan of plans) {
      if (byName.has(plan.name)) continue;
      await tx.query(plan.sql);
      await tx.query(`COMMENT ON INDEX ${quotedIndex(tables, plan.name)} IS '${COMMENT_PREFIX} ${plan.projection}'`);
      created.push(plan.name);
    }
    return { created, dropped };
  });
}

/** The CREATE INDEX statements for one read model (exported for tests and `esgen db` output). */
export function planReadModelIndexes(tables: ProjectionTables, definition: ReadModelDefinition<any>): ReadModelIndexPlan[] {
  const projection = assertIdentifier('projection name', definition.projection);
  return definition.indexes.map((index) => {
    const name = indexName(projection, index);
    const unique = index.unique ? 'UNIQUE ' : '';
    const sql =
      `CREATE ${unique}INDEX IF NOT EXISTS "${name}" ON ${tables.projections} ((${fieldExpression(tables, index.field, index.type)}))` +
      ` WHERE projection_name = '${projection}'`;
    return { name, projection, sql };
  });
}

/**
 * `rm_<projection>_<field>_<hash>`: readable in EXPLAIN output, at most 63 bytes, and the hash of
 * (field, type, unique) makes a changed definition a new index rather than a silently stale one.
 */
export function indexName(projection: string, index: IndexDefinition): string {
  const hash = createHash('sha256').update(`${projection}\0${index.field}\0${index.type}\0${index.unique}`).digest('hex').slice(0, 8);
  const readable = `rm_${projection}_${index.field.toLowerCase()}`.slice(0, 63 - 9);
  return `${readable}_${hash}`;
}

function quotedIndex(tables: ProjectionTables, name: string): string {
  return `"${tables.schema}"."${name.replaceAll('"', '""')}"`;
}
