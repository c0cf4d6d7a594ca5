import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgClient } from '../../runtime/pg-client.js';
import { migrate, migrationStatus } from '../../runtime/migrations/migrate.js';
import { migrationChecksum, migrations, type Migration } from '../../runtime/migrations/index.js';
import { isEsgenError } from '../../runtime/errors.js';
import { onServer, openTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * Released migrations are frozen: a database records each applied migration's checksum, so
 * editing one would break every database it already ran on. Add a migration instead; when a new
 * one is released, pin its checksum here.
 */
const RELEASED: ReadonlyArray<[version: number, name: string, checksum: string]> = [
  [1, 'initial', '2c9c6ab82b9aececcebb0b30cdc3ae7e2e368ad9b4e18a84b81671bee79e323e'],
  [2, 'read-model-runtime', '12de2ea045fb8b9983473e311a50697739bbf460991bd7e3b5520f6f102dc63f'],
  [3, 'events-index-budget', 'fa2d7215136bc8382165ab9373d3c405ae76c334db918b4128042f3c374292a2'],
  [4, 'message-bus', 'bbf45d3b1ea44e64978c432d3350f9affc9c1f10d3cc781ba19243a94dfb2f41'],
  [5, 'personal-data', '51fc070ffa270f13521ac5b301f76be4b2cbfbff4b5508c330e6bdf59a6b37ea'],
  [6, 'unset-datetimes', 'ed282c81ec94dda9eb526edc0f5c91f3ae874ea3622ccdd29cdefad4a30cf6ff'],
];

describe('migrations', () => {
  it.each(RELEASED)('keeps released migration %i (%s) unchanged', (version, name, checksum) => {
    const migration = migrations.find((m) => m.version === version);
    expect(migration?.name).toBe(name);
    expect(migrationChecksum(migration!)).toBe(checksum);
  });

  // Ascending without repeats: personal-data (6) was numbered while 5 was taken on another branch;
  // after integration the numbers are 1, 2, 3, … again and this may go back to checking that.
  it('numbers migrations 1, 2, 3, … in list order', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });
});

describe('migrate', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.dispose());

  it('creates the schema and the design tables with the global-order columns', async () => {
    const result = await migrate(db.client, { schema: db.schema });
    expect(result.applied.map((m) => m.version)).toEqual(migrations.map((m) => m.version));
    const columns = await db.client.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
      [db.schema],
    );
    const of = (table: string) => columns.rows.filter((c) => c.table_name === table).map((c) => `${c.column_name}:${c.data_type}`);
    expect(of('events')).toEqual([
      'event_id:uuid',
      'aggregate_type:character varying',
      'aggregate_id:character varying',
      'version:integer',
      'event_type:character varying',
      'event_version:integer',
      'event_data:jsonb',
      'metadata:jsonb',
      'occurred_at:timestamp with time zone',
      'correlation_id:uuid',
      'causation_id:uuid',
      'global_position:bigint',
      'transaction_id:xid8',
      'pii_subject:text',
    ]);
    expect(of('snapshots')).toEqual([
      'aggregate_type:character varying',
      'aggregate_id:character varying',
      'version:integer',
      'state:jsonb',
      'state_fingerprint:character varying',
      'created_at:timestamp with time zone',
    ]);
    expect(of('projections').slice(0, 6)).toEqual([
      'id:character varying',
      'projection_name:character varying',
      'data:jsonb',
      'version:integer',
      'created_at:timestamp with time zone',
      'updated_at:timestamp with time zone',
    ]);
    expect(of('projection_positions')).toEqual(
      expect.arrayContaining([
        'projection_name:character varying',
        'last_processed_position:bigint',
        'last_processed_transaction_id:xid8',
        'last_processed_at:timestamp with time zone',
      ]),
    );
    const indexes = await db.client.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'events' ORDER BY indexname`,
      [db.schema],
    );
    const definitions = indexes.rows.map((row) => row.indexdef.replace(/^.* USING /, '').replaceAll("'", ''));
    // The index budget (migration 3): each index serves a documented read (docs/performance.md).
    expect(definitions.sort()).toEqual(
      [
        'btree (aggregate_type, aggregate_id, version)',
        'btree (event_type, transaction_id, global_position)',
        'brin (occurred_at) WITH (autosummarize=on)',
        'btree (transaction_id, global_position)',
        'btree (event_id)',
        'btree (pii_subject) WHERE (pii_subject IS NOT NULL)',
      ].sort(),
    );
  });

  it('is idempotent: a second run applies nothing and reports every migration applied', async () => {
    const again = await migrate(db.client, { schema: db.schema });
    expect(again.applied).toEqual([]);
    const status = await migrationStatus(db.client, { schema: db.schema });
    expect(status.map((s) => [s.version, s.state])).toEqual(migrations.map((m) => [m.version, 'applied']));
    expect(status.every((s) => s.appliedAt instanceof Date)).toBe(true);
  });

  it('reports pending migrations of a schema that was never migrated, without creating it', async () => {
    const status = await migrationStatus(db.client, { schema: `${db.schema}_none` });
    expect(status.map((s) => s.state)).toEqual(migrations.map(() => 'pending'));
    const schemas = await db.client.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [`${db.schema}_none`]);
    expect(schemas.rows).toHaveLength(0);
  });

  it('refuses to run when an applied migration was edited (MigrationChecksumMismatch, ESG207)', async () => {
    const edited: Migration[] = migrations.map((m) => (m.version === 1 ? { ...m, statements: [...m.statements, 'SELECT 1'] } : m));
    const error = await migrate(db.client, { schema: db.schema, migrations: edited }).catch((e: unknown) => e);
    expect(isEsgenError(error, 'ESG207')).toBe(true);
    expect(String(error)).toMatch(/Migration 1 \(initial\) was changed after it was applied/);
    const status = await migrationStatus(db.client, { schema: db.schema, migrations: edited });
    expect(status[0]?.state).toBe('changed');
  });

  it('applies a migration added later, and only that one', async () => {
    const extra: Migration = { version: migrations.at(-1)!.version + 1, name: 'test-extra', statements: ['CREATE TABLE {{schema}}.extra_table (id int)'] };
    const result = await migrate(db.client, { schema: db.schema, migrations: [...migrations, extra] });
    expect(result.applied).toEqual([{ version: extra.version, name: 'test-extra' }]);
    const table = await db.client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [`${db.schema}.extra_table`]);
    expect(table.rows[0]).toEqual({ present: true });
    // Code that does not know the extra migration sees it as recorded by newer code.
    const status = await migrationStatus(db.client, { schema: db.schema });
    expect(status.at(-1)).toMatchObject({ version: extra.version, state: 'unknown' });
  });

  it('rolls back a failing migration as a whole and records nothing', async () => {
    const broken: Migration = {
      version: migrations.at(-1)!.version + 2,
      name: 'test-broken',
      statements: ['CREATE TABLE {{schema}}.half_done (id int)', 'SELECT * FROM no_such_table'],
    };
    const extra: Migration = { version: migrations.at(-1)!.version + 1, name: 'test-extra', statements: ['CREATE TABLE {{schema}}.extra_table (id int)'] };
    await expect(migrate(db.client, { schema: db.schema, migrations: [...migrations, extra, broken] })).rejects.toThrow(/no_such_table/);
    const table = await db.client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [`${db.schema}.half_done`]);
    expect(table.rows[0]).toEqual({ present: false });
    const recorded = await db.client.query(`SELECT version FROM ${db.schema}.schema_migrations WHERE version = $1`, [broken.version]);
    expect(recorded.rows).toHaveLength(0);
  });

  it.each([['Bad-Name'], ['1abc'], ['a;drop table x'], ['x'.repeat(64)], ['']])(
    'rejects the schema name %j with InvalidIdentifier (ESG205) before touching the database',
    async (schema) => {
      const error = await migrate(db.client, { schema }).catch((e: unknown) => e);
      expect(isEsgenError(error, 'ESG205')).toBe(true);
    },
  );

  it.runIf(onServer)('is safe when several processes migrate the same schema at once', async () => {
    const schema = `${db.schema}_race`;
    const clients = await Promise.all(Array.from({ length: 4 }, () => createPgClient({ connectionString: db.databaseUrl!, poolConfig: { max: 1 } })));
    try {
      const results = await Promise.all(clients.map((client) => migrate(client, { schema })));
      const applied = results.flatMap((r) => r.applied.map((m) => m.version)).sort((a, b) => a - b);
      expect(applied).toEqual(migrations.map((m) => m.version));
      const rows = await db.client.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
      expect(rows.rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    } finally {
      await db.client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await Promise.all(clients.map((client) => client.close()));
    }
  });
});
