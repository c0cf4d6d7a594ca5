import { MigrationChecksumMismatch } from '../errors.js';
import { resolveSchema } from '../identifiers.js';
import type { SqlClient, SqlExecutor } from '../sql-client.js';
import { migrations as allMigrations } from './index.js';
import { migrationChecksum, renderStatements, type Migration } from './migration.js';

export interface MigrateOptions {
  /** Schema holding esgen's tables; created when missing. Default `public`. */
  readonly schema?: string;
  /** For tests of the runner itself; defaults to every released migration. */
  readonly migrations?: readonly Migration[];
}

export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
}

export interface MigrateResult {
  readonly schema: string;
  /** Migrations this call applied (empty when the schema was already up to date). */
  readonly applied: readonly AppliedMigration[];
}

export interface MigrationStatus {
  readonly version: number;
  readonly name: string;
  /** `changed`: applied with another checksum; `unknown`: recorded by newer code than this one. */
  readonly state: 'applied' | 'pending' | 'changed' | 'unknown';
  readonly appliedAt: Date | null;
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
  applied_at: Date;
}

/**
 * Brings the schema up to date, idempotently. Each migration runs in its own transaction holding a
 * transaction-scoped advisory lock keyed on the schema name (pg_advisory_xact_lock), so two
 * processes migrating at once serialise: the second waits, then finds the work done. Transaction-
 * scoped rather than session locks keep this correct behind PgBouncer in transaction mode.
 *
 * @example await migrate(client, { schema: 'billing' })
 */
export async function migrate(client: SqlClient, options: MigrateOptions = {}): Promise<MigrateResult> {
  const schema = resolveSchema(options.schema);
  const list = options.migrations ?? allMigrations;
  const applied: AppliedMigration[] = [];
  for (;;) {
    const next = await client.transaction(async (tx) => {
      await lockAndPrepare(tx, schema.name, schema.quoted);
      const rows = await readApplied(tx, schema.quoted);
      verifyChecksums(list, rows);
      const done = new Set(rows.map((row) => row.version));
      const pending = list.find((migration) => !done.has(migration.version));
      if (pending === undefined) return undefined;
      for (const statement of renderStatements(pending, schema.quoted)) await tx.query(statement);
      await tx.query(`INSERT INTO ${schema.quoted}.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`, [
        pending.version,
        pending.name,
        migrationChecksum(pending),
      ]);
      return pending;
    });
    if (next === undefined) return { schema: schema.name, applied };
    applied.push({ version: next.version, name: next.name });
  }
}

/** Applied and pending migrations of a schema, without changing anything. */
export async function migrationStatus(client: SqlClient, options: MigrateOptions = {}): Promise<MigrationStatus[]> {
  const schema = resolveSchema(options.schema);
  const list = options.migrations ?? allMigrations;
  const exists = await client.query<{ present: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AS present`,
    [`${schema.quoted}.schema_migrations`],
  );
  const rows = exists.rows[0]?.present ? await readApplied(client, schema.quoted) : [];
  const byVersion = new Map(rows.map((row) => [row.version, row]));
  const status: MigrationStatus[] = list.map((migration) => {
    const row = byVersion.get(migration.version);
    if (row === undefined) return { version: migration.version, name: migration.name, state: 'pending', appliedAt: null };
    const state = row.checksum === migrationChecksum(migration) ? 'applied' : 'changed';
    return { version: migration.version, name: migration.name, state, appliedAt: row.applied_at };
  });
  const known = new Set(list.map((migration) => migration.version));
  for (const row of rows) {
    if (!known.has(row.version)) status.push({ version: row.version, name: row.name, state: 'unknown', appliedAt: row.applied_at });
  }
  return status.sort((a, b) => a.version - b.version);
}

async function lockAndPrepare(tx: SqlExecutor, schemaName: string, quoted: string): Promise<void> {
  // hashtextextended gives a stable 64-bit key per schema: migrations of other schemas never wait.
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`esgen.migrate.${schemaName}`]);
  // CREATE SCHEMA checks the CREATE privilege before IF NOT EXISTS, so leave `public` alone.
  if (schemaName !== 'public') await tx.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
  await tx.query(`CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`);
}

async function readApplied(executor: SqlExecutor, quoted: string): Promise<AppliedRow[]> {
  const result = await executor.query<AppliedRow>(
    `SELECT version, name, checksum, applied_at FROM ${quoted}.schema_migrations ORDER BY version`,
  );
  return result.rows;
}

function verifyChecksums(list: readonly Migration[], rows: readonly AppliedRow[]): void {
  const byVersion = new Map(list.map((migration) => [migration.version, migration]));
  for (const row of rows) {
    const migration = byVersion.get(row.version);
    if (migration !== undefined && migrationChecksum(migration) !== row.checksum) {
      throw new MigrationChecksumMismatch(row.version, row.name);
    }
  }
}
